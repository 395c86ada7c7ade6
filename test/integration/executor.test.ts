import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/core/events.js';
import { executePlan, tableQueues } from '../../src/io/executor.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { column, createAction, dropAction, index, recorder, skipAction, targetFor, testSettings } from '../helpers/plan-fixtures.js';

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
    let together: number[] = [];
    const deadline = Date.now() + 15_000;
    while (together.length < 2 && Date.now() < deadline) {
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_progress_create_index WHERE datname = current_database() AND phase = 'waiting for old snapshots'`,
      );
      together = rows.map((r) => r.pid);
      if (together.length < 2) await new Promise((r) => setTimeout(r, 20));
    }
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

  it('reports a unique build over duplicates with the database words, drops its leftover and goes on', async () => {
    const events = recorder();
    const actions = [
      createAction(index('users', 'users_email_key', { unique: true, columns: [column('email')] }), { tableBytes: 10 }),
      createAction(index('users', 'users_id_idx', { columns: [column('id')] }), { tableBytes: 10 }),
      createAction(index('orders', 'orders_user_id_idx', { columns: [column('user_id')] }), { tableBytes: 5 }),
    ];
    const result = await executePlan(targetFor(db.url), actions, testSettings({ concurrency: 2 }), { listener: events.listener });

    expect(result.statuses).toEqual(['failed', 'failed', 'done']);
    expect(result.failed).toBe(2);
    const failures = events.of('action-failed');
    const first = failures.find((e) => e.actionId === 0)!;
    expect(first.error).toMatchObject({
      code: '23505',
      message: 'could not create unique index "users_email_key"',
      detail: 'Key (email)=(user7@example.com) is duplicated.',
    });
    expect(first.cleanedUp).toEqual(['public.users_email_key']);
    expect(first.leftBehind).toEqual([]);
    const second = failures.find((e) => e.actionId === 1)!;
    expect(second.error.message).toBe('not run: create of users_email_key on public.users failed before it');
    expect(await invalidIndexes()).toEqual([]);
    const { rows } = await db.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('users_email_key', 'users_id_idx', 'orders_user_id_idx')`,
    );
    expect(rows).toEqual([{ name: 'orders_user_id_idx', valid: true }]);
    expect(events.events.at(-1)).toMatchObject({ type: 'summary', done: 1, failed: 2, interrupted: false });
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
