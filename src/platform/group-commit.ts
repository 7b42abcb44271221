import pg from 'pg';
import { createHotPathPool, inTransaction, prepared, type Database } from './db.ts';

/** How the group commit batches statements (PAYRAIL_GROUP_COMMIT_* settings, docs/configuration.md). */
export interface GroupCommitSettings {
  /** Batches in flight at once, each on its own connection; 0 turns group commit off (every statement commits alone). */
  lanes: number;
  /** At most this many statements in one batch. */
  maxStatements: number;
  /** At most about this many bytes of parameters in one batch (a batch always takes at least one statement). */
  maxBytes: number;
}

export const defaultGroupCommitSettings: GroupCommitSettings = { lanes: 2, maxStatements: 64, maxBytes: 4 * 1024 * 1024 };

type Query = pg.QueryConfig & { merge?: { key: string } };

/** One request's part of a batch: a statement, or a short transaction body that only talks to the database. */
interface Member {
  config?: Query;
  work?: (client: pg.PoolClient) => Promise<unknown>;
  lockKey: string;
  bytes: number;
  resolve: (result: never) => void;
  reject: (error: unknown) => void;
}

/** What a batch did, for tests and metrics: a node:diagnostics_channel-free counter set, read with `stats()`. */
export interface GroupCommitStats {
  batches: number;
  statements: number;
  /** Batches that failed as a whole (a member's error, a deadlock) and whose members then ran alone. */
  retriedAlone: number;
  /** Statements sent for the batches' members: fewer than `statements` when members were merged. */
  sent: number;
}

/**
 * Group commit: statements that each would commit on their own (one autocommit statement per request step on the
 * payment hot path) are collected from concurrent requests and committed together, in one transaction on one
 * connection, and each caller is answered only after that COMMIT returned, so no answer precedes durability.
 *
 * - **No added wait.** A batch starts as soon as a lane is free, with whatever is queued (one statement when the
 *   platform is quiet); statements queue only while every lane is busy, so batches grow with load by themselves.
 * - **A failing member does not fail the others.** When any statement of a batch fails (a constraint, a deadlock, a
 *   lock timeout), the batch is rolled back and every member runs again alone, in its own autocommit, and gets its
 *   own answer; each member is one statement that is atomic and gated by its own compare-and-set, so running it
 *   again after the rollback is running it for the first time.
 * - **An unknown outcome stays unknown, as it is without batching.** When the connection is lost during COMMIT,
 *   every member gets that error: the caller resolves it as it would resolve one lost autocommit statement (the
 *   compare-and-set and idempotency keys make a retry safe).
 * - **Short transactions too.** `transaction(work)` runs a body of a few statements (a state change and the
 *   idempotency key's stored response) in the batch's transaction; a body that throws rolls the batch back like a
 *   failing statement, and every member runs again alone.
 * - **Deterministic lock order.** Within a batch, statements run ordered by their lock key (the intent they change),
 *   stable for equal keys, so two batches that touch the same rows take their locks in the same order and wait for
 *   each other instead of deadlocking.
 */
export class GroupCommit {
  private readonly queue: Member[] = [];
  private running = 0;
  private readonly counters: GroupCommitStats = { batches: 0, statements: 0, retriedAlone: 0, sent: 0 };

  private ownPool: Database | undefined;

  constructor(private readonly shared: Database, readonly settings: GroupCommitSettings = defaultGroupCommitSettings) {}

  /**
   * The group commit's own connections (`hotPathConnectionSettings`), opened at first use: its lanes, and as many again
   * for members run alone after a failed batch (they wait for a connection). The shared pool when it is off.
   */
  private get pool(): Database {
    if (this.settings.lanes === 0) return this.shared;
    this.ownPool ??= createHotPathPool(this.shared, this.settings.lanes * 2 + 2);
    return this.ownPool;
  }

