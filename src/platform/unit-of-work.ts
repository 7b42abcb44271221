import type pg from 'pg';
import { inTransaction, withClient, type Database, type Queryable } from './db.ts';
import type { GroupCommit } from './group-commit.ts';
import { run, type PartOptions, type Statement } from './statements.ts';

/**
 * A request's recovery point as a part of a step's own statement: `part` records the resource on the request's
 * idempotency key and returns a row only while the request still holds the key; the step's other parts take `gate`,
 * so that they write only then. `lost` is the error to answer when the statement wrote nothing for that reason.
 */
export interface CheckpointPart {
  part: { name: string; statement: Statement };
  gate: PartOptions;
  lost: () => Error;
}

/**
 * The request's answer written by its final statement itself (`UnitOfWork.finalAnswer`), for a final step that is one
 * statement: `held` is a part that returns a row only while the request holds its idempotency key (and locks it), the
 * step's compare-and-set is gated on it with `heldGate`, and `store(gate)` is the part that stores the answer, gated on
 * that compare-and-set. Call `stored` once the statement returned the compare-and-set's row.
 */
export interface FinalAnswer {
  held: { name: string; statement: Statement };
  heldGate: PartOptions;
  store(gate: PartOptions): { name: string; statement: Statement };
  stored(): void;
}

/**
 * An idempotency key the request has not taken yet (a route that takes its key with its first write): the key is
 * inserted by the first write itself when that write is one statement carrying the recovery point (`checkpointPart`),
 * which saves the key's own statement and group-commit wait; before any other write, `take` takes it the usual way.
 * `take` throws when the request must not go on as it started (a replay, a key in use or reused, a resumption).
 */
