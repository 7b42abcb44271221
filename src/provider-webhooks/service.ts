import type { AuthorizeOutput, ProviderNotification } from '../connectors/connector.ts';
import type { ConnectorConfigurationRow } from '../connectors/configurations/repository.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Queryable } from '../platform/db.ts';
import { findAttempt, findAttemptByReference, type AttemptRow } from '../orchestration/attempts-repository.ts';
import { completeRedirect, type AuthenticationDependencies } from '../payments/authentication.ts';
import { applyProviderCapture, type PaymentCaptureDependencies } from '../payments/capture.ts';
import { applyProviderOutcome, type ProviderOutcomeDependencies } from '../payments/provider-outcome.ts';
import { applyRefundOutcome, type RefundDependencies } from '../refunds/service.ts';
import type { RefundRow } from '../refunds/repository.ts';
import { findPaymentIntent } from '../payments/repository.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { findConfigurationForWebhook, findIntentCaptureMethod, findRefundOfConfiguration, findUnreferencedPendingRefunds, isNotificationApplied, recordAppliedNotification } from './repository.ts';

/**
 * Incoming provider webhooks, after the connector verified them: each notification moves the payment, capture or
 * refund it names forward, once.
 * - Duplicates: a notification whose provider key was already applied is acknowledged and skipped; and every change
 *   it could make is a compare-and-set (an attempt's answer applies once, a refund settles once), so two copies
 *   arriving together still change things once.
 * - Out of order: a notification is applied only while the object is still in a state it can move from (a late
 *   AUTHORISATION after the janitor already applied the payment's outcome changes nothing; a CAPTURE that arrives
 *   before the AUTHORISATION of an automatic-capture payment proves the authorization).
 */

export type NotificationResult = 'applied' | 'duplicate' | 'unchanged' | 'unmatched';

/**
 * What applying providers' notifications uses: the database, and what applying an authorization, a redirect's
 * completion, a capture and a refund outcome need.
 */
export type ProviderWebhookDependencies = Pick<Dependencies, 'db'> & ProviderOutcomeDependencies & AuthenticationDependencies & PaymentCaptureDependencies & RefundDependencies;

/** The configuration a webhook URL names, with its connector: found even when disabled (payments in flight finish). */
export async function findWebhookConfiguration(db: Queryable, id: string): Promise<ConnectorConfigurationRow | undefined> {
  return findConfigurationForWebhook(db, id);
}

export async function applyNotifications(deps: ProviderWebhookDependencies, configuration: ConnectorConfigurationRow, notifications: ProviderNotification[]): Promise<NotificationResult[]> {
  const results: NotificationResult[] = [];
  for (const notification of notifications) results.push(await applyNotification(deps, configuration, notification));
  return results;
}

async function applyNotification(deps: ProviderWebhookDependencies, configuration: ConnectorConfigurationRow, notification: ProviderNotification): Promise<NotificationResult> {
  if (await isNotificationApplied(deps.db, configuration.id, notification.eventKey)) return 'duplicate';
  const result = await apply(deps, configuration, notification);
  // Recorded after applying: a crash in between only means the redelivery is applied again, which changes nothing.
  if (result !== 'unmatched') await recordAppliedNotification(deps.db, configuration.id, notification.eventKey, notification.kind);
  return result;
}

