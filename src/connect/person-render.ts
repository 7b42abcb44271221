import type { PersonDue } from './person-requirements.ts';
import type { PersonRow } from './person-types.ts';
import { renderAddress } from './render.ts';

// Stripe's `person` object. The id number and SSN digits are never shown: only `id_number_provided` and
// `ssn_last_4_provided`.

function renderDue(due: PersonDue): Record<string, unknown> {
  return { alternatives: [], currently_due: due.currently_due, errors: [], eventually_due: due.eventually_due, past_due: due.currently_due, pending_verification: [] };
}

const noDocument = { back: null, details: null, details_code: null, front: null };

export function renderPerson(row: PersonRow, due: PersonDue): Record<string, unknown> {
  const details = row.details;
  return {
    id: row.id,
    object: 'person',
    account: row.account_id,
    address: renderAddress(details.address),
    created: row.created,
    dob: { day: details.dob?.day ?? null, month: details.dob?.month ?? null, year: details.dob?.year ?? null },
    email: details.email,
    first_name: details.first_name,
    future_requirements: renderDue({ currently_due: [], eventually_due: [] }),
    id_number_provided: details.id_number_provided,
    last_name: details.last_name,
    metadata: row.metadata,
    phone: details.phone,
    relationship: {
      director: row.relationship.director,
      executive: row.relationship.executive,
      owner: row.relationship.owner,
      percent_ownership: row.relationship.percent_ownership,
      representative: row.relationship.representative,
      title: row.relationship.title,
    },
    requirements: renderDue(due),
    ssn_last_4_provided: details.ssn_last_4_provided,
    verification: {
      additional_document: noDocument,
      details: details.verification.details,
      details_code: details.verification.details_code,
      document: noDocument,
      status: details.verification.status,
    },
  };
}

/** Stripe's answer to deleting a person. */
export function renderDeletedPerson(id: string): Record<string, unknown> {
  return { id, object: 'person', deleted: true };
}
