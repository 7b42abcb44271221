import { methodTypes, type MethodType } from './method-types.ts';

/**
 * The generated part of docs/payment-methods.md: one row per payment method type of the table (method-types.ts).
 * Written by `node --import tsx scripts/generate-payment-methods-doc.ts`; method-types.test.ts fails when the doc
 * differs from what this renders.
 */

export const generatedStart = '<!-- generated from src/payment-methods/method-types.ts: node --import tsx scripts/generate-payment-methods-doc.ts -->';
export const generatedEnd = '<!-- end of generated table -->';

const refundWords: Record<MethodType['refunds'], string> = { full_and_partial: 'yes (full and partial)', full_only: 'full only', none: 'no' };
const nextActionWords: Record<MethodType['nextAction'], string> = {
  redirect_to_url: '`redirect_to_url`',
  async_approval: 'none: `processing`, approved in the banking app',
  display_details: 'details to display',
  none: 'none',
};

function list(values: readonly string[], any: string): string {
  return values.length === 0 ? any : values.join(', ');
}

function billing(method: MethodType): string {
  return method.requiredBillingDetails.length === 0 ? '' : method.requiredBillingDetails.map((path) => `\`billing_details[${path.replace('.', '][')}]\``).join(', ');
}

function hash(method: MethodType): string {
  const fields = Object.keys(method.hashFields);
  return fields.length === 0 ? '' : fields.map((field) => `\`${method.type}[${field}]\``).join(', ');
}

/** The table, between its markers, as the doc holds it. */
export function renderMethodTable(): string {
  const rows = (methodTypes as readonly MethodType[]).map((method) => [
    `\`${method.type}\` (${method.label})`,
    list(method.countries, 'any'),
    list(method.currencies, 'any'),
    method.connectors.join(', '),
    refundWords[method.refunds],
    method.settlementDelayDays === null ? "account's payout delay" : `${method.settlementDelayDays} days`,
    nextActionWords[method.nextAction],
    method.manualCapture ? 'yes' : 'no',
    [billing(method), hash(method)].filter((part) => part !== '').join('; '),
  ].join(' | '));
  return [
    generatedStart,
    '',
    '| type | countries | currencies | connectors | refunds | funds available after | next action | manual capture | PaymentMethod fields (required billing; type hash) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    '',
    generatedEnd,
  ].join('\n');
}

/** The doc with its generated table replaced by the current one. */
export function withCurrentTable(doc: string): string {
  const start = doc.indexOf(generatedStart);
  const end = doc.indexOf(generatedEnd);
  if (start < 0 || end < start) throw new Error('docs/payment-methods.md lacks the generated table markers');
  return doc.slice(0, start) + renderMethodTable() + doc.slice(end + generatedEnd.length);
}
