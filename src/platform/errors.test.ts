import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { errorCatalogue } from './errors.ts';
import { behaviourOf } from '../connectors/test-processor/test-cards.ts';
import { testPaymentMethodNumbers } from '../payment-methods/card-numbers.ts';
import { repositoryRoot, sourceFiles } from '../../test/helpers/source-files.ts';


describe('error catalogue', () => {
  it('lists every error code the source uses', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(path.join(repositoryRoot, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/new ApiError\(\s*'([a-z_]+)'/g)) used.add(match[1]);
    }
    assert.ok(used.size > 20);
    for (const code of used) assert.ok(code in errorCatalogue, `${code} is used in src/ but missing from the catalogue`);
  });

  it('lists every code the test processor declines with', () => {
    for (const number of Object.values(testPaymentMethodNumbers)) {
      const behaviour = behaviourOf(number);
      const decline = behaviour.kind === 'decline' ? behaviour.decline : behaviour.kind === 'authenticate' ? behaviour.thenDecline : undefined;
      if (decline) assert.ok(decline.code in errorCatalogue, decline.code);
    }
  });

  it('documents every code in docs/errors.md', () => {
    const docs = fs.readFileSync(path.join(repositoryRoot, 'docs/errors.md'), 'utf8');
    for (const code of Object.keys(errorCatalogue)) assert.ok(docs.includes(`\`${code}\``), `${code} is not documented in docs/errors.md`);
  });
});
