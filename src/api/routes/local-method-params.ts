import { ApiError } from '../../platform/errors.ts';
import { localMethodTypeNames, methodTypeOf, type HashField, type LocalMethodTypeName } from '../../payment-methods/method-types.ts';
import { enumeration, integer, object, required, string, type Schema } from '../schema.ts';

/**
 * The API parameters of the local payment method types, generated from the table (payment-methods/method-types.ts):
 * each type's hash on POST /v1/payment_methods and in `payment_method_data` (`ideal[bank]`, `klarna[dob]`), and the
 * per-type `payment_method_options` Payrail acts on. A new type with hash fields needs nothing here.
 */

function fieldSchema(field: HashField): Schema<unknown> {
  switch (field.kind) {
    case 'enum':
      return field.required ? required(enumeration(field.values)) : enumeration(field.values);
    case 'date_of_birth': {
      const dob = object({ day: required(integer({ minimum: 1, maximum: 31 })), month: required(integer({ minimum: 1, maximum: 12 })), year: required(integer({ minimum: 1900, maximum: 9999 })) });
      return field.required ? required(dob) : dob;
    }
    case 'br_tax_id':
      return field.required ? required(string({ maxLength: 18, description: 'CPF (11 digits) or CNPJ (14 digits), punctuation allowed.' })) : string({ maxLength: 18 });
    case 'vpa':
      return field.required ? required(string({ maxLength: 255, description: 'UPI virtual payment address, handle@psp.' })) : string({ maxLength: 255 });
    case 'iban': {
      // Never echoed: the API's own errors for this field name it, not its value (payment-methods/iban.ts).
      const iban = string({ maxLength: 42, description: 'The bank account number (IBAN); stored encrypted, shown only as last4, country, bank and branch codes.' });
      return field.required ? required(iban) : iban;
    }
  }
}

/** `{ ideal: object({ bank }), bancontact: object({}), ... }`: every local type's hash parameter. */
export const localMethodHashParams = Object.fromEntries(localMethodTypeNames.map((type) => {
  const method = methodTypeOf(type);
  const fields = Object.fromEntries(Object.entries(method?.hashFields ?? {}).map(([name, field]) => [name, fieldSchema(field)]));
  return [type, object(fields, { description: `type ${type}: the PaymentMethod's ${type} hash (docs/payment-methods.md).` })];
})) as unknown as Record<LocalMethodTypeName, Schema<Record<string, unknown> | undefined>>;

/**
 * The hash of the PaymentMethod's own type, refusing one given for another type (Stripe takes only the hash named like
 * `type`). `prefix` names the parameters (`payment_method_data`).
 */
export function hashOfType(params: Record<string, unknown>, type: string, prefix: string): Record<string, unknown> | undefined {
  for (const other of localMethodTypeNames) {
    if (other !== type && params[other] !== undefined) {
      const param = prefix === '' ? other : `${prefix}[${other}]`;
      throw new ApiError('payment_method_invalid_parameter', `${param} cannot be given for a PaymentMethod of type ${type}.`, { param });
    }
  }
  return params[type] as Record<string, unknown> | undefined;
}

/** The local types' `payment_method_options` Payrail acts on: BLIK's code, Klarna's capture method and locale. */
export const localMethodOptionParams = {
  blik: object({ code: string({ maxLength: 20, description: "The 6-digit code from the customer's banking app (confirmation only; never returned)." }), setup_future_usage: enumeration(['none']) }),
  boleto: object({ expires_after_days: integer({ minimum: 0, maximum: 60, description: 'Calendar days until the voucher expires (23:59 America/Sao_Paulo); default 3.' }), setup_future_usage: enumeration(['none']) }),
  pix: object({ expires_after_seconds: integer({ minimum: 10, maximum: 1_209_600, description: 'Seconds until the Pix QR code expires; default 86400.' }), setup_future_usage: enumeration(['none']) }),
  klarna: object({ capture_method: enumeration(['manual']), preferred_locale: string({ maxLength: 10 }), setup_future_usage: enumeration(['none']) }),
  // Payrail's extension: Stripe's UPI has no such option. `intent` asks a connector that can (Razorpay) for a link the
  // payer's UPI app opens rather than a collect request to the VPA.
  // Stripe's newer `target_date` (the stripe package's types; not in the 2024-04-10 document): when the debit is made.
  sepa_debit: object({ target_date: string({ maxLength: 10, description: 'The day (YYYY-MM-DD) to debit the customer\'s account: 3 to 15 calendar days from today (UTC), a TARGET2 business day.' }) }),
  upi: object({ flow: enumeration(['collect', 'intent'], { description: 'UPI collect (a request to the VPA; the default) or intent (a upi:// link and QR code for the payer\'s UPI app: Razorpay and the test processor).' }), setup_future_usage: enumeration(['none']) }),
};
