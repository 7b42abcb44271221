// Limits of connector configurations. A module of constants only, so routing validation (src/routing/profile.ts) can
// share the per-account limit without importing the configuration service and, through it, everything it needs.

/** Configurations an account may have per mode: routing considers each of them for every payment. */
export const connectorConfigurationsPerAccountMax = 50;
/** Lowest and highest `priority` (lower is tried first). */
export const priorityMin = 0;
export const priorityMax = 1_000_000;
/** Priority of a configuration created without one. */
export const priorityDefault = 0;
