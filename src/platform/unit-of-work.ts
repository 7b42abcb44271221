import type pg from 'pg';
import { inTransaction, type Database } from './db.ts';

/**
 * The transactions of one request. Services run intermediate steps with `transaction` and the step that produces
 * the request's result with `finalTransaction`; the API layer hooks that last one to store the idempotent response
 * in the same commit as the state change it describes.
 */
export class UnitOfWork {
  constructor(
    readonly db: Database,
    readonly requestId: string | undefined = undefined,
    readonly idempotencyKey: string | undefined = undefined,
    private readonly onFinal?: (client: pg.PoolClient, result: unknown) => Promise<void>,
    private readonly onCheckpoint?: (client: pg.PoolClient, resourceId: string) => Promise<void>,
  ) {}

  /**
   * Marks, inside an intermediate transaction, the resource on which this request has started committed work (for
   * idempotent retries after a crash to resume it rather than start over).
   */
  async checkpoint(client: pg.PoolClient, resourceId: string): Promise<void> {
    if (this.onCheckpoint) await this.onCheckpoint(client, resourceId);
  }

  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.db, work);
  }

  finalTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.db, async (client) => {
      const result = await work(client);
      if (this.onFinal) await this.onFinal(client, result);
      return result;
    });
  }
}