async function apply(deps: ProviderWebhookDependencies, configuration: ConnectorConfigurationRow, notification: ProviderNotification): Promise<NotificationResult> {
  switch (notification.kind) {
    case 'authorization': {
      const attempt = await attemptOf(deps.db, configuration, notification);
      if (!attempt) return 'unmatched';
      // The usual case: the request (or the janitor) already applied the answer. An attempt never leaves a final
      // status, so there is nothing to do; a contradicting report is only logged by its record.
      if (attempt.status === 'authorized' || attempt.status === 'declined' || attempt.status === 'failed') return 'unchanged';
      const output: Exclude<AuthorizeOutput, { status: 'pending' | 'requires_authentication' }> = notification.result.status === 'authorized'
        ? { status: 'authorized', captured: await capturesAtOnce(deps.db, attempt), processorReference: notification.processorReference ?? attempt.processor_reference ?? '', riskScore: 0, ...(notification.result.methodDetails ? { methodDetails: notification.result.methodDetails } : {}) }
        : { status: 'declined', decline: notification.result.decline, processorReference: notification.processorReference ?? attempt.processor_reference, riskScore: 0 };
      if (output.status === 'authorized' && output.processorReference === '') return 'unmatched';
      return (await applyProviderOutcome(deps, attempt, output)) ? 'applied' : 'unchanged';
    }
    case 'approval': {
      // The payer approved but may never come back to the return page: finish as if they had.
      const attempt = await attemptOf(deps.db, configuration, notification);
      if (!attempt || attempt.status !== 'requires_action') return attempt ? 'unchanged' : 'unmatched';
      const details: Record<string, string> = notification.processorReference ? { token: notification.processorReference } : {};
      const result = await completeRedirect(deps, attempt.id, { status: 'succeeded', details });
      return result && result.intent.status !== 'requires_action' ? 'applied' : 'unchanged';
    }
    case 'capture': {
      const attempt = await attemptOf(deps.db, configuration, notification);
      if (!attempt) return 'unmatched';
      if (attempt.status === 'pending' || attempt.status === 'unknown') {
        // A capture of an attempt whose authorization Payrail has not heard of yet: it was authorized.
        if (notification.status !== 'succeeded' || !notification.processorReference) return 'unchanged';
        const output = { status: 'authorized' as const, captured: await capturesAtOnce(deps.db, attempt), processorReference: notification.processorReference, riskScore: 0 };
        return (await applyProviderOutcome(deps, attempt, output)) ? 'applied' : 'unchanged';
      }
      if (notification.status === 'pending') return 'unchanged';
      return (await applyProviderCapture(deps, attempt, notification.status)) ? 'applied' : 'unchanged';
    }
    case 'void': {
      // Payrail voids only through cancel, which already applied the release; the provider's confirmation is logged.
      const attempt = await attemptOf(deps.db, configuration, notification);
      return attempt ? 'unchanged' : 'unmatched';
    }
    case 'refund': {
      const refund = await refundOf(deps.db, configuration, notification) ?? await refundAwaitingReference(deps, configuration, notification);
      if (!refund) return 'unmatched';
      if (notification.status === 'pending') return 'unchanged';
      const output = notification.status === 'succeeded'
        ? { status: 'succeeded' as const, processorReference: notification.processorReference ?? refund.processor_reference ?? refund.id }
        : { status: 'failed' as const, reason: notification.reason ?? 'unknown' };
      return (await applyRefundOutcome(deps, refund, output)) ? 'applied' : 'unchanged';
    }
    case 'other':
      return 'unchanged';
  }
}

/** The attempt a notification is about: by the reference Payrail sent, else by the provider's payment reference. */
async function attemptOf(db: Queryable, configuration: ConnectorConfigurationRow, notification: { attemptId: string | null; processorReference: string | null }): Promise<AttemptRow | undefined> {
  if (notification.attemptId) {
    const attempt = await findAttempt(db, notification.attemptId);
    // Only an attempt sent through this configuration: a webhook cannot move another account's payment.
    if (attempt && attempt.connector_configuration_id === configuration.id) return attempt;
  }
  if (notification.processorReference) return findAttemptByReference(db, configuration.id, notification.processorReference);
  return undefined;
}

async function capturesAtOnce(db: Queryable, attempt: AttemptRow): Promise<boolean> {
  const captureMethod = await findIntentCaptureMethod(db, attempt.payment_intent_id);
  return captureMethod !== undefined && captureMethod !== 'manual';
}

/**
 * The refund a notification is about, among the refunds of charges sent through this configuration: the
 * configuration's account's, or its connected accounts' when they routed through their platform's configuration.
 */
async function refundOf(db: Queryable, configuration: ConnectorConfigurationRow, notification: { refundId: string | null; processorReference: string | null }): Promise<RefundRow | undefined> {
  return findRefundOfConfiguration(db, configuration.livemode, configuration.id, notification);
}

/**
 * The refund of a notification that arrived before Payrail wrote the refund's provider reference (Adyen may send its
 * REFUND webhook before it answers the refund request). The refund request runs under its PaymentIntent's lock until
 * the refund is written, so this takes that lock (found through the payment the provider names): once it has it, the
 * refund is written, with its reference, and is found by it. A refund whose request answered ambiguously has no
 * reference: then the one pending refund of the charge without a reference for the notification's amount is it (two
 * or more of the same amount are left unmatched: the refund sweep and the provider's later notifications settle them).
 */
async function refundAwaitingReference(
  deps: ProviderWebhookDependencies,
  configuration: ConnectorConfigurationRow,
  notification: Extract<ProviderNotification, { kind: 'refund' }>,
): Promise<RefundRow | undefined> {
  if (!notification.paymentReference) return undefined;
  const attempt = await findAttemptByReference(deps.db, configuration.id, notification.paymentReference);
  if (!attempt) return undefined;
  return new UnitOfWork(deps.db).transaction(async (client) => {
    await findPaymentIntent(client, { accountId: attempt.account_id, livemode: attempt.livemode }, attempt.payment_intent_id, { forUpdate: true });
    const written = await refundOf(client, configuration, notification);
    if (written) return written;
    if (typeof notification.amount !== 'number') return undefined;
    const unreferenced = await findUnreferencedPendingRefunds(client, attempt.charge_id, notification.amount);
    return unreferenced.length === 1 ? unreferenced[0] : undefined;
  });
}