export interface PendingKey {
  /** `pending` until a write took the key (`held`); `carried` while a write that carries its insert is on its way. */
  state: 'pending' | 'carried' | 'held';
  take(): Promise<void>;
  /** The recovery point as the key's insert, for the first write: a row only when the key did not exist. */
  firstCheckpointPart(resourceId: string): CheckpointPart;
}

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
    /** The recovery point's statement for a resource, when the request tracks an idempotency key. */
    private readonly checkpointOf?: (resourceId: string) => CheckpointPart,
    /** Where statements that commit on their own go: batched with concurrent requests' (platform/group-commit.ts). */
    readonly commits?: GroupCommit,
    /** The request's idempotency key when it is taken by the first write (`PendingKey`). */
    private readonly pendingKey?: PendingKey,
    /** The answer to store for a result, as parts of the final statement (`finalAnswer`); undefined when it cannot be. */
    private readonly answerOf?: (result: unknown) => FinalAnswer,
  ) {}

  /** Whether the final statement stored the request's answer (`finalAnswer`). */
  private answered = false;

  /** Whether a final step of one statement can store the request's answer itself (`finalAnswer`). */
  get answersInStatement(): boolean {
    return this.onFinal !== undefined && this.answerOf !== undefined;
  }

  /**
   * For a final step that is one statement (`finalTransaction` with `answerInStatement`): the parts that store the
   * answer `result` would give (computed before the write, from the values it writes) in that same statement. When
   * the statement does not apply (its compare-and-set did not match), nothing of it is written and the answer is
   * stored afterwards from the step's actual result, as without it. Undefined unless `answersInStatement`.
   */
  finalAnswer(result: unknown): FinalAnswer | undefined {
    if (!this.answersInStatement) return undefined;
    const answer = this.answerOf!(result);
    return { ...answer, stored: () => {
      this.answered = true;
      answer.stored();
    } };
  }

  /** Before a write that does not carry the key's insert: takes the key if the request has not yet. */
  private async beforeWrite(): Promise<void> {
    if (this.pendingKey && this.pendingKey.state !== 'held') await this.pendingKey.take();
  }

  /** The work of a step that no request's idempotency key tracks (a janitor's or a provider webhook's). */
  static alone(db: Database, commits?: GroupCommit): UnitOfWork {
    return new UnitOfWork(db, undefined, undefined, undefined, undefined, commits);
  }

  /**
   * Marks, inside an intermediate transaction, the resource on which this request has started committed work (for
   * idempotent retries after a crash to resume it rather than start over).
   */
  async checkpoint(client: pg.PoolClient, resourceId: string): Promise<void> {
    const checkpoint = this.checkpointOf?.(resourceId);
    if (checkpoint && (await run(client, checkpoint.part.statement)).length === 0) throw checkpoint.lost();
  }

  /**
   * The checkpoint on `resourceId` as a part of the step's own statement, named `key_checkpoint`, for a step whose
   * every write is a part gated by it (`gate`): one statement that is atomic by itself, instead of a transaction of
   * the step's statement and the checkpoint, so the group commit runs it merged with other requests' and without
   * BEGIN and COMMIT. Undefined when no idempotency key is tracked.
   */
  checkpointPart(resourceId: string): CheckpointPart | undefined {
    if (this.pendingKey?.state === 'pending') {
      this.pendingKey.state = 'carried';
      return this.pendingKey.firstCheckpointPart(resourceId);
    }
    return this.checkpointOf?.(resourceId);
  }

  /** Whether a checkpoint would write anything (an idempotency key is being tracked). */
  get checkpoints(): boolean {
    return this.checkpointOf !== undefined;
  }

  /**
   * Runs one (combined) write statement of an intermediate step. When the request tracks an idempotency key and
   * names the resource, the statement and the checkpoint commit together; otherwise the statement runs alone,
   * atomic by itself, in one round trip.
   */
  async write<T = Record<string, unknown>>(statement: Statement, checkpointResource?: string, lockKey?: string): Promise<T[]> {
    const pendingKey = this.pendingKey;
    if (pendingKey?.state === 'carried' && checkpointResource === undefined) {
      // The statement carries the key's insert (`checkpointPart`), and every other part is gated on it: it returned
      // rows only when it took the key.
      const rows = await run<T>(this.commits ? this.commits.connection(lockKey) : this.db, statement);
      pendingKey.state = rows.length > 0 ? 'held' : 'pending';
      return rows;
    }
    await this.beforeWrite();
    if (checkpointResource !== undefined && this.checkpointOf) {
      const work = async (client: pg.PoolClient) => {
        const rows = await run<T>(client, statement);
        await this.checkpoint(client, checkpointResource);
        return rows;
      };
      return this.commits ? this.commits.transaction(work, lockKey) : this.transaction(work);
    }
    return run<T>(this.commits ? this.commits.connection(lockKey) : this.db, statement);
  }

  /**
   * The same request's work, for a service whose final result is not what this request answers with (a legacy
   * charge made through a PaymentIntent answers with the charge): `map` turns that result into the request's, in the
   * final transaction, before the idempotent response is stored from it.
   */
  mapFinal(map: (client: pg.PoolClient, result: unknown) => Promise<unknown>): UnitOfWork {
    const onFinal = this.onFinal;
    return new UnitOfWork(this.db, this.requestId, this.idempotencyKey, onFinal && (async (client, result) => onFinal(client, await map(client, result))), this.checkpointOf, this.commits, this.pendingKey);
  }

  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.beforeWrite();
    return inTransaction(this.db, work);
  }

  /**
   * The request's last step. With `singleStatement` the work promises to write with at most one statement (which
   * is atomic on its own), so when nothing else must commit with it the BEGIN/COMMIT round trips are skipped, and
   * with a group commit its queries go into the next batch, ordered by `lockKey` (the intent it changes).
   */
  finalTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  finalTransaction<T>(work: (client: Queryable) => Promise<T>, options: { singleStatement: true; lockKey?: string; answerInStatement?: boolean }): Promise<T>;
  async finalTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, options: { singleStatement?: boolean; lockKey?: string; answerInStatement?: boolean } = {}): Promise<T> {
    await this.beforeWrite();
    const onFinal = this.onFinal;
    if (options.singleStatement && (!onFinal || (options.answerInStatement && this.answersInStatement))) {
      const result = this.commits ? await work(this.commits.connection(options.lockKey) as unknown as pg.PoolClient) : await withClient(this.db, work);
      // The statement did not store the answer (its compare-and-set did not match, so it wrote nothing): the answer is
      // stored on its own, from the result.
      if (onFinal && !this.answered) {
        if (this.commits) await this.commits.transaction((client) => onFinal(client, result), options.lockKey);
        else await inTransaction(this.db, (client) => onFinal(client, result));
      }
      return result;
    }
    if (options.singleStatement && onFinal && this.commits) {
      // One write and the stored response: a short transaction that only talks to the database, run in a batch.
      return this.commits.transaction(async (client) => {
        const result = await work(client);
        await onFinal(client, result);
        return result;
      }, options.lockKey);
    }
    return inTransaction(this.db, async (client) => {
      const result = await work(client);
      if (this.onFinal) await this.onFinal(client, result);
      return result;
    });
  }
}
