import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { credentialsAssociatedData } from '../connectors/configurations/connection.ts';
import type { ConnectorConfigurationRow } from '../connectors/configurations/repository.ts';
import type { Credentials } from '../connectors/configurations/validation.ts';
import { TestProcessor } from '../connectors/test-processor/connector.ts';
import { SecretBox } from '../platform/crypto.ts';
import { ConnectorRegistry } from './registry.ts';
import { defaultOrchestrationSettings } from './settings.ts';

const secretBox = new SecretBox(randomBytes(32));
const id = 'pcc_registrytest000000000000';

/** A Stripe configuration row; every change below happens within one second (same `updated` times). */
function row(credentials: Credentials, settings: ConnectorConfigurationRow['settings'] = { base_url: 'http://127.0.0.1:1' }): ConnectorConfigurationRow {
  return {
    id, account_id: 'acct_registrytest', livemode: false, connector: 'stripe',
    credentials_encrypted: secretBox.encrypt(JSON.stringify(credentials), credentialsAssociatedData(id)),
    credentials_masked: {}, credentials_updated: 1_700_000_000, settings, enabled: true, supported_currencies: [], supported_countries: [],
    payment_method_types: ['card'], priority: 1, fees: {}, metadata: {}, deleted: false, created: 1_700_000_000, updated: 1_700_000_000,
  };
}

describe('connector registry', () => {
  const registry = new ConnectorRegistry({ builtIn: new TestProcessor(), secretBox, publicUrl: () => 'http://payrail.test', settings: defaultOrchestrationSettings });

  it('keeps a configuration\'s connector while it is unchanged, and builds a new one when its credentials or settings change, even within the same second', () => {
    const first = row({ secret_key: 'sk_test_one' });
    const connector = registry.forConfiguration(first);
    assert.equal(registry.forConfiguration({ ...first }), connector, 'the same row: the same connector');
    const withSecret = row({ secret_key: 'sk_test_one', webhook_secret: 'whsec_added' });
    const rebuilt = registry.forConfiguration(withSecret);
    assert.notEqual(rebuilt, connector, 'new credentials: a new connector');
    const moved = registry.forConfiguration({ ...withSecret, settings: { base_url: 'http://127.0.0.1:2' } });
    assert.notEqual(moved, rebuilt, 'new settings: a new connector');
  });

  it('answers the built-in test processor for accounts without configurations', () => {
    assert.ok(registry.forConfiguration(null) instanceof TestProcessor);
  });
});
