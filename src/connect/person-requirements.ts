import { rulesFor } from './requirements-table.ts';
import type { PersonRow } from './person-types.ts';

// What is due for one person of a connected account (the person's `requirements`), from the per-country table the
// requirements engine reads: a representative is asked what an individual account's representative is asked in that
// country (requirements-table.ts, `individual.*`, without the prefix, as Stripe names a person's fields); an owner,
// director or executive who is not the representative is asked their name now and their date of birth eventually.
// A failed keyed-identity check asks the id number again. Pure.

export interface PersonDue {
  currently_due: string[];
  eventually_due: string[];
}

const otherPersonNow = ['first_name', 'last_name'];
const otherPersonEventually = ['dob.day', 'dob.month', 'dob.year'];

function provided(person: PersonRow, field: string): boolean {
  const details = person.details;
  const given = (value: string | null | undefined) => value !== null && value !== undefined && value.trim() !== '';
  switch (field) {
    case 'first_name': return given(details.first_name);
    case 'last_name': return given(details.last_name);
    case 'email': return given(details.email);
    case 'phone': return given(details.phone);
    case 'dob.day': case 'dob.month': case 'dob.year': return details.dob !== null;
    case 'address.line1': return given(details.address?.line1);
    case 'address.city': return given(details.address?.city);
    case 'address.postal_code': return given(details.address?.postal_code);
    case 'address.state': return given(details.address?.state);
    case 'id_number': return details.id_number_provided;
    case 'ssn_last_4': return details.ssn_last_4_provided || details.id_number_provided;
    default: return true;
  }
}

export function personDue(country: string, person: PersonRow): PersonDue {
  const now = new Set<string>();
  const eventually = new Set<string>();
  if (person.relationship.representative) {
    for (const rule of rulesFor(country, 'individual')) {
      if (!rule.field.startsWith('individual.')) continue;
      const field = rule.field.slice('individual.'.length);
      (rule.timing === 'now' ? now : eventually).add(field);
    }
  } else {
    for (const field of otherPersonNow) now.add(field);
    for (const field of otherPersonEventually) eventually.add(field);
  }
  if (person.details.verification.details_code === 'failed_keyed_identity') now.add('id_number');
  const currentlyDue = [...now].filter((field) => !provided(person, field) || (field === 'id_number' && person.details.verification.details_code === 'failed_keyed_identity')).sort();
  const eventuallyDue = [...new Set([...currentlyDue, ...[...eventually].filter((field) => !provided(person, field))])].sort();
  return { currently_due: currentlyDue, eventually_due: eventuallyDue };
}
