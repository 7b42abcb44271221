/**
 * Whose data a request or job works on: one account, in one mode. Every query of tenant data is scoped by both, and
 * another account's or mode's object is always "no such object".
 */
export interface Scope {
  accountId: string;
  livemode: boolean;
  /**
   * Set when a platform's key acts as `accountId`, one of its connected accounts (the Stripe-Account header, already
   * checked): the platform's id. Only a hint that spares a lookup (routing uses the platform's connector
   * configurations for such an account); it never widens what the scope's queries reach. Absent elsewhere, even for
   * a connected account (a job, a hosted page), where whoever needs the platform looks it up.
   */
  platformAccountId?: string;
}
