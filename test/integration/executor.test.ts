import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/core/events.js';
import { executePlan, tableQueues } from '../../src/io/executor.js';
import { until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { column, createAction, dropAction, expression, index, recorder, replaceAction, skipAction, targetFor, testSettings } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE a (id int, x int, y int);
    CREATE TABLE b (id int, x int, y int);
    CREATE TABLE idle (id int);
    INSERT INTO a SELECT g, g % 1000, g % 77 FROM generate_series(1, 60000) g;
    INSERT INTO b SELECT g, g % 1000, g % 77 FROM generate_series(1, 60000) g;
    INSERT INTO idle VALUES (1);
    CREATE TABLE users (id int, email text);
    INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 20000) g;
    INSERT INTO users VALUES (20001, 'user7@example.com');
    CREATE TABLE notes (id int, body text);
    INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 2000) g;
    INSERT INTO notes VALUES (2001, 'Same'), (2002, 'same');
    CREATE TABLE orders (id int, user_id int);
    INSERT INTO orders SELECT g, g % 500 FROM generate_series(1, 20000) g;
    ANALYZE;
  `);
});

async function invalidIndexes(): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid OR NOT i.indisready`,
  );
  return rows.map((r) => r.name);
}

describe('executePlan', () => {
  it('builds on two tables at the same time and never overlaps actions on one table', async () => {
    // An open REPEATABLE READ snapshot on a third table holds every build in "waiting for old snapshots",
    // so both workers are seen building at once, deterministically.
    const holder = await db.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM idle');
    const actions = [
      createAction(index('a', 'a_x', { columns: [column('x')] }), { tableBytes: 1_000 }),
      createAction(index('a', 'a_y', { columns: [column('y')] }), { tableBytes: 1_000 }),
      createAction(index('b', 'b_x', { columns: [column('x')] }), { tableBytes: 2_000 }),
      createAction(index('b', 'b_y', { columns: [column('y')] }), { tableBytes: 2_000 }),
    ];
    const events = recorder();
    const applying = executePlan(targetFor(db.url), actions, testSettings({ concurrency: 2 }), { listener: events.listener, pollIntervalMs: 100 });

    const watcher = await db.connect();
    const together = await until(async () => {
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_progress_create_index WHERE datname = current_database() AND phase = 'waiting for old snapshots'`,
      );
      return rows.length >= 2 ? rows.map((r) => r.pid) : undefined;
    }, 'two builds in "waiting for old snapshots" at once');
    // Long enough for the monitor (polling every 100 ms) to see the wait.
    await events.when((e) => e.type === 'waiting' && e.actionId === 0);
    await events.when((e) => e.type === 'waiting' && e.actionId === 2);
    await holder.query('COMMIT');
    const result = await applying;

    expect(result).toMatchObject({ statuses: ['done', 'done', 'done', 'done'], failed: 0, interrupted: false });
    const started = events.of('action-started');
    expect(new Set(started.map((e) => e.pid)).size).toBe(2);
    expect(together.sort()).toEqual([...new Set(started.map((e) => e.pid))].sort());


    // Per table, each action starts after the previous one ended.
    const spans = new Map<number, { start: number; end: number; seq: number }>();
    events.events.forEach((event, seq) => {
      if (event.type === 'action-started') spans.set(event.actionId, { start: seq, end: Infinity, seq });
      if (event.type === 'action-done') spans.get(event.actionId)!.end = seq;
    });
    for (const [first, second] of [
      [0, 1],
      [2, 3],
    ] as const) {
      expect(spans.get(first)!.end).toBeLessThan(spans.get(second)!.start);
    }
    // The two tables did overlap in time.
    expect(spans.get(0)!.start).toBeLessThan(spans.get(2)!.end);

    expect(events.events[0]!.type).toBe('planned');
    expect(events.events.at(-1)).toMatchObject({ type: 'summary', done: 4, failed: 0, skipped: 0, cancelled: 0, interrupted: false });
    const { rows } = await db.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('a_x', 'a_y', 'b_x', 'b_y') ORDER BY 1`,
    );
    expect(rows).toEqual(['a_x', 'a_y', 'b_x', 'b_y'].map((name) => ({ name, valid: true })));
    const phases = new Set(events.of('progress').map((e) => e.phase));
    expect(phases.has('waiting for old snapshots')).toBe(true);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    for (const waiting of events.of('waiting').filter((e) => e.actionId === 0 || e.actionId === 2)) {
      expect(waiting.what).toBe('old snapshots (transactions older than the build)');
      expect(waiting.blockers.map((b) => b.pid)).toEqual([holderPid]);
    }
  });

  it('reports a unique build over duplicates with the database words, drops its leftover and goes on with the same table', async () => {
    const events = recorder();
    // The failing build comes first in its table's queue: the two after it on the same table still run.
    const actions = [
      createAction(index('users', 'users_email_key', { unique: true, columns: [column('email')] }), { tableBytes: 10 }),
      createAction(index('users', 'users_id_idx', { columns: [column('id')] }), { tableBytes: 10 }),
      createAction(index('users', 'users_email_idx', { columns: [column('email')] }), { tableBytes: 10 }),
      createAction(index('orders', 'orders_user_id_idx', { columns: [column('user_id')] }), { tableBytes: 5 }),
    ];
    const result = await executePlan(targetFor(db.url), actions, testSettings({ concurrency: 2 }), { listener: events.listener });

    expect(result.statuses).toEqual(['failed', 'done', 'done', 'done']);
    expect(result.failed).toBe(1);
    const failures = events.of('action-failed');
    expect(failures.map((e) => e.actionId)).toEqual([0]);
    expect(failures[0]!.error).toEqual({
      code: '23505',
      message: 'could not create unique index "users_email_key"',
      detail: 'Key (email)=(user7@example.com) is duplicated.',
    });
    expect(failures[0]!.cleanedUp).toEqual(['public.users_email_key']);
    expect(failures[0]!.leftBehind).toEqual([]);
    // In plan order on one worker: each of the table's actions starts after the one before it ended.
    const users = events.events.flatMap((e) =>
      (e.type === 'action-started' || e.type === 'action-done' || e.type === 'action-failed') && e.actionId <= 2 ? [`${e.type} ${e.actionId}`] : [],
    );
    expect(users).toEqual(['action-started 0', 'action-failed 0', 'action-started 1', 'action-done 1', 'action-started 2', 'action-done 2']);
    expect(new Set(events.of('action-started').filter((e) => e.actionId <= 2).map((e) => e.pid)).size).toBe(1);
    expect(await invalidIndexes()).toEqual([]);
    const { rows } = await db.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid IN ('users'::regclass, 'orders'::regclass) ORDER BY 1`,
    );
    expect(rows).toEqual([
      { name: 'orders_user_id_idx', valid: true },
      { name: 'users_email_idx', valid: true },
      { name: 'users_id_idx', valid: true },
    ]);
    expect(events.events.at(-1)).toMatchObject({ type: 'summary', done: 3, failed: 1, skipped: 0, cancelled: 0, interrupted: false });
  });

  it('runs the table’s ANALYZE when the action carrying it fails, so an index built before it gets statistics', async () => {
    const events = recorder();
    // As the plan orders them: one ANALYZE per table, on its last expression build, here the failing one.
    const actions = [
      createAction(index('notes', 'notes_lower_body_idx', { columns: [expression('lower(body)')] }), { analyzeAfterBuild: false }),
      createAction(index('notes', 'notes_lower_body_key', { unique: true, columns: [expression('lower(body)')] })),
    ];
    expect(actions[1]!.steps.map((step) => step.kind)).toEqual(['build', 'analyze']);
    const result = await executePlan(targetFor(db.url), actions, testSettings(), { listener: events.listener, monitor: false });

    expect(result.statuses).toEqual(['done', 'failed']);
    const failure = events.of('action-failed')[0]!;
    expect(failure.error).toMatchObject({ code: '23505', detail: 'Key (lower(body))=(same) is duplicated.' });
    expect(events.of('step-started').filter((e) => e.actionId === 1).map((e) => `${e.step} ${e.kind}: ${e.sql}`)).toEqual([
      '0 build: CREATE UNIQUE INDEX CONCURRENTLY notes_lower_body_key ON public.notes USING btree (lower(body))',
      '1 analyze: ANALYZE public.notes',
    ]);
    // ANALYZE keeps statistics of an expression index's expressions under the index itself.
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_statistic WHERE starelid = 'notes_lower_body_idx'::regclass`);
    expect(rows).toEqual([{ n: 1 }]);
    expect(await invalidIndexes()).toEqual([]);
  });

  it('holds back only an action that needs what the failed one was to do: a replace whose parking name a failed drop did not free', async () => {
    await db.query(`
      CREATE TABLE swaps (id int, v int);
      INSERT INTO swaps SELECT g, g % 10 FROM generate_series(1, 2000) g;
      CREATE INDEX swaps_v ON swaps (id);
      CREATE INDEX swaps_v_reconcile_old ON swaps (v);
    `);
    try {
      // A reader's open transaction: DROP INDEX CONCURRENTLY waits for it and gives up at the lock timeout.
      const reader = await db.connect();
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM swaps');
      const events = recorder();
      const actions = [
        dropAction('swaps', 'swaps_v_reconcile_old'),
        replaceAction(index('swaps', 'swaps_v', { columns: [column('v')] }), 'CREATE INDEX swaps_v ON public.swaps USING btree (id)'),
        createAction(index('swaps', 'swaps_id_idx', { columns: [column('id')] })),
      ];
      const result = await executePlan(targetFor(db.url), actions, testSettings({ lockTimeoutMs: 200, retries: 0 }), {
        listener: (event) => {
          events.listener(event);
          if (event.type === 'action-failed' && event.actionId === 0) void reader.query('COMMIT');
        },
        monitor: false,
      }).finally(async () => {
        await reader.query('COMMIT').catch(() => undefined);
        await reader.end();
      });

      expect(result.statuses).toEqual(['failed', 'failed', 'done']);
      const failures = events.of('action-failed');
      expect(failures.map((e) => [e.actionId, e.error.message])).toEqual([
        [0, expect.stringMatching(/^canceling statement due to lock timeout: timed out waiting for .* \(1 attempt, lock_timeout 200 ms each\)/)],
        [1, 'not run: public.swaps_v_reconcile_old still exists, and it needs that name: drop swaps_v_reconcile_old on public.swaps failed before it'],
      ]);
      // Nothing of the replace ran: no build to throw away at its swap.
      expect(events.events.filter((e) => 'actionId' in e && e.actionId === 1).map((e) => e.type)).toEqual(['action-failed']);
      const { rows } = await db.query<{ name: string; valid: boolean; def: string }>(
        `SELECT c.relname AS name, i.indisvalid AS valid, pg_get_indexdef(c.oid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = 'swaps'::regclass ORDER BY 1`,
      );
      expect(rows).toEqual([
        { name: 'swaps_id_idx', valid: true, def: 'CREATE INDEX swaps_id_idx ON public.swaps USING btree (id)' },
        { name: 'swaps_v', valid: true, def: 'CREATE INDEX swaps_v ON public.swaps USING btree (id)' },
        // Left invalid by the timed-out drop: the next plan drops it.
        { name: 'swaps_v_reconcile_old', valid: false, def: 'CREATE INDEX swaps_v_reconcile_old ON public.swaps USING btree (v)' },
      ]);
    } finally {
      await db.query('DROP INDEX IF EXISTS swaps_v_reconcile_old');
    }
  });

  it('queues each table on its own, heaviest table first, keeping plan order within a table', () => {
    const actions = [
      createAction(index('a', 'a_1'), { tableBytes: 10 }),
      dropAction('c', 'c_old'),
      createAction(index('b', 'b_1'), { tableBytes: 30 }),
      createAction(index('a', 'a_2'), { tableBytes: 10 }),
      skipAction('b', 'b_building'),
      createAction(index('d', 'd_1'), { tableBytes: 10 }),
    ];
    expect(tableQueues(actions).map((queue) => [queue.table.name, queue.bytes, queue.items.map((item) => item.id)])).toEqual([
      ['b', 30, [2]],
      ['a', 10, [0, 3]],
      ['d', 10, [5]],
      ['c', 0, [1]],
    ]);
  });

  it('runs nothing for a skip and reports it as skipped', async () => {
    const events = recorder();
    const result = await executePlan(targetFor(db.url), [skipAction('orders', 'orders_other')], testSettings(), { listener: events.listener });
    expect(result).toMatchObject({ statuses: ['skipped'], failed: 0, interrupted: false });
    expect(events.events.map((e: ApplyEvent) => e.type)).toEqual(['planned', 'summary']);
    expect(events.events.at(-1)).toMatchObject({ skipped: 1, done: 0 });
  });

  it('cleans up a build stopped by statement_timeout and keeps the database words', async () => {
    const events = recorder();
    const result = await executePlan(
      targetFor(db.url),
      [createAction(index('a', 'a_id_slow', { columns: [column('id'), column('x'), column('y')] }))],
      testSettings({ statementTimeoutMs: 1 }),
      { listener: events.listener, monitor: false },
    );
    expect(result.statuses).toEqual(['failed']);
    const failure = events.of('action-failed')[0]!;
    expect(failure.error).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(await invalidIndexes()).toEqual([]);
  });
});
