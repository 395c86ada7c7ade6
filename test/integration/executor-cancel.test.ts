/* Ctrl-C and lost connections: nothing new starts, running builds are cancelled, nothing invalid stays. */
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/io/executor.js';
import { until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { column, commentAction, createAction, dropAction, index, recorder, targetFor, testSettings } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE k (id int, v int);
    INSERT INTO k SELECT g, g % 1000 FROM generate_series(1, 50000) g;
    CREATE INDEX k_v ON k (v);
    CREATE TABLE z (id int);
    INSERT INTO z SELECT g FROM generate_series(1, 20000) g;
    CREATE TABLE later (id int);
    CREATE TABLE w (id int);
    CREATE INDEX w_id ON w (id);
    CREATE TABLE other (id int);
    INSERT INTO other VALUES (1);
    ANALYZE;
  `);
});

async function invalidIndexes(): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid OR NOT i.indisready`,
  );
  return rows.map((r) => r.name);
}

/** Waits until no session of the apply is left (a closed client's backend goes a moment after its socket). */
async function noReconcileBackends(): Promise<void> {
  await until(async () => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'reconcile'`,
    );
    return rows[0]!.n === 0 ? true : undefined;
  }, 'the apply to close its sessions');
}

describe('cancellation', () => {
  it('cancels a running build, drops what it left, starts nothing new and closes its sessions', async () => {
    const holder = await db.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM other');

    const controller = new AbortController();
    const events = recorder();
    const applying = executePlan(
      targetFor(db.url),
      [
        // A cancelled unique build in a wait phase is ready (it enforces uniqueness) but invalid: it must go.
        createAction(index('k', 'k_id_key', { unique: true, columns: [column('id')] }), { tableBytes: 100 }),
        commentAction('k', 'k_v', 'never runs'),
        createAction(index('z', 'z_id', { columns: [column('id')] }), { tableBytes: 50 }),
        createAction(index('later', 'later_id', { columns: [column('id')] }), { tableBytes: 1 }),
      ],
      testSettings({ concurrency: 2 }),
      { listener: events.listener, signal: controller.signal, pollIntervalMs: 50 },
    );
    await events.when((e) => e.type === 'waiting' && e.actionId === 0);
    await events.when((e) => e.type === 'waiting' && e.actionId === 2);
    const ready = await db.query<{ ready: boolean; valid: boolean }>(
      `SELECT indisready AS ready, indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.k_id_key'::regclass`,
    );
    expect(ready.rows).toEqual([{ ready: true, valid: false }]);

    controller.abort();
    const result = await applying;
    await holder.query('ROLLBACK');

    expect(result).toMatchObject({ statuses: ['cancelled', 'cancelled', 'cancelled', 'cancelled'], failed: 0, interrupted: true });
    const cancelled = events.of('action-cancelled');
    expect(cancelled.map((e) => e.actionId).sort()).toEqual([0, 1, 2, 3]);
    expect(cancelled.find((e) => e.actionId === 0)).toMatchObject({ cleanedUp: ['public.k_id_key'], leftBehind: [] });
    expect(cancelled.find((e) => e.actionId === 2)).toMatchObject({ cleanedUp: ['public.z_id'], leftBehind: [] });
    expect(cancelled.find((e) => e.actionId === 3)).toMatchObject({ cleanedUp: [], leftBehind: [] });
    // Nothing was started after the abort.
    expect(events.of('action-started').map((e) => e.actionId).sort()).toEqual([0, 2]);
    expect(events.events.at(-1)).toMatchObject({ type: 'summary', cancelled: 4, done: 0, interrupted: true });

    expect(await invalidIndexes()).toEqual([]);
    const { rows } = await db.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('k', 'z', 'later') ORDER BY 1`);
    expect(rows.map((r) => r.name)).toEqual(['k_v']);
    await noReconcileBackends();
    // Its uniqueness went with it.
    await db.query('INSERT INTO k VALUES (1, 1)');
  });

  it('starts nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const events = recorder();
    const result = await executePlan(targetFor(db.url), [createAction(index('z', 'z_never', { columns: [column('id')] }))], testSettings(), {
      listener: events.listener,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ statuses: ['cancelled'], interrupted: true });
    expect(events.events.map((e) => e.type)).toEqual(['planned', 'action-cancelled', 'summary']);
  });

  it('wakes a worker sleeping before a retry', async () => {
    const blocker = await db.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE w IN ACCESS EXCLUSIVE MODE');
    const controller = new AbortController();
    const events = recorder();
    // A delay of an hour: an apply that ends within the test's time limit was woken, not timed out.
    const hour = 3_600_000;
    const applying = executePlan(targetFor(db.url), [dropAction('w', 'w_id')], testSettings({ lockTimeoutMs: 100, retries: 5 }), {
      listener: events.listener,
      signal: controller.signal,
      backoff: { baseMs: hour, maxMs: hour },
    });
    const retry = await events.when((e) => e.type === 'retry');
    expect(retry).toMatchObject({ attempt: 1, delayMs: expect.any(Number) });
    if (retry.type === 'retry') expect(retry.delayMs).toBeGreaterThanOrEqual(0.75 * hour);
    controller.abort();
    const result = await applying;
    await blocker.query('ROLLBACK');
    expect(result).toMatchObject({ statuses: ['cancelled'], interrupted: true });
    // It did not try again after the abort: one attempt, one retry announced, then the cancellation
    // (what the monitor saw of the lock wait aside).
    const told = events.events.map((e) => e.type).filter((type) => type !== 'waiting' && type !== 'progress');
    expect(told).toEqual(['planned', 'action-started', 'step-started', 'retry', 'action-cancelled', 'summary']);
  });
});

describe('a lost connection', () => {
  it('fails the build whose backend was terminated and drops what it left', async () => {
    const holder = await db.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM other');
    const events = recorder();
    const applying = executePlan(targetFor(db.url), [createAction(index('z', 'z_lost', { columns: [column('id')] }))], testSettings(), {
      listener: events.listener,
      pollIntervalMs: 50,
    });
    const started = await events.when((e) => e.type === 'action-started');
    await events.when((e) => e.type === 'waiting');
    if (started.type !== 'action-started') throw new Error('unreachable');
    await holder.query('SELECT pg_terminate_backend($1)', [started.pid]);
    await holder.query('ROLLBACK');
    const result = await applying;

    expect(result.statuses).toEqual(['failed']);
    const failure = events.of('action-failed')[0]!;
    expect(failure.error.code).toBe('57P01');
    expect(failure.error.message).toMatch(/^connection lost: terminating connection due to administrator command/);
    expect(failure.cleanedUp).toEqual(['public.z_lost']);
    expect(await invalidIndexes()).toEqual([]);
  });

  it('treats a build whose connection dropped as done when the server finished it', async () => {
    // A TCP proxy in front of the server, so that the client's socket can be cut while its backend goes
    // on, and so that the apply's new connections can be held until the server has finished the build.
    const upstream = new URL(db.url);
    const pairs: net.Socket[][] = [];
    const held: net.Socket[] = [];
    let holding = false;
    const forward = (client: net.Socket): void => {
      const server = net.connect(Number(upstream.port), upstream.hostname);
      pairs.push([client, server]);
      client.pipe(server);
      server.pipe(client);
      server.on('error', () => undefined);
    };
    const proxy = net.createServer((client) => {
      client.on('error', () => undefined);
      if (holding) held.push(client);
      else forward(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(db.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((proxy.address() as net.AddressInfo).port);

    const holder = await db.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM other');
    const events = recorder();
    const applying = executePlan(targetFor(proxied.toString()), [createAction(index('z', 'z_orphan', { columns: [column('id')] }))], testSettings(), {
      listener: events.listener,
      pollIntervalMs: 50,
    });
    const started = await events.when((e) => e.type === 'action-started');
    await events.when((e) => e.type === 'waiting');
    if (started.type !== 'action-started') throw new Error('unreachable');
    // Cut every proxied connection: the build's backend does not notice until it has finished.
    holding = true;
    for (const pair of pairs.splice(0)) for (const socket of pair) socket.destroy();
    // The apply saw its connections die once it connects again (to watch the build it lost).
    await until(async () => (held.length > 0 ? true : undefined), 'the apply to connect again after the cut');
    const still = await db.query<{ phase: string }>('SELECT phase FROM pg_stat_progress_create_index WHERE pid = $1', [started.pid]);
    expect(still.rows).toEqual([{ phase: 'waiting for old snapshots' }]);
    // The server finishes the build on its own once the old snapshot is gone.
    await holder.query('COMMIT');
    await until(async () => {
      const { rows } = await db.query<{ valid: boolean; building: boolean }>(
        `SELECT i.indisvalid AS valid, EXISTS (SELECT FROM pg_stat_progress_create_index WHERE pid = $1) AS building
           FROM pg_index i WHERE i.indexrelid = 'public.z_orphan'::regclass`,
        [started.pid],
      );
      return rows[0]?.valid && !rows[0].building ? true : undefined;
    }, 'the server to finish the orphaned build');
    holding = false;
    for (const client of held.splice(0)) forward(client);
    const result = await applying;
    proxy.close();

    expect(result.statuses).toEqual(['done']);
    const { rows } = await db.query<{ valid: boolean }>(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.z_orphan'::regclass`);
    expect(rows).toEqual([{ valid: true }]);
  });
});
