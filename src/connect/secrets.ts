import type { Dependencies } from '../dependencies.ts';
import type { ConnectedAccountSecrets } from './repository.ts';
import type { SecretsInput } from './input.ts';

// A connected account's government id number (with the SSN's last four) and its company's tax id: encrypted with the
// account id as associated data (a ciphertext moved to another row does not decrypt), read only to verify them.

export type SecretsDependencies = Pick<Dependencies, 'secretBox'>;

interface PersonSecrets {
  id_number?: string;
  ssn_last_4?: string;
}

/** The clear values of an account's secrets (for verification only; never rendered, logged or put in events). */
export interface ClearSecrets {
  idNumber: string | null;
  ssnLast4: string | null;
  taxId: string | null;
}

export function decryptSecrets(deps: SecretsDependencies, accountId: string, stored: ConnectedAccountSecrets): ClearSecrets {
  const person: PersonSecrets = stored.id_number_encrypted ? JSON.parse(deps.secretBox.decrypt(stored.id_number_encrypted, `${accountId}:individual`)) as PersonSecrets : {};
  return {
    idNumber: person.id_number ?? null,
    ssnLast4: person.ssn_last_4 ?? (person.id_number && person.id_number.length >= 4 ? person.id_number.slice(-4) : null),
    taxId: stored.tax_id_encrypted ? deps.secretBox.decrypt(stored.tax_id_encrypted, `${accountId}:company`) : null,
  };
}

/** The stored secrets with an update's new values merged in and encrypted again. */
export function encryptSecrets(deps: SecretsDependencies, accountId: string, current: ConnectedAccountSecrets, input: SecretsInput): ConnectedAccountSecrets {
  let idNumberEncrypted = current.id_number_encrypted;
  if (input.idNumber !== undefined || input.ssnLast4 !== undefined) {
    const before: PersonSecrets = current.id_number_encrypted ? JSON.parse(deps.secretBox.decrypt(current.id_number_encrypted, `${accountId}:individual`)) as PersonSecrets : {};
    const person: PersonSecrets = { ...before, ...(input.idNumber !== undefined ? { id_number: input.idNumber } : {}), ...(input.ssnLast4 !== undefined ? { ssn_last_4: input.ssnLast4 } : {}) };
    idNumberEncrypted = deps.secretBox.encrypt(JSON.stringify(person), `${accountId}:individual`);
  }
  const taxIdEncrypted = input.taxId !== undefined ? deps.secretBox.encrypt(input.taxId, `${accountId}:company`) : current.tax_id_encrypted;
  return { id_number_encrypted: idNumberEncrypted, tax_id_encrypted: taxIdEncrypted };
}
