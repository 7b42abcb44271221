import type { ConnectAddress, Dob, IndividualData } from './types.ts';

// The persons of a connected account (Stripe's Persons API): a company's representative, owners, directors and
// executives. What a person is, `details`, has the shape of an individual account's representative.

/** Stripe's `relationship` of a person to the account's business. */
export interface PersonRelationship {
  representative: boolean;
  owner: boolean;
  director: boolean;
  executive: boolean;
  title: string | null;
  /** Percent of the company the person owns, 0 to 100 (two decimals at most), or null. */
  percent_ownership: number | null;
}

export const relationshipFilters = ['representative', 'owner', 'director', 'executive'] as const;
export type RelationshipFilter = (typeof relationshipFilters)[number];

/** A `connect_persons` row (db/migrations/037_connect_persons.sql), without its encrypted secrets. */
export interface PersonRow {
  id: string;
  /** The connected account the person belongs to. */
  account_id: string;
  livemode: boolean;
  details: IndividualData;
  relationship: PersonRelationship;
  metadata: Record<string, string>;
  created: number;
}

/** What a create or update brings (every field optional; an update merges into what is stored). */
export interface PersonInput {
  first_name?: string;
  last_name?: string;
  email?: string;
  phone?: string;
  dob?: Dob;
  address?: Partial<ConnectAddress>;
  id_number?: string;
  ssn_last_4?: string;
  relationship?: Partial<PersonRelationship>;
  metadata?: Record<string, string> | null;
}
