/**
 * Whose data a request or job works on: one account, in one mode. Every query of tenant data is scoped by both, and
 * another account's or mode's object is always "no such object". (Connect will extend it with the platform and the
 * connected account.)
 */
export interface Scope {
  accountId: string;
  livemode: boolean;
}
