import { ApiError, missing } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { mergeEvidence, testModeDecision } from './evidence.ts';
import { isInquiry } from './render.ts';
import { openStatuses, writeDisputeChange } from './outcome.ts';
import { findDispute, type DisputeRow } from './repository.ts';
import { disputeView, type DisputeDependencies, type DisputeView } from './service.ts';

export interface DisputeUpdateInput {
  evidence?: Record<string, string | null | undefined>;
  metadata?: MetadataUpdate;
  /** Stripe's default is true: given evidence goes to the bank at once; false only stages it. */
  submit?: boolean;
}

/** Stripe's answer to a change of a dispute that has ended. */
export function disputeClosed(dispute: DisputeRow): ApiError {
  return new ApiError('dispute_closed', `This dispute (${dispute.id}) is already closed (${dispute.status}): its evidence can no longer be changed or submitted.`, { param: 'dispute' });
}

/**
 * Updates a dispute's evidence and metadata (Stripe's POST /v1/disputes/:id). Unless `submit` is false, the evidence
 * goes to the bank: the dispute is under review, and in test mode Stripe's evidence values decide it at once
 * (evidence.ts). Under the dispute's row lock, so an update and a close of one dispute never both apply.
 */
export async function updateDisputeEvidence(work: UnitOfWork, deps: DisputeDependencies, scope: Scope, id: string, input: DisputeUpdateInput): Promise<DisputeView> {
  return work.finalTransaction(async (client) => {
    let dispute = await findDispute(client, scope, id, { forUpdate: true });
    if (!dispute) throw missing('dispute', id);
    const evidenceGiven = input.evidence !== undefined || input.submit !== undefined;
    const metadata = input.metadata !== undefined ? mergeMetadata(dispute.metadata, input.metadata) : undefined;
    if (evidenceGiven && !openStatuses.includes(dispute.status)) throw disputeClosed(dispute);
    const evidence = input.evidence !== undefined ? await mergeEvidence(client, scope, dispute.evidence, input.evidence) : undefined;
    // Evidence already with the bank cannot be changed or sent again (Stripe: one submission).
    const waiting = dispute.status === 'needs_response' || dispute.status === 'warning_needs_response';
    if (evidence !== undefined && !waiting) {
      throw new ApiError('dispute_closed', `The evidence of this dispute (${dispute.id}) has been submitted and is under review: it can no longer be changed.`, { param: 'evidence' });
    }
    const submit = evidenceGiven && waiting && input.submit !== false;
    const changed = await writeDisputeChange(deps, client, work, scope, dispute, {
      ...(evidence !== undefined ? { evidence } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      ...(submit ? { status: isInquiry(dispute) ? 'warning_under_review' : 'under_review', submission_count: dispute.submission_count + 1 } : {}),
    }, undefined);
    if (!changed) throw disputeClosed(dispute);
    dispute = changed;
    const decision = submit ? testModeDecision(scope.livemode, dispute.evidence) : undefined;
    if (decision) dispute = (await writeDisputeChange(deps, client, work, scope, dispute, {}, decision)) ?? dispute;
    return disputeView(client, scope, dispute, deps.clock.nowSeconds());
  });
}
