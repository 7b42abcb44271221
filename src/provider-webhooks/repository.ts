import type { ConnectorConfigurationRow } from '../connectors/configurations/repository.ts';
import type { Queryable } from '../platform/db.ts';
import type { RefundRow } from '../refunds/repository.ts';

// What incoming provider webhooks read and write: the configuration a webhook URL names, the notifications already
// applied (`provider_webhook_events`), and the payment or refund a notification is about.

/** The configuration with this id, of any account (a webhook URL carries no key), unless deleted; even when disabled. */
export async function findConfigurationForWebhook(db: Queryable, id: string): Promise<ConnectorConfigurationRow | undefined> {
  return (await db.query<ConnectorConfigurationRow>('SELECT * FROM connector_configurations WHERE id = $1 AND NOT deleted', [id])).rows[0];
}

/** Whether a notification with this provider key was already applied for the configuration. */
export async function isNotificationApplied(db: Queryable, configurationId: string, eventKey: string): Promise<boolean> {
  const seen = await db.query('SELECT 1 FROM provider_webhook_events WHERE connector_configuration_id = $1 AND event_key = $2', [configurationId, eventKey]);
  return (seen.rowCount ?? 0) > 0;
}

/** Records a notification as applied (a second record of the same key changes nothing). */
export async function recordAppliedNotification(db: Queryable, configurationId: string, eventKey: string, kind: string): Promise<void> {
  await db.query(
    'INSERT INTO provider_webhook_events (connector_configuration_id, event_key, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [configurationId, eventKey, kind],
  );
}

/** The capture method of a PaymentIntent, by id; undefined when there is no such intent. */
export async function findIntentCaptureMethod(db: Queryable, intentId: string): Promise<string | undefined> {
  const row = (await db.query<{ capture_method: string }>('SELECT capture_method FROM payment_intents WHERE id = $1', [intentId])).rows[0];
  return row?.capture_method;
}

/**
 * The newest refund of a charge sent through the configuration that has this id or this provider reference, of
 * whichever account the charge belongs to: the configuration's own account or, when it is a platform's, one of its
 * connected accounts that routed through it. The configuration id on the charge is what binds them (routing only ever
 * records an account's own configurations or its platform's), so no other account's refund is reachable; `livemode`
 * is the configuration's. Found by the primary key or `refunds_processor_reference` (migration 034).
 */
export async function findRefundOfConfiguration(db: Queryable, livemode: boolean, configurationId: string, reference: { refundId: string | null; processorReference: string | null }): Promise<RefundRow | undefined> {
  const result = await db.query<RefundRow>(
    `SELECT r.* FROM refunds r JOIN charges c ON c.id = r.charge_id
      WHERE (r.id = $1 OR r.processor_reference = $2) AND r.livemode = $3 AND c.connector_configuration_id = $4
      ORDER BY r.seq DESC LIMIT 1`,
    [reference.refundId, reference.processorReference, livemode, configurationId],
  );
  return result.rows[0];
}

/**
 * The pending refunds of a charge that have no provider reference yet and are of this amount: a refund whose
 * provider call answered ambiguously (no reference), which an early notification can only be matched to by amount.
 */
export async function findUnreferencedPendingRefunds(db: Queryable, chargeId: string, amount: number): Promise<RefundRow[]> {
  const result = await db.query<RefundRow>(
    `SELECT * FROM refunds WHERE charge_id = $1 AND status = 'pending' AND processor_reference IS NULL AND amount = $2 ORDER BY seq`,
    [chargeId, amount],
  );
  return result.rows;
}
