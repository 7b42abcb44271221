import type { SimpleOutput } from '../connector.ts';

/** A provider call classified as every REST connector classifies it (see each vendor's client.ts). */
export type ClassifiedOutcome =
  | { kind: 'ok'; body: unknown }
  | { kind: 'ambiguous' }
  | { kind: 'not_sent' }
  | { kind: 'rejected'; status: number };

/**
 * What a capture, void or refund call came to: `ok` as the provider's answer says (`fromBody`), an ambiguous answer
 * `pending` (resolved later, never by calling again), and the two refusals with the reasons given.
 */
export function operationOutput(outcome: ClassifiedOutcome, fromBody: (body: unknown) => SimpleOutput, reasons: { notSent: string; rejected: (status: number) => string }): SimpleOutput {
  switch (outcome.kind) {
    case 'ok':
      return fromBody(outcome.body);
    case 'ambiguous':
      return { status: 'pending' };
    case 'not_sent':
      return { status: 'failed', reason: reasons.notSent };
    case 'rejected':
      return { status: 'failed', reason: reasons.rejected(outcome.status) };
  }
}
