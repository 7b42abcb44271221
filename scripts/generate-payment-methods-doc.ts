// Regenerates the table of payment method types in docs/payment-methods.md from src/payment-methods/method-types.ts:
//   node --import tsx scripts/generate-payment-methods-doc.ts
// Only the part between the markers is rewritten; the prose around it is kept. A test fails when the doc is stale.
import fs from 'node:fs';
import { withCurrentTable } from '../src/payment-methods/method-types-doc.ts';

const file = new URL('../docs/payment-methods.md', import.meta.url);
fs.writeFileSync(file, withCurrentTable(fs.readFileSync(file, 'utf8')));
