import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/core/events.js';
import { readActivity, startMonitor } from '../../src/io/monitor.js';
import { connect } from '../../src/io/db.js';
import { until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { recorder, targetFor } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE big (id int, body text);
    INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 200000) g;
    CREATE TABLE other (id int);
    INSERT INTO other VALUES (1);
    ANALYZE;
  `);
});

const table = { schema: 'public', name: 'big' };

async function pidOf(client: { query: (sql: string) => Promise<{ rows: { pid: number }[] }> }): Promise<number> {
  return (await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

describe('progress monitor', () => {
  it('follows a build through its phases, shows what it waits for, and only speaks when something changed', async () => {
    const builder = await db.connect();
    const builderPid = await pidOf(builder);
    const holder = await db.connect();
    const holderPid = await pidOf(holder);
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM other');

    const events = recorder();
    const monitor = await startMonitor(targetFor(db.url), { listener: events.listener, intervalMs: 20, applicationName: 'reconcile-monitor' });
    monitor.track(builderPid, { actionId: 7, kind: 'build', table });
    const building = builder.query('CREATE INDEX CONCURRENTLY big_body ON big (body)');
    await events.when((e) => e.type === 'waiting');
    // Several polls while nothing changes: no new events. Each poll is a statement of the monitor's
    // backend, so each new query_start seen is one more poll.
    const before = events.events.length;
    const watcher = await db.connect();
    const polls = new Set<string>();
    await until(async () => {
      const { rows } = await watcher.query<{ started: string }>(
        `SELECT query_start::text AS started FROM pg_stat_activity WHERE application_name = 'reconcile-monitor' AND datname = current_database()`,
      );
      for (const row of rows) polls.add(row.started);
      return polls.size >= 6 ? true : undefined;
    }, 'the monitor to poll several times');
    expect(events.events.length).toBe(before);
    // What the last wait counts: the old snapshot, and whatever else was running when it began (a
    // statement of the monitor's own, for one), which ended at once.
    const held = events.of('progress').at(-1)!;
    const { rows: counted } = await watcher.query<{ total: string; done: string }>(
      `SELECT lockers_total::text AS total, lockers_done::text AS done FROM pg_stat_progress_create_index WHERE pid = $1`,
      [builderPid],
    );
    const lockers = { total: Number(counted[0]!.total), done: Number(counted[0]!.done) };
    expect(lockers.done).toBeLessThan(lockers.total);
    await holder.query('COMMIT');
    await building;
    monitor.untrack(builderPid);
    await monitor.stop();

    const progress = events.of('progress');
    expect(progress.length).toBeGreaterThan(2);
    for (const event of progress) {
      expect(event.actionId).toBe(7);
      expect(event.phase).toMatch(/^(initializing|waiting for .+|building index.*|index validation: .+)$/);
      expect(event.fraction).toBeGreaterThanOrEqual(0);
      expect(event.fraction).toBeLessThanOrEqual(1);
    }
    const fractions = progress.map((e) => e.fraction!);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    // Held by the old snapshot, the build said it was in its last wait: 95 % of the build, plus that
    // phase's share for each transaction it no longer waits for.
    expect(held.phase).toBe('waiting for old snapshots');
    expect(held.fraction).toBeCloseTo(0.95 + (0.04 * lockers.done) / lockers.total, 4);
    // Wait phases carry no stale block or tuple counters.
    expect(held.blocksDone).toBeUndefined();
    // No two events in a row say the same thing.
    for (let i = 1; i < progress.length; i += 1) {
      const { at: _a, etaMs: _c, ...previous } = progress[i - 1]!;
      const { at: _b, etaMs: _d, ...current } = progress[i]!;
      expect(current).not.toEqual(previous);
    }
    const waiting = events.of('waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ actionId: 7, what: 'old snapshots (transactions older than the build)' });
    expect(waiting[0]!.blockers).toEqual([
      expect.objectContaining({ pid: holderPid, state: 'idle in transaction', query: 'SELECT count(*) FROM other' }),
    ]);
    expect(waiting[0]!.blockers[0]!.transactionSeconds).toBeGreaterThanOrEqual(0);
  });

  it('polls in single autocommit statements: it never sits in a transaction nor holds a snapshot', async () => {
    const sleeper = await db.connect();
    const sleeperPid = await pidOf(sleeper);
    const events = recorder();
    const monitor = await startMonitor(targetFor(db.url), { listener: events.listener, intervalMs: 10, applicationName: 'reconcile-poller' });
    monitor.track(sleeperPid, { actionId: 1, kind: 'comment', table });
    const sleeping = sleeper.query('SELECT pg_sleep(0.6)');
    const states: { state: string; xmin: string | null }[] = [];
    const watcher = await db.connect();
    // Forty looks at the poller's backend, however long they take.
    let looks = 0;
    await until(
      async () => {
        const { rows } = await watcher.query<{ state: string; xmin: string | null }>(
          `SELECT state, backend_xmin::text AS xmin FROM pg_stat_activity WHERE application_name = 'reconcile-poller'`,
        );
        states.push(...rows);
        looks += 1;
        return looks >= 40 ? true : undefined;
      },
      'forty looks at the poller',
      30_000,
      10,
    );
    await sleeping;
    await monitor.stop();
    expect(states.length).toBeGreaterThan(30);
    for (const { state, xmin } of states) {
      expect(['idle', 'active']).toContain(state);
      if (state === 'idle') expect(xmin).toBeNull();
    }
    // A backend that works and waits on nobody produces no events.
    expect(events.events).toEqual([]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'reconcile-poller'`);
    expect(rows[0]!.n).toBeLessThanOrEqual(1); // the backend may take a moment to exit after stop()
  });

  it('reads lock waits, their lock and blockers in one statement', async () => {
    const blocker = await db.connect();
    const blockerPid = await pidOf(blocker);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE other IN ACCESS EXCLUSIVE MODE');
    const waiter = await db.connect();
    const waiterPid = await pidOf(waiter);
    const waiting = waiter.query('SELECT count(*) FROM other');
    const session = await connect(targetFor(db.url));
    const samples = await until(async () => {
      const read = await readActivity(session, [waiterPid, blockerPid]);
      return read.some((s) => s.pid === waiterPid && s.waitEventType === 'Lock') ? read : undefined;
    }, 'the waiter to wait for its lock');
    await blocker.query('COMMIT');
    await waiting;
    await session.end();
    const sample = samples.find((s) => s.pid === waiterPid)!;
    expect(sample).toMatchObject({ waitEventType: 'Lock', waitEvent: 'relation', lock: { type: 'relation', relation: 'public.other', mode: 'AccessShareLock' } });
    expect(sample.progress).toBeUndefined();
    expect(sample.blockers.map((b) => b.pid)).toEqual([blockerPid]);
    const idle = samples.find((s) => s.pid === blockerPid)!;
    expect(idle).toMatchObject({ blockers: [] });
    expect(idle.lock).toBeUndefined();
  });
});

export type { ApplyEvent };
