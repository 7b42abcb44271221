import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { GroupCommit } from '../src/platform/group-commit.ts';
import { createTestDatabase } from './helpers/server.ts';

/** The group commit (src/platform/group-commit.ts) through real PostgreSQL: batching, answers after COMMIT, failures. */
describe('group commit', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    database = await createTestDatabase();
    await database.db.query('CREATE TABLE group_commit_probe (id text PRIMARY KEY, value integer NOT NULL CHECK (value >= 0))');
  });
  after(async () => {
    await database.drop();
  });

  const insert = (id: string, value: number): pg.QueryConfig => ({ text: 'INSERT INTO group_commit_probe (id, value) VALUES ($1, $2) RETURNING id, value', values: [id, value] });

  it('commits concurrent statements in shared transactions and answers each only once its batch committed', async () => {
    const commits = new GroupCommit(database.db, { lanes: 2, maxStatements: 16, maxBytes: 1024 * 1024 });
    const observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    try {
      const answered = await Promise.all(Array.from({ length: 200 }, async (_, index) => {
        const result = await commits.query(insert(`a${index}`, index), `a${index}`);
        // Answered means committed: another connection already sees the row.
        const seen = await observer.query('SELECT value FROM group_commit_probe WHERE id = $1', [`a${index}`]);
        return { rows: result.rows, seen: seen.rows };
      }));
      answered.forEach(({ rows, seen }, index) => {
        assert.deepEqual(rows, [{ id: `a${index}`, value: index }]);
        assert.deepEqual(seen, [{ value: index }]);
      });
      const stats = commits.stats();
      assert.equal(stats.statements, 200);
      // 200 statements queued at once through two lanes: far fewer transactions than statements.
      assert.ok(stats.batches <= 200 / 4, `${stats.batches} batches for 200 statements`);
      assert.equal(stats.retriedAlone, 0);
    } finally {
      await observer.end();
    }
  });

  it('a failing statement fails alone: the batch is rolled back and the others run again and commit', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    // The first statement takes the only lane; the rest queue behind it and go as one batch, bad ones included.
    const results = await Promise.allSettled([
      commits.query(insert('b0', 0)),
      ...Array.from({ length: 20 }, (_, index) => commits.query(index % 7 === 3 ? insert(`b${index}`, -1) : insert(`b${index + 1}`, index))),
      commits.query(insert('b0', 5)),
    ]);
    const failed = results.flatMap((result, index) => result.status === 'rejected' ? [{ index, code: (result.reason as { code?: string }).code }] : []);
    assert.deepEqual(failed, [
      { index: 4, code: '23514' }, { index: 11, code: '23514' }, { index: 18, code: '23514' }, // value -1: check violation
      { index: 21, code: '23505' }, // b0 twice: unique violation
    ]);
    const rows = (await database.db.query<{ id: string }>("SELECT id FROM group_commit_probe WHERE id LIKE 'b%'")).rows.map((row) => row.id).sort();
    const expected = ['b0', ...Array.from({ length: 20 }, (_, index) => index % 7 === 3 ? undefined : `b${index + 1}`).filter((id): id is string => id !== undefined)].sort();
    assert.deepEqual(rows, expected);
    assert.ok(commits.stats().retriedAlone >= 1);
  });

  it('within a batch, statements run in lock-key order, in submission order for one key', async () => {
    await database.db.query("INSERT INTO group_commit_probe (id, value) VALUES ('k', 0)");
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const append = (key: string, value: number) => commits.query({ text: "UPDATE group_commit_probe SET value = value * 10 + $1 WHERE id = 'k' RETURNING value", values: [value] }, key);
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    // Queued behind the blocker as one batch: key x before key y, and x's two statements in the order given.
    const answers = await Promise.all([append('y', 3), append('x', 1), append('x', 2), blocker]);
    assert.deepEqual(answers.slice(0, 3).map((answer) => answer.rows[0].value), [123, 1, 12]);
  });

  it('merges statements of one text that carry JSON rows into one statement, and hands each caller its own rows', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const text = `INSERT INTO group_commit_probe (id, value) SELECT r.id, r.value FROM json_array_elements($1::json) AS e,
      json_populate_record(NULL::group_commit_probe, e) AS r WHERE r.id = ANY ($2::text[]) RETURNING id, value`;
    const mergeable = (id: string, value: number) => commits.query({ text, values: [JSON.stringify([{ id, value }]), [id]], merge: { key: id } }, id);
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    const before = commits.stats();
    // Queued behind the blocker: one batch, whose ten inserts go as one statement; m3 twice waits for the next batch
    // (one statement changes a key once), where it fails alone.
    const results = await Promise.allSettled([...Array.from({ length: 10 }, (_, index) => mergeable(`m${index}`, index)), mergeable('m3', 30), blocker]);
    const after = commits.stats();
    assert.deepEqual(results.slice(0, 10).map((result) => result.status === 'fulfilled' && result.value.rows), Array.from({ length: 10 }, (_, index) => [{ id: `m${index}`, value: index }]));
    assert.equal(results[10].status, 'rejected');
    assert.equal(((results[10] as PromiseRejectedResult).reason as { code?: string }).code, '23505');
    assert.deepEqual({ batches: after.batches - before.batches, sent: after.sent - before.sent, retriedAlone: after.retriedAlone - before.retriedAlone }, { batches: 2, sent: 2, retriedAlone: 0 });
  });

  it('a merged statement the server refuses is run again member by member, and only the bad member fails', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const text = `INSERT INTO group_commit_probe (id, value) SELECT r.id, r.value FROM json_array_elements($1::json) AS e,
      json_populate_record(NULL::group_commit_probe, e) AS r RETURNING id, value`;
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    // value -1 breaks the table's check: the one merged statement fails, so nothing of it was written.
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => commits.query({ text, values: [JSON.stringify([{ id: `r${index}`, value: index === 2 ? -1 : index }])], merge: { key: `r${index}` } }, `r${index}`)));
    await blocker;
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.equal(((results[2] as PromiseRejectedResult).reason as { code?: string }).code, '23514');
    const rows = (await database.db.query<{ id: string }>("SELECT id FROM group_commit_probe WHERE id LIKE 'r%' ORDER BY id")).rows.map((row) => row.id);
    assert.deepEqual(rows, ['r0', 'r1', 'r3', 'r4', 'r5']);
    assert.equal(commits.stats().retriedAlone, 1);
  });

  it('a batch holds statements of one text; a member passed over holds back later members of its key', async () => {
    await database.db.query("INSERT INTO group_commit_probe (id, value) VALUES ('o', 0)");
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    // Two mergeable texts that both change row o: "times ten plus" and "plus", keyed by o.
    const times = `UPDATE group_commit_probe p SET value = p.value * 10 + r.value FROM json_populate_recordset(NULL::group_commit_probe, $1::json) r WHERE p.id = r.id RETURNING p.id, p.value`;
    const plus = `UPDATE group_commit_probe p SET value = p.value + r.value FROM json_populate_recordset(NULL::group_commit_probe, $1::json) r WHERE p.id = r.id RETURNING p.id, p.value`;
    const send = (text: string, value: number, key: string) => commits.query({ text, values: [JSON.stringify([{ id: 'o', value }])], merge: { key: `${key}` } }, 'o');
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    const before = commits.stats();
    // Queued in this order behind the blocker: times 1, plus 5, times 2. The first batch is "times" but may not take
    // the second "times": it would overtake "plus", queued before it for the same row.
    const answers = await Promise.all([send(times, 1, 'o1'), send(plus, 5, 'o2'), send(times, 2, 'o3'), blocker]);
    assert.deepEqual(answers.slice(0, 3).map((answer) => answer.rows[0].value), [1, 6, 62]);
    const after = commits.stats();
    assert.deepEqual({ batches: after.batches - before.batches, sent: after.sent - before.sent }, { batches: 3, sent: 3 });
  });

  it('sends one statement for many merged members when none fails', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const text = `INSERT INTO group_commit_probe (id, value) SELECT r.id, r.value FROM json_array_elements($1::json) AS e,
      json_populate_record(NULL::group_commit_probe, e) AS r RETURNING id, value`;
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => commits.query({ text, values: [JSON.stringify([{ id: `s${index}`, value: index }])], merge: { key: `s${index}` } }, `s${index}`)));
    await blocker;
    assert.deepEqual(answers.map((answer) => answer.rows), Array.from({ length: 20 }, (_, index) => [{ id: `s${index}`, value: index }]));
    // The blocker alone, then one batch of twenty sent as one statement.
    assert.deepEqual(commits.stats(), { batches: 2, statements: 21, retriedAlone: 0, sent: 2 });
  });

  it('runs transaction bodies in the batch: a body that throws rolls back alone, the others commit', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    let runs = 0;
    const body = (id: string, fail: boolean) => commits.transaction(async (client) => {
      runs += 1;
      await client.query(insert(`${id}a`, 1));
      await client.query(insert(`${id}b`, 2));
      if (fail) throw new Error(`body ${id} refuses`);
      return id;
    }, id);
    const results = await Promise.allSettled([body('t1', false), body('t2', true), body('t3', false), commits.query(insert('t4', 4)), blocker]);
    assert.deepEqual(results.slice(0, 4).map((result) => result.status === 'fulfilled' ? 'ok' : (result.reason as Error).message), ['ok', 'body t2 refuses', 'ok', 'ok']);
    const rows = (await database.db.query<{ id: string }>("SELECT id FROM group_commit_probe WHERE id LIKE 't%' ORDER BY id")).rows.map((row) => row.id);
    assert.deepEqual(rows, ['t1a', 't1b', 't3a', 't3b', 't4']);
    // The batch started the three bodies together; t2 threw, and after the rollback each body ran once more alone.
    assert.equal(runs, 6);
  });

  it('merges the statements of transaction bodies round by round: each body\'s second statement with the others\' second', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const text = `INSERT INTO group_commit_probe (id, value) SELECT r.id, r.value FROM json_array_elements($1::json) AS e,
      json_populate_record(NULL::group_commit_probe, e) AS r RETURNING id, value`;
    const row = (id: string, value: number) => ({ text, values: [JSON.stringify([{ id, value }])], merge: { key: id } });
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    await new Promise((resolve) => setImmediate(resolve));
    const before = commits.stats();
    const bodies = Array.from({ length: 12 }, (_, index) => commits.transaction(async (client) => {
      const first = await client.query(row(`r${index}a`, index));
      // The second statement depends on the first's answer, as a stored response depends on the state change.
      const second = await client.query(row(`r${index}b`, first.rows[0].value * 10));
      return [first.rows, second.rows];
    }, `r${index}`));
    const answers = await Promise.all(bodies);
    await blocker;
    answers.forEach((answer, index) => assert.deepEqual(answer, [[{ id: `r${index}a`, value: index }], [{ id: `r${index}b`, value: index * 10 }]]));
    const after = commits.stats();
    // One batch of twelve bodies: two rounds, each one merged statement.
    assert.deepEqual({ batches: after.batches - before.batches, sent: after.sent - before.sent, retriedAlone: after.retriedAlone - before.retriedAlone }, { batches: 1, sent: 2, retriedAlone: 0 });
  });

  it('a statement that fails in a round aborts the batch: bodies waiting in it or sending later run again alone, and each gets its own answer', async () => {
    const commits = new GroupCommit(database.db, { lanes: 1, maxStatements: 64, maxBytes: 1024 * 1024 });
    const blocker = commits.query({ text: 'SELECT pg_sleep(0.05)' });
    await new Promise((resolve) => setImmediate(resolve));
    let runs = 0;
    const body = (id: string, bad: boolean) => commits.transaction(async (client) => {
      runs += 1;
      // Two statements at once from one body, then one that may fail (a check violation in the batch's second round).
      await Promise.all([client.query(insert(`${id}x`, 1)), client.query(insert(`${id}y`, 2))]);
      await client.query(insert(`${id}z`, bad ? -1 : 3));
      return id;
    }, id);
    const results = await Promise.allSettled([body('f1', false), body('f2', true), body('f3', false), blocker]);
    assert.deepEqual(results.slice(0, 3).map((result) => result.status === 'fulfilled' ? result.value : (result.reason as { code?: string }).code), ['f1', '23514', 'f3']);
    const rows = (await database.db.query<{ id: string }>("SELECT id FROM group_commit_probe WHERE id LIKE 'f%' ORDER BY id")).rows.map((row) => row.id);
    assert.deepEqual(rows, ['f1x', 'f1y', 'f1z', 'f3x', 'f3y', 'f3z']);
    assert.equal(runs, 6);
  });

  it('with no lanes every statement commits alone, straight through the pool', async () => {
    const commits = new GroupCommit(database.db, { lanes: 0, maxStatements: 64, maxBytes: 1024 * 1024 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => commits.query(insert(`c${index}`, index))));
    assert.equal(results.length, 10);
    assert.equal(commits.stats().batches, 0);
  });
});
