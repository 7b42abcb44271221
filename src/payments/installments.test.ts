import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../platform/errors.ts';
import { checkInstallmentPlan, checkInstallmentsEnabled, installmentPlanOf, mergePaymentMethodOptions, refuseCodeOutsideConfirmation, renderPaymentMethodOptions } from './payment-method-options.ts';

const plan = { count: 3, interval: 'month', type: 'fixed_count' } as const;
const paramOf = (call: () => void): string | undefined => {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error.param;
  }
  assert.fail('expected an ApiError');
};

describe('card installments options', () => {
  it('a plan given at confirmation keeps enabled (merged a level deeper), and renders as Stripe does', () => {
    const enabled = mergePaymentMethodOptions({}, { card: { installments: { enabled: true } } });
    const confirmed = mergePaymentMethodOptions(enabled, { card: { installments: { plan } } });
    assert.deepEqual(confirmed.card?.installments, { enabled: true, plan });
    assert.deepEqual(renderPaymentMethodOptions({ payment_method_options: confirmed, payment_method_types: ['card'] }).card, {
      mandate_options: null, network: null, request_three_d_secure: 'automatic', installments: { enabled: true, available_plans: null, plan },
    });
    assert.equal((renderPaymentMethodOptions({ payment_method_options: {}, payment_method_types: ['card'] }).card as { installments: unknown }).installments, null);
    assert.deepEqual(installmentPlanOf({ payment_method_options: confirmed }, 'card'), plan);
    assert.equal(installmentPlanOf({ payment_method_options: confirmed }, 'pix'), null);
  });

  it('refuses a currency without installments, a plan outside confirmation or without enabled, counts out of 2..12', () => {
    const enabled = mergePaymentMethodOptions({}, { card: { installments: { enabled: true } } });
    assert.equal(paramOf(() => checkInstallmentsEnabled(enabled, 'usd')), 'payment_method_options[card][installments][enabled]');
    checkInstallmentsEnabled(enabled, 'brl');
    assert.equal(paramOf(() => refuseCodeOutsideConfirmation({ card: { installments: { plan } } })), 'payment_method_options[card][installments][plan]');
    assert.equal(paramOf(() => checkInstallmentPlan({ currency: 'brl', payment_method_options: { card: { installments: { plan } } } }, 'card')), 'payment_method_options[card][installments][plan]');
    for (const count of [1, 13]) {
      assert.equal(paramOf(() => checkInstallmentPlan({ currency: 'mxn', payment_method_options: { card: { installments: { enabled: true, plan: { ...plan, count } } } } }, 'card')), 'payment_method_options[card][installments][plan][count]');
    }
    checkInstallmentPlan({ currency: 'mxn', payment_method_options: { card: { installments: { enabled: true, plan: { ...plan, count: 12 } } } } }, 'card');
  });
});
