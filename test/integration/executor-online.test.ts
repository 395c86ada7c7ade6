/* Online: a replace never leaves the table without its index, and writers never notice an apply. */
import { beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/io/executor.js';
import { holdOldSnapshot, until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { column, createAction, dropAction, expression, index, recorder, replaceAction, targetFor, testSettings } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE r (id int, a int, b int);
    INSERT INTO r SELECT g, g % 1000, g % 13 FROM generate_series(1, 100000) g;
    CREATE INDEX r_idx ON r (a);
    CREATE TABLE w1 (id serial PRIMARY KEY, v int, txt text);
    INSERT INTO w1 (v, txt) SELECT g % 500, 'Row ' || g FROM generate_series(1, 60000) g;
    CREATE INDEX w1_old ON w1 (txt);
    CREATE TABLE w2 (id serial PRIMARY KEY, v int, txt text);
    INSERT INTO w2 (v, txt) SELECT g % 500, 'Row ' || g FROM generate_series(1, 60000) g;
    CREATE INDEX w2_v ON w2 (v);
    ANALYZE;
  `);
});

describe('online', () => {
  it('replaces an index without a moment when its name is missing', async () => {
    const reader = await db.connect();
    await reader.query('SET enable_seqscan = off');
    let applying = true;
    let polls = 0;
    let missing = 0;
    let usedIndex = 0;
    const reading = (async () => {
      while (applying) {
        const { rows } = await reader.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'r_idx'`);
        if (rows[0]!.n !== 1) missing += 1;
        const plan = await reader.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT count(*) FROM r WHERE a = 5`);
        if (plan.rows.some((row) => row['QUERY PLAN'].includes('r_idx'))) usedIndex += 1;
        await reader.query(`SELECT count(*) FROM r WHERE a = 5`);
        polls += 1;
      }
    })();

    // An old snapshot holds the new index's build in its last wait until the reader has looked more
    // than ten times while the replace runs, however fast or slow either goes.
    const snapshot = await holdOldSnapshot(db);
    const events = recorder();
    const replacing = executePlan(
      targetFor(db.url),
      [replaceAction(index('r', 'r_idx', { columns: [column('a'), column('b')] }), 'CREATE INDEX r_idx ON public.r USING btree (a)')],
      testSettings(),
      { listener: events.listener, pollIntervalMs: 100 },
    );
    await events.when((e) => e.type === 'progress' && e.phase === 'waiting for old snapshots');
    const pollsBefore = polls;
    await until(async () => (polls > pollsBefore + 10 ? true : undefined), 'the reader to look ten times during the build');
    await snapshot.release();
    const result = await replacing;
    applying = false;
    await reading;

    expect(result.statuses).toEqual(['done']);
    expect(polls).toBeGreaterThan(10);
    expect(missing).toBe(0);
    expect(usedIndex).toBe(polls);
    expect(events.of('step-started').map((e) => e.kind)).toEqual(['build', 'swap', 'drop']);
    const { rows } = await db.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'r' ORDER BY 1`,
    );
    expect(rows).toEqual([{ name: 'r_idx', def: 'CREATE INDEX r_idx ON public.r USING btree (a, b)' }]);
  });

  it('never makes a writer fail or wait a second while it creates, replaces and drops indexes', async () => {
    const writer = await db.connect();
    let applying = true;
    // How long each write took on the server (from the statement's arrival to its row), lock waits
    // included: the client's own clock would also count a busy machine's scheduling delays.
    const latencies: number[] = [];
    const failures: string[] = [];
    const timed = ' RETURNING (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS ms';
    const writing = (async () => {
      for (let i = 0; applying; i += 1) {
        const statements = [
          [`INSERT INTO w1 (v, txt) VALUES ($1, $2)`, [i % 500, `New ${i}`]],
          [`UPDATE w2 SET v = v + 1, txt = txt || '.' WHERE id = $1`, [1 + ((i * 7919) % 60000)]],
          [`INSERT INTO w2 (v, txt) VALUES ($1, $2)`, [i % 500, `New ${i}`]],
          [`UPDATE w1 SET v = v + 1 WHERE id = $1`, [1 + ((i * 104729) % 60000)]],
        ] as const;
        for (const [sql, params] of statements) {
          try {
            const { rows } = await writer.query<{ ms: number }>(sql + timed, [...params]);
            latencies.push(...rows.map((row) => row.ms));
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }
    })();

    // An old snapshot holds the first builds in their last wait until more than a hundred writes went
    // in beside the apply, however fast or slow either goes.
    const snapshot = await holdOldSnapshot(db);
    const events = recorder();
    const running = executePlan(
      targetFor(db.url),
      [
        createAction(index('w1', 'w1_v', { columns: [column('v')] }), { tableBytes: 10 }),
        createAction(index('w1', 'w1_lower_txt', { columns: [expression('lower(txt)')] }), { tableBytes: 10 }),
        dropAction('w1', 'w1_old'),
        replaceAction(index('w2', 'w2_v', { columns: [column('v'), column('id')] }), 'CREATE INDEX w2_v ON public.w2 USING btree (v)', { tableBytes: 10 }),
        createAction(index('w2', 'w2_txt', { columns: [column('txt')], where: "txt LIKE 'New%'" }), { tableBytes: 10 }),
      ],
      // A statement of the apply that waited for a lock would hold the writes queued behind it for up to
      // its lock timeout: long enough to stand out from the one-second bound below.
      testSettings({ concurrency: 2, lockTimeoutMs: 5_000 }),
      { listener: events.listener, pollIntervalMs: 100 },
    );
    await events.when((e) => e.type === 'progress' && e.phase === 'waiting for old snapshots');
    const writesBefore = latencies.length + failures.length;
    await until(async () => (latencies.length + failures.length > writesBefore + 100 ? true : undefined), 'a hundred writes during the apply');
    await snapshot.release();
    const result = await running;
    // Keep writing a little after the apply, so that its last statements overlapped writes too.
    const writesAfter = latencies.length + failures.length;
    await until(async () => (latencies.length + failures.length >= writesAfter + 8 ? true : undefined), 'writes after the apply');
    applying = false;
    await writing;

    expect(result).toMatchObject({ statuses: ['done', 'done', 'done', 'done', 'done'], failed: 0 });
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(100);
    // Writes take about a millisecond; one that waited behind the apply's locks would take seconds.
    // A second is generous for a busy machine and still far below such a wait.
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    const { rows } = await db.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid IN ('public.w1'::regclass, 'public.w2'::regclass) ORDER BY 1`,
    );
    expect(rows).toEqual(
      ['w1_lower_txt', 'w1_pkey', 'w1_v', 'w2_pkey', 'w2_txt', 'w2_v'].map((name) => ({ name, valid: true })),
    );
    // The expression index was followed by ANALYZE.
    expect(events.of('step-started').filter((e) => e.kind === 'analyze').map((e) => e.sql)).toEqual(['ANALYZE public.w1']);
  });
});