  /** Closes the group commit's own connections (the shared pool is its owner's to close). */
  async close(): Promise<void> {
    const own = this.ownPool;
    this.ownPool = undefined;
    await own?.end();
  }

  /** Runs `config` (one statement that is atomic on its own) in the next batch, answering once the batch committed. */
  query(config: Query, lockKey = ''): Promise<pg.QueryResult> {
    if (this.settings.lanes === 0) return this.pool.query(config);
    return new Promise<pg.QueryResult>((resolve, reject) => {
      this.queue.push({ config, lockKey, bytes: parameterBytes(config.values), resolve: resolve as (result: never) => void, reject });
      this.pump();
    });
  }

  /**
   * Runs `work` inside the next batch's transaction, on its connection, answering once the batch committed: for a
   * step of a few statements that must commit together (a state change and the idempotency key's stored response).
   * `work` must only talk to the database through `client` (no calls to providers): the batch waits for it. Should
   * the batch fail, `work` runs again alone, in its own transaction, so its effects outside the database must be
   * safe to repeat (computing a response is).
   */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>, lockKey = ''): Promise<T> {
    if (this.settings.lanes === 0) return inTransaction(this.pool, work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, lockKey, bytes: 1024, resolve: resolve as (result: never) => void, reject });
      this.pump();
    });
  }

  /**
   * A connection-like view whose queries go through the group commit, for a step that promises to write with at most
   * one statement (its reads, if any, run in batches too). Every query is ordered by `lockKey` within its batch.
   */
  connection(lockKey = ''): BatchedConnection {
    return new BatchedConnection(this, lockKey);
  }

  stats(): GroupCommitStats {
    return { ...this.counters };
  }

  private pump(): void {
    while (this.running < this.settings.lanes && this.queue.length > 0) {
      const batch = this.take();
      this.running += 1;
      this.execute(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  /**
   * The next batch, from the queue in order. When the first queued member is one mergeable statement, the batch is
   * every queued statement of its text (one per merge key) that no earlier-queued member of the same key holds back:
   * one merged statement, which commits on its own. Otherwise it is the queue's other members (transaction bodies,
   * statements that are not mergeable), run in rounds in one transaction. A member passed over keeps its place, and
   * so does every later member of its lock key or merge key, so one key's members still run in the order they came
   * (the empty lock key orders nothing).
   */
  private take(): Member[] {
    const text = mergeableText(this.queue[0]);
    const taken: Member[] = [];
    const keep: Member[] = [];
    const heldBack = new Set<string>();
    const mergeKeys = new Set<string>();
    let bytes = 0;
    for (const next of this.queue) {
      const mergeKey = next.config?.merge?.key;
      const fits = taken.length === 0 || (taken.length < this.settings.maxStatements && bytes + next.bytes <= this.settings.maxBytes);
      const kind = text === undefined ? mergeableText(next) === undefined : mergeableText(next) === text && !mergeKeys.has(mergeKey!);
      if (!fits || !kind || (next.lockKey !== '' && heldBack.has(next.lockKey)) || (mergeKey !== undefined && heldBack.has(mergeKey))) {
        keep.push(next);
        if (next.lockKey !== '') heldBack.add(next.lockKey);
        if (mergeKey !== undefined) heldBack.add(mergeKey);
        continue;
      }
      taken.push(next);
      bytes += next.bytes;
      if (mergeKey !== undefined) mergeKeys.add(mergeKey);
    }
    this.queue.splice(0, this.queue.length, ...keep);
    return taken;
  }

  private async execute(batch: Member[]): Promise<void> {
    this.counters.batches += 1;
    this.counters.statements += batch.length;
    if (batch.length === 1) return this.runAlone(batch[0]);
    if (mergeableText(batch[0]) !== undefined) return this.runMerged(batch);
    // Stable: statements with one lock key keep the order they were submitted in.
    const ordered = [...batch].sort((a, b) => compareKeys(a.lockKey, b.lockKey));
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const member of batch) member.reject(error);
      return;
    }
    let answers: Map<Member, unknown>;
    try {
      await client.query('BEGIN');
      answers = await new Rounds(client, this.counters).run(ordered);
    } catch (error) {
      // Nothing of the batch committed: roll back and give every member its own run and its own answer.
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(rolledBack ? undefined : toError(error));
      this.counters.retriedAlone += 1;
      await this.runEachAlone(ordered);
      return;
    }
    try {
      await client.query('COMMIT');
    } catch (error) {
      client.release(toError(error));
      if (error instanceof pg.DatabaseError) {
        // The server answered and rolled the transaction back (e.g. a deferred constraint): run each alone.
        this.counters.retriedAlone += 1;
        await this.runEachAlone(ordered);
      } else {
        // The connection was lost during COMMIT: whether the batch committed is unknown, as for one lost statement.
        for (const member of batch) member.reject(error);
      }
      return;
    }
    client.release();
    for (const member of ordered) member.resolve(answers.get(member) as never);
  }

  /**
   * Runs statements of one text as one merged statement, in one round trip, committing on its own (it is atomic by
   * itself, so it needs no BEGIN and COMMIT). When the server refuses it, nothing of it was written and every member
   * runs again alone; when the connection is lost, whether it committed is unknown, as for one lost statement.
   */
  private async runMerged(batch: Member[]): Promise<void> {
    const ordered = [...batch].sort((a, b) => compareKeys(a.lockKey, b.lockKey));
    this.counters.sent += 1;
    let result: pg.QueryResult;
    try {
      result = await this.pool.query(mergedQuery(ordered.map((member) => member.config!)));
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) {
        for (const member of batch) member.reject(error);
        return;
      }
      this.counters.retriedAlone += 1;
      await this.runEachAlone(ordered);
      return;
    }
    for (const member of ordered) member.resolve(rowsOfKey(result, member.config!.merge!.key) as never);
  }

  /** Runs a failed batch's members alone: one key's members one after another, in order; different keys at once. */
  private async runEachAlone(ordered: readonly Member[]): Promise<void> {
    const byKey = new Map<string, Member[]>();
    for (const member of ordered) byKey.set(member.lockKey, [...(byKey.get(member.lockKey) ?? []), member]);
    await Promise.all([...byKey.values()].map(async (members) => {
      for (const member of members) await this.runAlone(member);
    }));
  }

  private async runAlone(member: Member): Promise<void> {
    this.counters.sent += 1;
    try {
      member.resolve((member.work ? await inTransaction(this.pool, member.work) : await this.pool.query(named(member.config!))) as never);
    } catch (error) {
      member.reject(error);
    }
  }
}

