import type { SimpleOutput } from '../connector.ts';
import type { RestOutcome } from './rest-client.ts';

// Flows whose REST shape Mollie and Mercado Pago share: what a cancellation's answer means, and a refund created under
// its idempotency key then, when asked again (`syncRefund`), read back for its current status.

/** A cancellation's (void's) outcome: `rejected` names the provider and its HTTP status (`mollie_422`). */
export function voidOutputOf(outcome: RestOutcome, processorReference: string, provider: string): SimpleOutput {
  switch (outcome.kind) {
    case 'ok':
      return { status: 'succeeded', processorReference };
    case 'ambiguous':
      return { status: 'pending' };
    case 'not_sent':
      return { status: 'failed', reason: 'provider_unreachable' };
    case 'rejected':
      return { status: 'failed', reason: `${provider}_${outcome.status}` };
  }
}

export interface RefundCalls<Refund> {
  /** POSTs the refund under its idempotency key (a replay answers the first refund). */
  create: () => Promise<RestOutcome>;
  /** GETs one refund by the provider's id. */
  read: (refundId: string) => Promise<RestOutcome>;
  idOf: (refund: Refund) => string | null;
  outputOf: (refund: Refund) => SimpleOutput;
}

/**
 * Creates a refund, or (`sync`) replays its creation to learn the provider's refund id and reads the refund: the
 * replayed answer is the refund as it was first answered, its current status a GET away.
 */
export async function refundThroughRest<Refund>(calls: RefundCalls<Refund>, sync: boolean): Promise<SimpleOutput> {
  const outcome = await calls.create();
  switch (outcome.kind) {
    case 'ok': {
      const refund = outcome.body as Refund;
      const id = calls.idOf(refund);
      if (!sync || id === null) return calls.outputOf(refund);
      const current = await calls.read(id);
      return current.kind === 'ok' ? calls.outputOf(current.body as Refund) : { status: 'pending', processorReference: id };
    }
    case 'ambiguous':
      return { status: 'pending' };
    case 'not_sent':
      return { status: 'failed', reason: 'unknown' };
    case 'rejected':
      return { status: 'failed', reason: 'declined' };
  }
}
