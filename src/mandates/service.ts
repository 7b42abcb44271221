import { ApiError } from '../platform/errors.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { findMandate, type MandateRow } from './repository.ts';

export async function retrieveMandate(db: Queryable, scope: Scope, id: string): Promise<MandateRow> {
  const found = await findMandate(db, scope, id);
  if (!found) throw new ApiError('resource_missing', `No such mandate: '${id}'`, { param: 'mandate' });
  return found;
}
