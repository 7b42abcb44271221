import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const nextYear = new Date().getUTCFullYear() + 1;

function card(number: string, extra: Partial<Stripe.PaymentMethodCreateParams.Card> = {}): Stripe.PaymentMethodCreateParams {
  return { type: 'card', card: { number, exp_month: 12, exp_year: nextYear, cvc: '123', ...extra } as Stripe.PaymentMethodCreateParams.Card };
}

describe('payment methods through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  describe('creating from raw card data', () => {
    const cases = [
      { number: '4242424242424242', brand: 'visa', funding: 'credit', country: 'US' },
      { number: '4000056655665556', brand: 'visa', funding: 'debit', country: 'US' },
      { number: '5555555555554444', brand: 'mastercard', funding: 'credit', country: 'US' },
      { number: '2223003122003222', brand: 'mastercard', funding: 'credit', country: 'US' },
      { number: '5105105105105100', brand: 'mastercard', funding: 'prepaid', country: 'US' },
      { number: '378282246310005', brand: 'amex', funding: 'credit', country: 'US' },
      { number: '6011111111111117', brand: 'discover', funding: 'credit', country: 'US' },
      { number: '6011981111111113', brand: 'discover', funding: 'debit', country: 'US' },
      { number: '3566002020360505', brand: 'jcb', funding: 'credit', country: 'JP' },
      { number: '3056930009020004', brand: 'diners', funding: 'credit', country: 'US' },
      { number: '36227206271667', brand: 'diners', funding: 'credit', country: 'US' },
      { number: '6200000000000005', brand: 'unionpay', funding: 'credit', country: 'CN' },
      { number: '4000008260000000', brand: 'visa', funding: 'credit', country: 'GB' },
    ];
    for (const expected of cases) {
      it(`reads brand, last4, funding and country of ${expected.brand} ${expected.number}`, async () => {
        const pm = await stripe.paymentMethods.create(card(expected.number, { exp_month: 7 }));
        assert.match(pm.id, /^pm_/);
        assert.equal(pm.object, 'payment_method');
        assert.equal(pm.type, 'card');
        assert.equal(pm.customer, null);
        assert.equal(pm.livemode, false);
        assert.equal(pm.card?.brand, expected.brand);
        assert.equal(pm.card?.display_brand, expected.brand === 'amex' ? 'american_express' : expected.brand);
        assert.equal(pm.card?.last4, expected.number.slice(-4));
        assert.equal(pm.card?.exp_month, 7);
        assert.equal(pm.card?.exp_year, nextYear);
        assert.equal(pm.card?.funding, expected.funding);
        assert.equal(pm.card?.country, expected.country);
        assert.equal(pm.card?.checks?.cvc_check, 'unchecked');
        assert.equal(typeof pm.card?.fingerprint, 'string');
        assert.ok(!JSON.stringify(pm).includes(expected.number), 'the number is not in the response');
        assert.ok(!JSON.stringify(pm).includes(expected.number.slice(0, 8)), 'not even its first eight digits');
      });
    }

    it('accepts a number with spaces, and gives the same number the same fingerprint', async () => {
      const spaced = await stripe.paymentMethods.create(card('4242 4242 4242 4242'));
      const plain = await stripe.paymentMethods.create(card('4242424242424242', { exp_month: 3 }));
      const other = await stripe.paymentMethods.create(card('5555555555554444'));
      const otherVisa = await stripe.paymentMethods.create(card('4000056655665556'));
      assert.equal(spaced.card?.brand, 'visa');
      assert.equal(spaced.card?.last4, '4242');
      assert.notEqual(spaced.id, plain.id);
      assert.equal(spaced.card?.fingerprint, plain.card?.fingerprint);
      assert.notEqual(spaced.card?.fingerprint, other.card?.fingerprint);
      assert.notEqual(spaced.card?.fingerprint, otherVisa.card?.fingerprint);
      // The number stored is the number without its spaces.
      const stored = await server.db.query('SELECT id, card_number_encrypted FROM payment_methods WHERE id = $1', [spaced.id]);
      assert.equal(server.deps.secretBox.decrypt(stored.rows[0].card_number_encrypted, spaced.id), '4242424242424242');
    });

    it('stores billing details and metadata, and omits the cvc check without a cvc', async () => {
      const pm = await stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', exp_month: 1, exp_year: nextYear },
        billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com', phone: '+15555550123', address: { line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' } },
        metadata: { source: 'checkout' },
      });
      assert.equal(pm.billing_details.name, 'Jenny Rosen');
      assert.equal(pm.billing_details.email, 'jenny@example.com');
      assert.equal(pm.billing_details.phone, '+15555550123');
      assert.deepEqual(pm.billing_details.address, { line1: '1 Main St', line2: null, city: 'Springfield', state: null, postal_code: '12345', country: 'US' });
      assert.deepEqual(pm.metadata, { source: 'checkout' });
      assert.equal(pm.card?.checks?.cvc_check, null);
      const retrieved = await stripe.paymentMethods.retrieve(pm.id);
      assert.deepEqual(retrieved, pm);
    });

    it('can be created with the publishable key, which cannot read it back', async () => {
      const publishable = server.stripeFor(server.account.publishableKey);
      const pm = await publishable.paymentMethods.create(card('5555555555554444'));
      assert.match(pm.id, /^pm_/);
      assert.equal(pm.card?.brand, 'mastercard');
      const retrieved = await stripe.paymentMethods.retrieve(pm.id);
      assert.equal(retrieved.card?.last4, '4444');
      await expectStripeError(publishable.paymentMethods.retrieve(pm.id), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
      await expectStripeError(publishable.paymentMethods.update(pm.id, { metadata: { a: 'b' } }), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
      await expectStripeError(publishable.customers.create({ name: 'x' }), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
    });
  });

  describe('card validation', () => {
    const cardError = { class: Stripe.errors.StripeCardError, type: 'card_error', statusCode: 402 };

    it('rejects a number failing the Luhn check with incorrect_number', async () => {
      const error = await expectStripeError(stripe.paymentMethods.create(card('4242424242424241')), { ...cardError, code: 'incorrect_number', param: 'card[number]' });
      assert.ok(!error.message.includes('4242424242424241'));
    });

    it('rejects non-digits, too short and too long numbers with invalid_number', async () => {
      for (const number of ['4242abcd42424242', '4242', '42424242424', '4242 4242 4242 4242 4242 4', 'abcdefghijklmnop']) {
        await expectStripeError(stripe.paymentMethods.create(card(number)), { ...cardError, code: 'invalid_number', param: 'card[number]' });
      }
      // A Luhn-valid number of a length its brand never issues (a 15-digit Visa).
      await expectStripeError(stripe.paymentMethods.create(card('424242424242424')), { ...cardError, code: 'invalid_number', param: 'card[number]' });
    });

    it('rejects a bad expiry month or a past expiry year', async () => {
      await expectStripeError(stripe.paymentMethods.create(card('4242424242424242', { exp_month: 13 })), { ...cardError, code: 'invalid_expiry_month', param: 'card[exp_month]' });
      await expectStripeError(stripe.paymentMethods.create(card('4242424242424242', { exp_month: 0 })), { ...cardError, code: 'invalid_expiry_month', param: 'card[exp_month]' });
      await expectStripeError(
        stripe.paymentMethods.create(card('4242424242424242', { exp_year: new Date().getUTCFullYear() - 1 })),
        { ...cardError, code: 'invalid_expiry_year', param: 'card[exp_year]' },
      );
      await expectStripeError(stripe.paymentMethods.create(card('4242424242424242', { exp_year: 2019 })), { ...cardError, code: 'invalid_expiry_year', param: 'card[exp_year]' });
    });

    it('rejects a malformed cvc with invalid_cvc', async () => {
      for (const cvc of ['ab', '12', '12345', '1a3']) {
        await expectStripeError(stripe.paymentMethods.create(card('4242424242424242', { cvc })), { ...cardError, code: 'invalid_cvc', param: 'card[cvc]' });
      }
      const amexCvc = await stripe.paymentMethods.create(card('378282246310005', { cvc: '1234' }));
      assert.equal(amexCvc.card?.brand, 'amex');
    });

    it('rejects missing card fields and unsupported types as invalid requests', async () => {
      await expectStripeError(
        stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_year: nextYear } as Stripe.PaymentMethodCreateParams.Card }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'card[exp_month]', statusCode: 400 },
      );
      await expectStripeError(
        stripe.paymentMethods.create({ type: 'card' }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'card', statusCode: 400 },
      );
      await expectStripeError(
        stripe.paymentMethods.create({ type: 'sofort' } as Stripe.PaymentMethodCreateParams),
        { class: Stripe.errors.StripeInvalidRequestError, param: 'type', statusCode: 400 },
      );
    });

    it('stores nothing for a rejected card', async () => {
      const before = await server.db.query('SELECT count(*)::int AS count FROM payment_methods');
      await assert.rejects(stripe.paymentMethods.create(card('4242424242424241')));
      await assert.rejects(stripe.paymentMethods.create(card('4242424242424242', { cvc: 'x' })));
      const afterCount = await server.db.query('SELECT count(*)::int AS count FROM payment_methods');
      assert.equal(afterCount.rows[0].count, before.rows[0].count);
    });
  });

  describe('the card number is never readable', () => {
    const number = '4000002760000016';

    it('is absent from responses, events, idempotency records and every plain column', async () => {
      const customer = await stripe.customers.create({ name: 'Secret keeper' });
      const pm = await stripe.paymentMethods.create(card(number, { cvc: '987' }), { idempotencyKey: 'pm-secret-number' });
      const replay = await stripe.paymentMethods.create(card(number, { cvc: '987' }), { idempotencyKey: 'pm-secret-number' });
      assert.equal(replay.id, pm.id);
      await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      await stripe.paymentMethods.update(pm.id, { metadata: { note: 'updated' } });
      const intent = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', customer: customer.id, payment_method: pm.id, confirm: true, expand: ['latest_charge'] });
      assert.equal(intent.status, 'succeeded');
      assert.ok(!JSON.stringify(intent).includes(number));
      await stripe.paymentMethods.detach(pm.id);

      for (const text of [JSON.stringify(pm), JSON.stringify(await stripe.paymentMethods.retrieve(pm.id))]) {
        assert.ok(!text.includes(number));
      }

      // Events, as stored and as the API renders them.
      const events = await server.db.query<{ text: string }>('SELECT data::text AS text FROM events WHERE account_id = $1', [server.account.accountId]);
      assert.ok(events.rows.length >= 5);
      for (const row of events.rows) assert.ok(!row.text.includes(number), 'an event contains the card number');
      const listed = await stripe.events.list({ limit: 100 });
      assert.ok(!JSON.stringify(listed).includes(number));

      // Stored idempotent responses and request fingerprints.
      const keys = await server.db.query<{ text: string }>('SELECT row_to_json(k)::text AS text FROM idempotency_keys k');
      for (const row of keys.rows) assert.ok(!row.text.includes(number));

      // The payment_methods row: card jsonb and every other column, and the ciphertext bytes themselves.
      const stored = await server.db.query('SELECT card, card::text AS card_text, row_to_json(p)::text AS row_text, card_number_encrypted, position(convert_to($2, \'UTF8\') IN card_number_encrypted) AS found FROM payment_methods p WHERE id = $1', [pm.id, number]);
      const row = stored.rows[0];
      assert.ok(!row.card_text.includes(number));
      assert.ok(!row.row_text.includes(number));
      assert.equal(row.found, 0);
      assert.ok(!(row.card_number_encrypted as Buffer).includes(Buffer.from(number, 'ascii')));
      assert.ok(!(row.card_number_encrypted as Buffer).toString('hex').includes(Buffer.from(number, 'ascii').toString('hex')));
      assert.equal((row.card_number_encrypted as Buffer).length, 1 + 8 + 12 + number.length + 16, 'version byte, key id, nonce, ciphertext and tag');
      assert.deepEqual(Object.keys(row.card).sort(), ['brand', 'country', 'cvc_provided', 'exp_month', 'exp_year', 'fingerprint', 'funding', 'last4']);
      assert.equal(row.card.last4, '0016');
      assert.equal(server.deps.secretBox.decrypt(row.card_number_encrypted, pm.id), number);
      // The ciphertext is bound to its PaymentMethod id.
      assert.throws(() => server.deps.secretBox.decrypt(row.card_number_encrypted, 'pm_other'));

      // Charges keep card details but never the number or the cvc.
      const charges = await server.db.query<{ text: string }>('SELECT row_to_json(c)::text AS text FROM charges c WHERE payment_method_id = $1', [pm.id]);
      assert.equal(charges.rows.length, 1);
      assert.ok(!charges.rows[0].text.includes(number));

      // Nothing anywhere in the database holds the number in the clear.
      const tables = await server.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
      for (const { table_name: table } of tables.rows) {
        const found = await server.db.query(`SELECT count(*)::int AS count FROM "${table}" t WHERE row_to_json(t)::text LIKE $1`, [`%${number}%`]);
        assert.equal(found.rows[0].count, 0, `table ${table} holds the card number`);
      }
    });
  });

  describe('retrieve and update', () => {
    it('retrieves, and answers 404 for unknown ids and other accounts', async () => {
      const pm = await stripe.paymentMethods.create(card('4242424242424242'));
      assert.deepEqual(await stripe.paymentMethods.retrieve(pm.id), pm);
      await expectStripeError(stripe.paymentMethods.retrieve('pm_missing'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
      const other = await server.createAccount('Other');
      await expectStripeError(other.stripe.paymentMethods.retrieve(pm.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
      await expectStripeError(other.stripe.paymentMethods.update(pm.id, { metadata: { x: 'y' } }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    });

    it('updates billing details, metadata and expiry, recording payment_method.updated', async () => {
      const pm = await stripe.paymentMethods.create({
        type: 'card',
        card: { number: '5555555555554444', exp_month: 4, exp_year: nextYear, cvc: '321' },
        billing_details: { name: 'Old Name', address: { line1: '1 Old Rd', city: 'Oldtown', country: 'US' } },
        metadata: { a: '1', b: '2' },
      });
      const updated = await stripe.paymentMethods.update(pm.id, {
        billing_details: { name: 'New Name', email: 'new@example.com', address: { city: 'Newtown' } },
        metadata: { b: '', c: '3' },
        card: { exp_month: 9, exp_year: nextYear + 2 },
      });
      assert.equal(updated.billing_details.name, 'New Name');
      assert.equal(updated.billing_details.email, 'new@example.com');
      assert.deepEqual(updated.billing_details.address, { line1: '1 Old Rd', line2: null, city: 'Newtown', state: null, postal_code: null, country: 'US' });
      assert.deepEqual(updated.metadata, { a: '1', c: '3' });
      assert.equal(updated.card?.exp_month, 9);
      assert.equal(updated.card?.exp_year, nextYear + 2);
      assert.equal(updated.card?.last4, '4444');
      assert.equal(updated.card?.fingerprint, pm.card?.fingerprint);
      assert.deepEqual(await stripe.paymentMethods.retrieve(pm.id), updated);

      const cleared = await stripe.paymentMethods.update(pm.id, { billing_details: { name: '', address: '' }, metadata: '' });
      assert.equal(cleared.billing_details.name, null);
      assert.equal(cleared.billing_details.address, null);
      assert.equal(cleared.billing_details.email, 'new@example.com');
      assert.deepEqual(cleared.metadata, {});

      const events = await server.db.query("SELECT type, data FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [pm.id]);
      assert.deepEqual(events.rows.map((row) => row.type), ['payment_method.updated', 'payment_method.updated']);
      assert.deepEqual(events.rows[0].data.object, updated);
      assert.equal(events.rows[0].data.previous_attributes.billing_details.name, 'Old Name');
      assert.equal(events.rows[0].data.previous_attributes.card.exp_month, 4);
      assert.ok('metadata' in events.rows[0].data.previous_attributes);
      assert.ok(!('id' in events.rows[0].data.previous_attributes));
      assert.deepEqual(events.rows[1].data.object, cleared);

      // An update that changes nothing records no event.
      await stripe.paymentMethods.update(pm.id, { metadata: { gone: '' }, billing_details: { email: 'new@example.com' } });
      const afterNoop = await server.db.query("SELECT count(*)::int AS count FROM events WHERE data->'object'->>'id' = $1", [pm.id]);
      assert.equal(afterNoop.rows[0].count, 2);

      // The stored ciphertext is untouched by updates.
      const stored = await server.db.query('SELECT card_number_encrypted FROM payment_methods WHERE id = $1', [pm.id]);
      assert.equal(server.deps.secretBox.decrypt(stored.rows[0].card_number_encrypted, pm.id), '5555555555554444');
    });

    it('rejects an invalid expiry on update and leaves the card as it was', async () => {
      const pm = await stripe.paymentMethods.create(card('4242424242424242', { exp_month: 5 }));
      await expectStripeError(stripe.paymentMethods.update(pm.id, { card: { exp_month: 13 } }), { class: Stripe.errors.StripeCardError, code: 'invalid_expiry_month', param: 'card[exp_month]', statusCode: 402 });
      await expectStripeError(stripe.paymentMethods.update(pm.id, { card: { exp_year: 2015 } }), { class: Stripe.errors.StripeCardError, code: 'invalid_expiry_year', param: 'card[exp_year]', statusCode: 402 });
      const unchanged = await stripe.paymentMethods.retrieve(pm.id);
      assert.equal(unchanged.card?.exp_month, 5);
      assert.equal(unchanged.card?.exp_year, nextYear);
      await expectStripeError(
        stripe.paymentMethods.update(pm.id, { card: { number: '5555555555554444' } } as unknown as Stripe.PaymentMethodUpdateParams),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_unknown', param: 'card[number]', statusCode: 400 },
      );
    });
  });

  describe('customers', () => {
    it('attaches to a customer, recording payment_method.attached', async () => {
      const customer = await stripe.customers.create({ name: 'Attach me' });
      const pm = await stripe.paymentMethods.create(card('4242424242424242'));
      const attached = await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      assert.equal(attached.id, pm.id);
      assert.equal(attached.customer, customer.id);
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, customer.id);
      const stored = await server.db.query('SELECT customer_id FROM payment_methods WHERE id = $1', [pm.id]);
      assert.equal(stored.rows[0].customer_id, customer.id);

      const events = await server.db.query("SELECT type, data FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [pm.id]);
      assert.deepEqual(events.rows.map((row) => row.type), ['payment_method.attached']);
      assert.deepEqual(events.rows[0].data.object, attached);

      // Attaching again to the same customer is a no-op that records nothing.
      const again = await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      assert.equal(again.customer, customer.id);
      const after = await server.db.query("SELECT count(*)::int AS count FROM events WHERE data->'object'->>'id' = $1", [pm.id]);
      assert.equal(after.rows[0].count, 1);
    });

    it('attaches a test id like pm_card_visa by creating a new PaymentMethod', async () => {
      const customer = await stripe.customers.create({ name: 'Test card' });
      const attached = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      assert.match(attached.id, /^pm_/);
      assert.notEqual(attached.id, 'pm_card_visa');
      assert.equal(attached.customer, customer.id);
      assert.equal(attached.card?.brand, 'visa');
      assert.equal(attached.card?.last4, '4242');
      const second = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
      assert.notEqual(second.id, attached.id);
      assert.equal(second.card?.brand, 'mastercard');
      const listed = await stripe.customers.listPaymentMethods(customer.id);
      assert.deepEqual(listed.data.map((pm) => pm.id), [second.id, attached.id]);
    });

    it('refuses to attach a PaymentMethod already attached to another customer', async () => {
      const first = await stripe.customers.create({ name: 'First' });
      const second = await stripe.customers.create({ name: 'Second' });
      const pm = await stripe.paymentMethods.create(card('4242424242424242'));
      await stripe.paymentMethods.attach(pm.id, { customer: first.id });
      await expectStripeError(stripe.paymentMethods.attach(pm.id, { customer: second.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_method_unexpected_state', statusCode: 400 });
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, first.id);
    });

    it('refuses to attach to an unknown or deleted customer, or an unknown PaymentMethod', async () => {
      const pm = await stripe.paymentMethods.create(card('4242424242424242'));
      await expectStripeError(stripe.paymentMethods.attach(pm.id, { customer: 'cus_missing' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'customer', statusCode: 404 });
      const gone = await stripe.customers.create({ name: 'Gone' });
      await stripe.customers.del(gone.id);
      await expectStripeError(stripe.paymentMethods.attach(pm.id, { customer: gone.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'customer', statusCode: 404 });
      const live = await stripe.customers.create({ name: 'Live' });
      await expectStripeError(stripe.paymentMethods.attach('pm_missing', { customer: live.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
    });

    it('detaches, recording payment_method.detached; detaching again is an error', async () => {
      const customer = await stripe.customers.create({ name: 'Detach me' });
      const pm = await stripe.paymentMethods.create(card('4242424242424242'));
      await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      const detached = await stripe.paymentMethods.detach(pm.id);
      assert.equal(detached.customer, null);
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
      const events = await server.db.query("SELECT type, data FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [pm.id]);
      assert.deepEqual(events.rows.map((row) => row.type), ['payment_method.attached', 'payment_method.detached']);
      assert.equal(events.rows[1].data.object.customer, null);
      assert.deepEqual(events.rows[1].data.previous_attributes, { customer: customer.id });

      await expectStripeError(stripe.paymentMethods.detach(pm.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_method_unexpected_state', statusCode: 400 });
      const never = await stripe.paymentMethods.create(card('4242424242424242'));
      await expectStripeError(stripe.paymentMethods.detach(never.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_method_unexpected_state', statusCode: 400 });
      await expectStripeError(stripe.paymentMethods.detach('pm_missing'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });

      // A detached PaymentMethod can be attached to another customer.
      const other = await stripe.customers.create({ name: 'Next owner' });
      assert.equal((await stripe.paymentMethods.attach(pm.id, { customer: other.id })).customer, other.id);
    });

    it("lists a customer's PaymentMethods through both endpoints, newest first, with pagination", async () => {
      const customer = await stripe.customers.create({ name: 'Wallet' });
      const stranger = await stripe.customers.create({ name: 'Stranger' });
      const numbers = ['4242424242424242', '5555555555554444', '378282246310005', '6011111111111117', '3566002020360505'];
      const mine: string[] = [];
      for (const number of numbers) {
        const pm = await stripe.paymentMethods.create(card(number));
        await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
        mine.push(pm.id);
      }
      const theirs = await stripe.paymentMethods.create(card('4242424242424242'));
      await stripe.paymentMethods.attach(theirs.id, { customer: stranger.id });
      await stripe.paymentMethods.create(card('4242424242424242'));
      const newestFirst = [...mine].reverse();

      const viaCustomer = await stripe.customers.listPaymentMethods(customer.id);
      assert.equal(viaCustomer.object, 'list');
      assert.deepEqual(viaCustomer.data.map((pm) => pm.id), newestFirst);
      assert.equal(viaCustomer.has_more, false);
      for (const pm of viaCustomer.data) assert.equal(pm.customer, customer.id);
      assert.deepEqual(viaCustomer.data.map((pm) => pm.card?.brand), ['jcb', 'discover', 'amex', 'mastercard', 'visa']);

      const viaPaymentMethods = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
      assert.deepEqual(viaPaymentMethods.data, viaCustomer.data);

      const firstPage = await stripe.paymentMethods.list({ customer: customer.id, type: 'card', limit: 2 });
      assert.deepEqual(firstPage.data.map((pm) => pm.id), newestFirst.slice(0, 2));
      assert.equal(firstPage.has_more, true);
      const secondPage = await stripe.customers.listPaymentMethods(customer.id, { limit: 2, starting_after: firstPage.data[1].id });
      assert.deepEqual(secondPage.data.map((pm) => pm.id), newestFirst.slice(2, 4));
      const back = await stripe.paymentMethods.list({ customer: customer.id, type: 'card', limit: 2, ending_before: secondPage.data[0].id });
      assert.deepEqual(back.data.map((pm) => pm.id), newestFirst.slice(0, 2));
      const all: string[] = [];
      for await (const pm of stripe.customers.listPaymentMethods(customer.id, { limit: 2 })) all.push(pm.id);
      assert.deepEqual(all, newestFirst);

      // Detached ones drop out of the list.
      await stripe.paymentMethods.detach(mine[2]);
      const afterDetach = await stripe.customers.listPaymentMethods(customer.id);
      assert.deepEqual(afterDetach.data.map((pm) => pm.id), newestFirst.filter((id) => id !== mine[2]));

      await expectStripeError(stripe.customers.listPaymentMethods('cus_missing'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'customer', statusCode: 404 });
      await expectStripeError(stripe.paymentMethods.list({ customer: 'cus_missing', type: 'card' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'customer', statusCode: 404 });
      await expectStripeError(
        stripe.paymentMethods.list({ customer: customer.id, type: 'sofort' }),
        { class: Stripe.errors.StripeInvalidRequestError, param: 'type', statusCode: 400 },
      );
    });

    it("deleting a customer detaches its PaymentMethods", async () => {
      const customer = await stripe.customers.create({ name: 'Leaving' });
      const pm = await stripe.paymentMethods.attach('pm_card_amex', { customer: customer.id });
      await stripe.customers.del(customer.id);
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
    });
  });

  describe('in payments', () => {
    it("the charge's payment_method_details.card matches the PaymentMethod", async () => {
      const pm = await stripe.paymentMethods.create(card('3566002020360505', { exp_month: 6 }));
      const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: pm.id, confirm: true, expand: ['latest_charge'] });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.payment_method, pm.id);
      const charge = intent.latest_charge as Stripe.Charge;
      assert.equal(charge.payment_method, pm.id);
      const details = charge.payment_method_details!;
      assert.equal(details.type, 'card');
      assert.equal(details.card?.brand, 'jcb');
      assert.equal(details.card?.last4, '0505');
      assert.equal(details.card?.exp_month, 6);
      assert.equal(details.card?.exp_year, nextYear);
      assert.equal(details.card?.fingerprint, pm.card?.fingerprint);
      assert.equal(details.card?.funding, 'credit');
      assert.equal(details.card?.country, 'JP');
      assert.equal(details.card?.network, 'jcb');
      assert.equal(details.card?.checks?.cvc_check, 'pass');
      // Using a PaymentMethod without setup_future_usage does not attach it to anyone.
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
    });

    it('setup_future_usage with a customer attaches the PaymentMethod after success', async () => {
      const customer = await stripe.customers.create({ name: 'Saver' });
      const pm = await stripe.paymentMethods.create(card('4242424242424242'));
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, setup_future_usage: 'off_session', confirm: true });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.setup_future_usage, 'off_session');
      const saved = await stripe.paymentMethods.retrieve(pm.id);
      assert.equal(saved.customer, customer.id);
      const listed = await stripe.customers.listPaymentMethods(customer.id);
      assert.deepEqual(listed.data.map((p) => p.id), [pm.id]);
      const events = await server.db.query("SELECT type FROM events WHERE data->'object'->>'id' = $1", [pm.id]);
      assert.deepEqual(events.rows.map((row) => row.type), ['payment_method.attached']);

      // Off-session reuse with the saved card and the customer works.
      const reuse = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
      assert.equal(reuse.status, 'succeeded');
    });

    it('setup_future_usage does not attach a PaymentMethod whose payment was declined', async () => {
      const customer = await stripe.customers.create({ name: 'Declined saver' });
      const pm = await stripe.paymentMethods.create(card('4000000000000002'));
      await expectStripeError(
        stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, setup_future_usage: 'on_session', confirm: true }),
        { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 },
      );
      assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
      assert.deepEqual((await stripe.customers.listPaymentMethods(customer.id)).data, []);
    });

    it("a PaymentMethod attached to a customer can only pay for that customer's intents", async () => {
      const owner = await stripe.customers.create({ name: 'Owner' });
      const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: owner.id });
      await expectStripeError(
        stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: pm.id, confirm: true }),
        { class: Stripe.errors.StripeInvalidRequestError, param: 'payment_method', statusCode: 400 },
      );
      const ok = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: owner.id, payment_method: pm.id, confirm: true });
      assert.equal(ok.status, 'succeeded');
    });
  });
});