/**
 * A step's connection through the group commit: `query` takes the promise forms of node-postgres's `query` (a config
 * object, or text and values), which is all Payrail's repositories use.
 */
export class BatchedConnection {
  constructor(private readonly commits: GroupCommit, private readonly lockKey: string) {}

  readonly query = ((textOrConfig: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> =>
    this.commits.query(toQuery(textOrConfig, values), this.lockKey)) as unknown as pg.Pool['query'];
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A statement a batch member sent through its view of the batch's connection, waiting for the round that runs it. */
interface Pending {
  config: Query;
  lockKey: string;
  /** The member's place in the batch (lock-key order). */
  member: number;
  /** The order of the member's statements. */
  order: number;
  resolve: (result: pg.QueryResult) => void;
  reject: (error: unknown) => void;
}

/** Why a member's statement was not run: another member's failed, and the batch is being rolled back. */
class BatchAborted extends Error {
  constructor() {
    super('the batch this statement belonged to failed; it runs again alone');
  }
}

/**
 * Runs a batch's members in rounds on one connection, so that statements of the same text from different members
 * become one statement even when they are a body's second or third: every member starts at once against its own
 * view of the connection; as soon as each member is either finished or waiting for a statement it sent (counted,
 * not guessed from a turn of the event loop), the waiting statements form a round, run in lock-key order, merged
 * where they may be (`mergeUnits`), and their answers let the members go on to their next statements. A member's
 * statements still run one after another, in its order; a statement that fails fails the whole batch (the caller
 * rolls it back and runs every member again alone).
 */
class Rounds {
  private pending: Pending[] = [];
  private wake: (() => void) | undefined;
  private aborted = false;
  /** Per member: statements sent and not yet answered. */
  private waitingOn: number[] = [];

  constructor(private readonly client: pg.PoolClient, private readonly counters: GroupCommitStats) {}

  async run(members: readonly Member[]): Promise<Map<Member, unknown>> {
    const answers = new Map<Member, unknown>();
    const finished = members.map(() => false);
    this.waitingOn = members.map(() => 0);
    let failure: { error: unknown } | undefined;
    members.forEach((member, position) => {
      const view = new RoundConnection(this, member.lockKey, position);
      const done = member.work ? member.work(view as unknown as pg.PoolClient) : view.query(member.config!);
      done.then(
        (answer) => void answers.set(member, answer),
        (error: unknown) => void (failure ??= { error }),
      ).finally(() => {
        finished[position] = true;
        this.wake?.();
      });
    });
    try {
      for (;;) {
        if (failure) throw failure.error;
        // A round forms once every member has either finished or sent a statement it waits for: then nothing more
        // can join it. Until then, wait for the next statement or end.
        if (!finished.every((done, position) => done || this.waitingOn[position] > 0)) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        if (this.pending.length === 0) return answers;
        const round = this.pending.splice(0).sort((a, b) => compareKeys(a.lockKey, b.lockKey) || a.member - b.member || a.order - b.order);
        await this.runRound(round);
      }
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  submit(config: Query, lockKey: string, member: number, order: number): Promise<pg.QueryResult> {
    if (this.aborted) return Promise.reject(new BatchAborted());
    this.waitingOn[member] += 1;
    return new Promise((resolve, reject) => {
      this.pending.push({ config, lockKey, member, order, resolve, reject });
      this.wake?.();
    });
  }

  private async runRound(round: Pending[]): Promise<void> {
    const units = mergeUnits(round);
    this.counters.sent += units.length;
    for (const [index, unit] of units.entries()) {
      let result: pg.QueryResult;
      try {
        result = await this.client.query(unit.config);
      } catch (error) {
        for (const later of units.slice(index)) for (const item of later.items) item.reject(new BatchAborted());
        throw error;
      }
      for (const item of unit.items) {
        this.waitingOn[item.member] -= 1;
        item.resolve(unit.items.length === 1 ? result : rowsOfKey(result, item.config.merge!.key));
      }
    }
  }

  private abort(): void {
    this.aborted = true;
    for (const item of this.pending.splice(0)) item.reject(new BatchAborted());
  }
}

/** A member's view of the batch's connection: its statements go into the batch's rounds, one at a time. */
class RoundConnection {
  private sent = 0;

  constructor(private readonly rounds: Rounds, private readonly lockKey: string, private readonly member: number) {}

  readonly query = ((textOrConfig: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> => {
    const config = toQuery(textOrConfig, values);
    this.sent += 1;
    return this.rounds.submit(config, this.lockKey, this.member, this.sent);
  }) as unknown as pg.Pool['query'];
}

function toQuery(textOrConfig: string | pg.QueryConfig, values?: unknown[]): Query {
  if (typeof textOrConfig === 'string') return { text: textOrConfig, values };
  if (typeof (textOrConfig as { submit?: unknown }).submit === 'function' || typeof values === 'function') {
    throw new Error('a batched connection takes queries as promises only');
  }
  return values === undefined ? textOrConfig : { ...textOrConfig, values };
}

interface Unit {
  items: Pending[];
  config: pg.QueryConfig;
}

/**
 * The statements a round sends, in order: each alone, except that statements that say they may be merged (`merge`,
 * JSON rows and arrays as every parameter) and have the same text become one statement carrying all their rows, run
 * named (`named`). Two statements about the same key never share a statement (one statement
 * changes a row once), and a statement never goes into a statement before one that holds its key already.
 */
function mergeUnits(ordered: readonly Pending[]): Unit[] {
  const units: (Unit & { keys: Set<string>; text?: string })[] = [];
  const lastUnitOf = new Map<string, number>();
  for (const item of ordered) {
    const key = item.config.merge?.key;
    if (key === undefined || !mergeableValues(item.config.values)) {
      units.push({ items: [item], config: item.config, keys: new Set() });
      lastUnitOf.set(item.lockKey, units.length - 1);
      continue;
    }
    const from = Math.max(lastUnitOf.get(key) ?? -1, lastUnitOf.get(item.lockKey) ?? -1) + 1;
    const text = item.config.text;
    let index = units.findIndex((unit, position) => position >= from && unit.text === text && !unit.keys.has(key));
    if (index === -1) {
      units.push({ items: [], config: item.config, keys: new Set(), text });
      index = units.length - 1;
    }
    units[index].items.push(item);
    units[index].keys.add(key);
    lastUnitOf.set(key, index);
    lastUnitOf.set(item.lockKey, index);
  }
  return units.map((unit) => ({ items: unit.items, config: unit.items.length === 1 ? named(unit.items[0].config) : mergedQuery(unit.items.map((item) => item.config)) }));
}

/** Mergeable statements of one text as the one statement that carries all their rows, run named (`named`). */
function mergedQuery(configs: readonly Query[]): pg.QueryConfig {
  return named({ ...mergeQueries(configs), merge: configs[0].merge });
}

/**
 * A mergeable statement is run named, so each of the group commit's connections plans it once (generically, see
 * `hotPathConnectionSettings`): the same text carries one request's rows or many.
 */
function named(config: Query): pg.QueryConfig {
  return config.merge && !config.name && mergeableValues(config.values) ? prepared(config.text, config.values ?? []) : config;
}

/** The text of a member that is one mergeable statement (JSON rows or arrays as every parameter, a merge key). */
function mergeableText(member: Member | undefined): string | undefined {
  const config = member?.config;
  return config?.merge && mergeableValues(config.values) ? config.text : undefined;
}

function mergeableValues(values: unknown[] | undefined): boolean {
  return (values ?? []).every((value) => Array.isArray(value) || (typeof value === 'string' && value.startsWith('[') && value.endsWith(']')));
}

/** One statement for several statements of one text: each parameter's rows (JSON arrays, or arrays) joined, in order. */
export function mergeQueries(configs: readonly pg.QueryConfig[]): pg.QueryConfig {
  const values = (configs[0].values ?? []).map((value, index) => {
    if (Array.isArray(value)) return configs.flatMap((config) => config.values![index] as unknown[]);
    const inner = configs.map((config) => (config.values![index] as string).slice(1, -1)).filter((rows) => rows.length > 0);
    return `[${inner.join(',')}]`;
  });
  return { text: configs[0].text, values };
}

/** A merged statement's result as one member sees it: the rows whose `id` is its key. */
function rowsOfKey(result: pg.QueryResult, key: string): pg.QueryResult {
  const rows = result.rows.filter((row: { id?: unknown }) => row.id === key);
  return { ...result, rows, rowCount: rows.length };
}

function parameterBytes(values: unknown[] | undefined): number {
  let bytes = 64;
  for (const value of values ?? []) {
    if (typeof value === 'string') bytes += value.length;
    else if (Buffer.isBuffer(value)) bytes += value.length;
    else if (value !== null && typeof value === 'object') bytes += 256;
    else bytes += 8;
  }
  return bytes;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
