/** How Payrail talks to provider connectors: request timeouts, how hard it asks before giving up, the janitor. */
export interface OrchestrationSettings {
  /** Per-request timeout of a provider call; an answer that does not arrive in time is an ambiguous outcome. */
  connectorTimeoutMs: number;
  /** Times an ambiguous authorization is synced within the request before it is left to the janitor. */
  inlineSyncs: number;
  /** Pause before each inline sync (the provider may still be finishing the first request). */
  inlineSyncDelayMs: number;
  /** Seconds to wait before the janitor first looks at an unresolved attempt, then between its tries (growing). */
  janitorScheduleSeconds: readonly number[];
  /** Attempts the janitor resolves per run. */
  janitorBatchMax: number;
  /** Seconds the enabled configurations and routing profile of an account are cached per process. */
  routingCacheSeconds: number;
}

export const defaultOrchestrationSettings: OrchestrationSettings = {
  connectorTimeoutMs: 10_000,
  inlineSyncs: 2,
  inlineSyncDelayMs: 200,
  // 30 s, 1, 2, 5, 15 and 30 minutes, then hourly: well inside the 24 hours a Stripe idempotency key is kept.
  janitorScheduleSeconds: [30, 60, 120, 300, 900, 1_800, 3_600],
  janitorBatchMax: 100,
  routingCacheSeconds: 2,
};

/** The janitor's wait before try number `syncCount + 1` (the last step repeats). */
export function janitorDelaySeconds(settings: OrchestrationSettings, syncCount: number): number {
  const schedule = settings.janitorScheduleSeconds;
  return schedule[Math.min(syncCount, schedule.length - 1)];
}
