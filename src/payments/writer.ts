import { attemptUpdateStatement } from '../orchestration/attempts-repository.ts';
import { eventsInsertStatement } from '../events/repository.ts';
import { movementParts } from '../ledger/service.ts';
import type { Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { combine, run, taggedRowsOf, type PartOptions, type Statement } from '../platform/statements.ts';
import type { FinalAnswer } from '../platform/unit-of-work.ts';
import { paymentMethodAttachStatement, paymentMethodWalletStatement } from '../payment-methods/repository.ts';
import { providerReferenceUpsertStatement } from '../payment-methods/provider-references-repository.ts';
import { mandateDeactivateStatement } from '../mandates/repository.ts';
import { securityCodeWipeStatement } from '../payment-methods/security-codes-repository.ts';
import type { ChangeResult, PaymentChange } from './change.ts';
import { challengeInsertStatement, challengesAbandonStatement } from './challenges-repository.ts';
import { counterChangeStatement } from './sca/counters-repository.ts';
import { applicationFeeInsertStatement } from '../application-fees/repository.ts';
import { transferInsertStatement } from '../transfers/repository.ts';
import { chargeUpdateStatement, intentUpdateStatement, type PaymentIntentRow } from './repository.ts';

// The one writer of payment change values: turns one or several PaymentChange values into a single statement.
// One statement is atomic on its own (one round trip, no BEGIN/COMMIT), so a batch commits all of its changes or
// none; each change stays gated by its own compare-and-set, so one change that no longer matches does not stop the
// others.

type Part = { name: string; statement: Statement };

/** One change's writes as `combine` parts, every name prefixed with `prefix` so several changes fit in one statement. */
export function changeParts(change: PaymentChange, prefix: string, intentGate: PartOptions = {}): Part[] {
  const parts: Part[] = [];
  // The gate: the intent's compare-and-set part; every other write of the change happens only when it returned a row.
  const gate = change.intent ? `${prefix}intent` : undefined;
  // Gated by key: each row carries the intent's id, so the change keeps its own gate when merged with others.
  const gated = gate && change.intent ? { onlyIfRowsIn: gate, gateKey: change.intent.current.id } : {};
  if (change.intent) {
    parts.push({ name: `${prefix}intent`, statement: intentUpdateStatement(change.intent.current, change.intent.changes, change.intent.expect, intentGate) });
  }
  if (change.charge) {
    parts.push({ name: `${prefix}charge_update`, statement: chargeUpdateStatement(change.charge.current, change.charge.changes, change.charge.expect, gated) });
  }
  if (change.attempt) {
    parts.push({ name: `${prefix}attempt_update`, statement: attemptUpdateStatement(change.attempt.id, change.attempt.changes, change.attempt.from, gated) });
  }
  parts.push(...movementParts(`${prefix}ledger`, change.movement, gated));
  // The side writes below all insert or change rows only under the gate; without one they are not meant to exist.
  assert(gate || (!change.challenge && !change.abandonChallenges && !change.paymentMethod && !change.providerReference && !change.connect && !change.scaCounters && !change.mandate && !change.securityCodeWipe && change.events.length === 0), 'an ungated change writes only its attempt, charge and ledger');
  if (change.abandonChallenges && change.intent && gate) parts.push({ name: `${prefix}abandoned`, statement: challengesAbandonStatement(change.intent.current.id, gate) });
  if (change.challenge && gate) parts.push({ name: `${prefix}challenge`, statement: challengeInsertStatement(change.scope, change.challenge, gate) });
  const method = change.paymentMethod;
  if (method && gate) {
    // One statement changes a row once, so when the attach changes the same row it writes the payer too.
    if (method.attach) {
      parts.push({ name: `${prefix}attached`, statement: paymentMethodAttachStatement(change.scope, method.id, method.attach.customerId, method.wallet, gate) });
    } else if (method.wallet) {
      parts.push({ name: `${prefix}wallet`, statement: paymentMethodWalletStatement(change.scope, method.id, method.wallet, gate) });
    }
  }
  if (change.providerReference && gate) parts.push({ name: `${prefix}provider_reference`, statement: providerReferenceUpsertStatement(change.scope, change.providerReference, gate) });
  if (change.securityCodeWipe && gate) parts.push({ name: `${prefix}security_code_wipe`, statement: securityCodeWipeStatement(change.scope, change.securityCodeWipe.paymentMethodId, gated) });
  if (change.scaCounters && gate) parts.push({ name: `${prefix}sca_counters`, statement: counterChangeStatement(change.scope, change.scaCounters.change, change.scaCounters.now, gate) });
  if (change.events.length > 0 && gate) parts.push({ name: `${prefix}new_events`, statement: eventsInsertStatement(change.scope, change.request, change.events, gated) });
  // A Connect charge's rows (only for intents with Connect parameters: an ordinary payment has no such part).
  if (change.connect && gate) {
    if (change.connect.transfer) parts.push({ name: `${prefix}connect_transfer`, statement: transferInsertStatement(change.connect.transfer, gated) });
    if (change.connect.applicationFee) parts.push({ name: `${prefix}connect_fee`, statement: applicationFeeInsertStatement(change.connect.applicationFee, gated) });
    const platform = change.connect.platformEvents;
    if (platform.events.length > 0) parts.push({ name: `${prefix}connect_events`, statement: eventsInsertStatement(platform.scope, change.request, platform.events, gated) });
  }
  if (change.mandate && gate) {
    parts.push({ name: `${prefix}mandate_inactive`, statement: mandateDeactivateStatement(change.scope, change.mandate.id, gate) });
    parts.push({ name: `${prefix}mandate_events`, statement: eventsInsertStatement(change.scope, change.request, change.mandate.events, { onlyIfRowsIn: `${prefix}mandate_inactive` }) });
  }
  if (method?.attach && method.attach.events.length > 0) {
    parts.push({ name: `${prefix}attach_events`, statement: eventsInsertStatement(change.scope, change.request, method.attach.events, { onlyIfRowsIn: `${prefix}attached` }) });
  }
  return parts;
}

/**
 * Writes change values as one statement, in the caller's connection (or transaction), and answers for each change,
 * in order, whether its gate matched and the intent as written. A batch must not change one row twice (PostgreSQL
 * applies only one update per row per statement), so its changes must be about distinct intents, charges and attempts.
 * With `answer` (one change with an intent, a request's final step), the statement also stores the request's
 * answer: the intent's compare-and-set writes only while the request holds its idempotency key, and the answer is
 * stored only when that compare-and-set matched (`FinalAnswer`).
 */
export async function writeChanges(db: Queryable, changes: readonly PaymentChange[], answer?: FinalAnswer): Promise<ChangeResult[]> {
  if (changes.length === 0) return [];
  assertDistinctRows(changes);
  assert(!answer || (changes.length === 1 && changes[0].intent), 'an answer is written with one change that has a compare-and-set');
  // A single change keeps plain part names; in a batch each change's parts are prefixed by its position.
  const prefixOf = (index: number) => changes.length === 1 ? '' : `c${index}_`;
  const parts = answer
    ? [answer.held, ...changeParts(changes[0], '', answer.heldGate), answer.store({ onlyIfRowsIn: 'intent', gateKey: changes[0].intent!.current.id })]
    : changes.flatMap((change, index) => changeParts(change, prefixOf(index)));
  const gated = changes.flatMap((change, index) => change.intent ? [index] : []);
  if (parts.length === 0) return changes.map(() => ({ applied: false }));
  // PostgreSQL runs every data-modifying WITH part to completion whether or not the final query reads it.
  const final = taggedRowsOf(gated.map((index) => ({ tag: index, name: `${prefixOf(index)}intent` })), 'change_index');
  const statement = combine(parts, final);
  const mergeKey = changes.length === 1 ? mergeKeyOf(changes[0]) : undefined;
  if (mergeKey !== undefined) statement.merge = { key: mergeKey };
  const rows = await run<PaymentIntentRow & { change_index: number }>(db, statement);
  const written = new Map<number, PaymentIntentRow>();
  for (const { change_index: index, ...intent } of rows) written.set(Number(index), intent as PaymentIntentRow);
  return changes.map((_, index) => {
    const intent = written.get(index);
    return intent ? { applied: true, intent } : { applied: false };
  });
}

/**
 * The key under which the group commit may merge this change's statement with others of the same text: the intent's
 * id, when every part is written from JSON rows gated by that key (the side writes below are not yet).
 */
function mergeKeyOf(change: PaymentChange): string | undefined {
  if (!change.intent || change.challenge || change.abandonChallenges || change.paymentMethod || change.providerReference || change.connect || change.scaCounters || change.mandate) return undefined;
  return change.intent.current.id;
}

function assertDistinctRows(changes: readonly PaymentChange[]): void {
  if (changes.length < 2) return;
  const seen = new Set<string>();
  const once = (key: string) => {
    assert(!seen.has(key), `a batch of changes changes ${key} once`);
    seen.add(key);
  };
  for (const change of changes) {
    if (change.intent) once(`intent ${change.intent.current.id}`);
    if (change.charge) once(`charge ${change.charge.current.id}`);
    if (change.attempt) once(`attempt ${change.attempt.id}`);
    if (change.paymentMethod) once(`payment method ${change.paymentMethod.id}`);
    if (change.providerReference) once(`provider reference ${change.providerReference.payment_method_id} ${change.providerReference.connector_configuration_id ?? ''}`);
  }
}
