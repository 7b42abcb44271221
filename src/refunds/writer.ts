import { eventsBatchInsertStatement } from '../events/repository.ts';
import { movementParts } from '../ledger/service.ts';
import type { Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { combine, run, taggedRowsOf, type Statement } from '../platform/statements.ts';
import type { RefundChange, RefundChangeResult } from './refund-change.ts';
import { chargeAmountRefundedStatement, refundInsertStatement, refundUpdateStatement, type RefundRow } from './repository.ts';

// The one writer of refund change values: turns one or several RefundChange values into a single statement, as
// payments/writer.ts does for payments. One statement is atomic on its own, so a batch commits all of its changes
// or none; each change stays gated by its own refund write (the insert, or the compare-and-set on the refund's
// status), so one change that no longer matches does not stop the others.

type Part = { name: string; statement: Statement };

/** The part that gates a change's writes: its refund's insert or compare-and-set. */
function refundPart(change: RefundChange, prefix: string): Part {
  const statement = 'insert' in change.refund
    ? refundInsertStatement(change.refund.insert)
    : refundUpdateStatement(change.refund.update.current, change.refund.update.changes, change.refund.update.expectStatus);
  return { name: `${prefix}refund`, statement };
}

/** The gate of a change: its refund part (the insert, or the compare-and-set on the refund's status). */
const gateOf = (prefix: string) => `${prefix}refund`;

/**
 * One change's refund and ledger writes as `combine` parts, every name prefixed with `prefix` so several changes fit
 * in one statement. Charges are written per charge (chargeParts), since changes of one charge add up, and events
 * in one insert for the batch (eventsPart), so their order is the batch's.
 */
export function refundChangeParts(change: RefundChange, prefix: string): Part[] {
  return [refundPart(change, prefix), ...movementParts(`${prefix}ledger`, change.movement, { onlyIfRowsIn: gateOf(prefix) })];
}

/** The events of every change, in the batch's order, each change's only when its gate matched. */
function eventsPart(changes: readonly RefundChange[], prefixOf: (index: number) => string): Part[] {
  const groups = changes.flatMap((change, index) => change.events.length > 0 ? [{ scope: change.scope, request: change.request, events: change.events, onlyIfRowsIn: gateOf(prefixOf(index)) }] : []);
  return groups.length > 0 ? [{ name: 'new_events', statement: eventsBatchInsertStatement(groups) }] : [];
}

/** One update per charge the changes touch, adding the amounts of those whose gate matched; by change, its part's name. */
function chargeParts(changes: readonly RefundChange[], prefixOf: (index: number) => string): { parts: Part[]; partOf: Map<number, string> } {
  const byCharge = new Map<string, { current: NonNullable<RefundChange['charge']>['current']; entries: { amount: number; onlyIfRowsIn: string }[]; indexes: number[] }>();
  changes.forEach((change, index) => {
    if (!change.charge) return;
    const group = byCharge.get(change.charge.current.id) ?? { current: change.charge.current, entries: [], indexes: [] };
    group.entries.push({ amount: change.charge.amountRefundedChange, onlyIfRowsIn: gateOf(prefixOf(index)) });
    group.indexes.push(index);
    byCharge.set(change.charge.current.id, group);
  });
  const parts: Part[] = [];
  const partOf = new Map<number, string>();
  [...byCharge.values()].forEach((group, position) => {
    const name = byCharge.size === 1 ? 'charge_update' : `charge${position}_update`;
    parts.push({ name, statement: chargeAmountRefundedStatement(group.current, group.entries) });
    for (const index of group.indexes) partOf.set(index, name);
  });
  return { parts, partOf };
}

/**
 * Writes refund change values as one statement, in the caller's connection (or transaction), and answers for each
 * change, in order, whether its gate matched and the refund as written. Changes of one charge are added up into one
 * update of it; a batch must not change one refund twice.
 *
 * A charge's `amount_refunded` that would leave 0..amount_captured is a broken invariant (the builders and the
 * PaymentIntent's lock prevent it): the writer then throws, so run it in a transaction for that to undo the rest.
 */
export async function writeRefundChanges(db: Queryable, changes: readonly RefundChange[]): Promise<RefundChangeResult[]> {
  if (changes.length === 0) return [];
  assertDistinctRefunds(changes);
  // A single change keeps plain part names; in a batch each change's parts are prefixed by its position.
  const prefixOf = (index: number) => changes.length === 1 ? '' : `c${index}_`;
  const charges = chargeParts(changes, prefixOf);
  const parts = [...changes.flatMap((change, index) => refundChangeParts(change, prefixOf(index))), ...charges.parts, ...eventsPart(changes, prefixOf)];
  // PostgreSQL runs every data-modifying WITH part to completion whether or not the final query reads it.
  const final = taggedRowsOf(changes.map((_, index) => ({
    tag: index, name: gateOf(prefixOf(index)), flags: { charge_written: charges.partOf.get(index) ?? true },
  })), 'change_index');
  const rows = await run<RefundRow & { change_index: number; charge_written: boolean }>(db, combine(parts, final));
  const written = new Map<number, RefundRow>();
  for (const { change_index: index, charge_written: chargeWritten, ...refund } of rows) {
    assert(chargeWritten, `refund ${refund.id} keeps its charge's amount_refunded within what was captured`);
    written.set(Number(index), refund as RefundRow);
  }
  return changes.map((_, index) => {
    const refund = written.get(index);
    return refund ? { applied: true, refund } : { applied: false };
  });
}

function refundIdOf(change: RefundChange): string {
  return 'insert' in change.refund ? change.refund.insert.id : change.refund.update.current.id;
}

function assertDistinctRefunds(changes: readonly RefundChange[]): void {
  const seen = new Set<string>();
  for (const change of changes) {
    const id = refundIdOf(change);
    assert(!seen.has(id), `a batch of refund changes changes refund ${id} once`);
    seen.add(id);
  }
}
