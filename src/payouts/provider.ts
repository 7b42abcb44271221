/**
 * The one interface a payout rail implements (a bank's credit-transfer API, or the sandbox). Like connectors, a
 * provider is stateless towards Payrail and idempotent on the payout id: a retried `submit` after a timeout or crash
 * returns the first transfer's reference and never sends money twice.
 */
export interface PayoutTransferInput {
  /** The payout id, used as the provider's idempotency key. */
  payoutId: string;
  /** Minor units of `currency`: positive sends money to the bank account, negative debits it. */
  amount: number;
  currency: string;
  /** The account number or IBAN, decrypted only for this call. */
  accountNumber: string;
  /** The ABA routing number of US accounts; null for IBANs. */
  routingNumber: string | null;
  /** ISO 3166-1 alpha-2 of the bank account. */
  country: string;
}

export interface PayoutSubmission {
  reference: string;
  status: 'in_transit';
}

/** Stripe's payout failure codes that a bank rail can return. */
export const payoutFailureCodes = [
  'account_closed', 'account_frozen', 'bank_account_restricted', 'bank_ownership_changed', 'could_not_process', 'debit_not_authorized',
  'declined', 'incorrect_account_holder_name', 'insufficient_funds', 'invalid_account_number', 'invalid_currency', 'no_account',
] as const;
export type PayoutFailureCode = (typeof payoutFailureCodes)[number];

/**
 * Stripe's `failure_message` for each failure code (Stripe's wording, with Payrail for Stripe where it names itself).
 * A `Record` over the code list, so a new code cannot be added without its message.
 */
export const payoutFailureMessages: Record<PayoutFailureCode, string> = {
  account_closed: 'The bank account has been closed.',
  account_frozen: 'The bank account has been frozen.',
  bank_account_restricted: 'The bank account has restrictions on either the type, or the number, of payouts allowed. This normally indicates that the bank account is a savings or other non-checking account.',
  bank_ownership_changed: 'The destination bank account is no longer valid because its branch has changed ownership.',
  could_not_process: 'The bank could not process this payout.',
  debit_not_authorized: 'Debit transactions are not approved on the bank account. (Payrail requires bank accounts to be set up for both credit and debit payouts.)',
  declined: 'The bank has declined this transfer. Please contact the bank before retrying.',
  incorrect_account_holder_name: 'Your bank notified us that the bank account holder name on file is incorrect.',
  insufficient_funds: 'Your Payrail account has insufficient funds to cover the payout.',
  invalid_account_number: 'The routing number seems correct, but the account number is invalid.',
  invalid_currency: 'The bank was unable to process this payout because of its currency. This is probably because the bank account cannot accept payments in that currency.',
  no_account: 'The bank account details on file are probably incorrect. No bank account could be located with those details.',
};

/** Where a submitted transfer stands. Only an explicit `paid` or `failed` is final; anything else stays in transit. */
export type PayoutTransferStatus = { status: 'in_transit' } | { status: 'paid' } | { status: 'failed'; failureCode: PayoutFailureCode };

export interface PayoutProvider {
  /** Sends a transfer, or returns the one already sent for this payout id. */
  submit(input: PayoutTransferInput): Promise<PayoutSubmission>;
  /** Asks the rail where a transfer stands. */
  status(reference: string): Promise<PayoutTransferStatus>;
}
