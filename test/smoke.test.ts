import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe('payments through the official stripe SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('creates and confirms a card payment with automatic capture', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge'] });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount_received, 2000);
    const charge = intent.latest_charge as { id: string; paid: boolean; captured: boolean; amount_captured: number };
    assert.equal(charge.paid, true);
    assert.equal(charge.captured, true);
    assert.equal(charge.amount_captured, 2000);
  });
});
