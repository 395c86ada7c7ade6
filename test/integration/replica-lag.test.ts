/*
 * The replica-lag gate against a real streaming standby: with replay paused on the standby and WAL
 * written on the primary, the next build waits and says so; resuming replay lets it proceed; a wait
 * longer than maxReplicaLagWait fails that action only; Ctrl-C during the wait stops cleanly.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexKey } from '../../src/core/model.js';
import { reindexAction } from '../../src/core/plan-reindex.js';
import { withSession } from '../../src/io/db.js';
import { executePlan } from '../../src/io/executor.js';
import { readReplicaLag } from '../../src/io/replica-lag.js';
import { main } from '../../src/main.js';
import { until } from '../helpers/cli.js';
import { captureContext } from '../helpers/in-process.js';
import { column, commentAction, createAction, index, recorder, targetFor, testSettings } from '../helpers/plan-fixtures.js';
import { liveIndex } from '../helpers/model-builders.js';
import { startPrimaryWithStandby, type Replicated } from '../helpers/standby.js';

const MB = 1024 ** 2;
let servers: Replicated;
let appUrl: string;

beforeAll(async () => {
  servers = await startPrimaryWithStandby('standby-1');
  await servers.query(servers.primary, 'CREATE DATABASE app');
  appUrl = servers.primary.url('app');
  await servers.query(
    servers.primary,
    `CREATE TABLE t (id int, v int);
     INSERT INTO t SELECT g, g % 100 FROM generate_series(1, 5000) g;
     CREATE TABLE c (id int);
     CREATE INDEX c_id ON c (id);`,
    'app',
  );
}, 180_000);

afterAll(async () => {
  await servers?.stop();
});

async function lagOfStandby(): Promise<number> {
  const replicas = await withSession(targetFor(appUrl), readReplicaLag);
  return replicas.find((r) => r.name === 'standby-1')?.lagBytes ?? 0;
}

/** Pauses replay on the standby and writes WAL on the primary until the standby is more than `bytes` behind. */
async function fallBehind(bytes: number): Promise<void> {
  await servers.query(servers.standby, 'SELECT pg_wal_replay_pause()');
  await until(async () => ((await servers.query<{ p: boolean }>(servers.standby, 'SELECT pg_is_wal_replay_paused() AS p'))[0]!.p ? true : undefined), 'replay to pause');
  await servers.query(servers.primary, `CREATE TABLE IF NOT EXISTS filler (g int, pad text); INSERT INTO filler SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`, 'app');
  await until(async () => ((await lagOfStandby()) > bytes ? true : undefined), `the standby to be ${bytes} bytes behind`);
}

async function catchUp(): Promise<void> {
  await servers.query(servers.standby, 'SELECT pg_wal_replay_resume()');
  await until(async () => ((await lagOfStandby()) === 0 ? true : undefined), 'the standby to catch up');
}

async function indexNames(): Promise<{ name: string; valid: boolean }[]> {
  return servers.query(servers.primary, `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 't\\_%' ORDER BY 1`, 'app');
}

describe('replica-lag gate', () => {
  it('reads the standby by its application_name, and no lag once it has replayed everything', async () => {
    await catchUp();
    // The primary may write WAL of its own (a checkpoint) at any time: read until a moment with nothing to replay.
    const caughtUp = await until(async () => {
      const replicas = await withSession(targetFor(appUrl), readReplicaLag);
      return replicas.every((r) => r.lagBytes === 0) ? replicas : undefined;
    }, 'a read with nothing left to replay');
    expect(caughtUp).toEqual([{ name: 'standby-1', lagBytes: 0 }]);
  });

  it('holds a build while the standby is behind, says so, and builds once replay resumes', async () => {
    await fallBehind(MB);
    const events = recorder();
    const applying = executePlan(targetFor(appUrl), [createAction(index('t', 't_v', { columns: [column('v')] }))], testSettings({ maxReplicaLagBytes: MB }), {
      listener: events.listener,
      replicaLagPollMs: 50,
    });
    const waiting = await events.when((e) => e.type === 'waiting');
    expect(waiting).toMatchObject({ actionId: 0, blockers: [], replicaLag: { maxLagBytes: MB, replicas: [{ name: 'standby-1' }] } });
    expect(waiting.type === 'waiting' && waiting.what).toMatch(/^replica lag: \d+(\.\d)? MB > 1 MB on standby-1$/);
    // Held before the build: no index and no build yet.
    expect(await indexNames()).toEqual([]);
    expect(await servers.query(servers.primary, 'SELECT pid FROM pg_stat_progress_create_index', 'app')).toEqual([]);

    await servers.query(servers.standby, 'SELECT pg_wal_replay_resume()');
    const result = await applying;
    expect(result.statuses).toEqual(['done']);
    expect(await indexNames()).toEqual([{ name: 't_v', valid: true }]);
    // The wait came before the build's own events.
    const types = events.events.map((e) => e.type);
    expect(types.indexOf('waiting')).toBeLessThan(types.indexOf('action-done'));
  });

  it('gives up after maxReplicaLagWait with a clear failure of that action; the others go on', async () => {
    await fallBehind(MB);
    const events = recorder();
    const result = await executePlan(
      targetFor(appUrl),
      [createAction(index('t', 't_id', { columns: [column('id')] })), commentAction('c', 'c_id', 'still applied')],
      testSettings({ maxReplicaLagBytes: MB, maxReplicaLagWaitMs: 300, concurrency: 2 }),
      { listener: events.listener, replicaLagPollMs: 50 },
    );
    expect(result.statuses).toEqual(['failed', 'done']);
    const failed = events.of('action-failed')[0]!;
    expect(failed.error.message).toMatch(/^gave up after 300ms waiting for replica lag: \d+(\.\d)? MB > 1 MB on standby-1$/);
    expect(failed.error.hint).toBe(
      'The build did not start. Find out why the replica is behind, or raise settings.maxReplicaLagWait (now 300ms) or settings.maxReplicaLag (now 1 MB).',
    );
    expect(failed.cleanedUp).toEqual([]);
    expect(await indexNames()).toEqual([{ name: 't_v', valid: true }]);
    await catchUp();
  });

  it('holds a reindex like a build while the standby is behind, and reindexes once replay resumes', async () => {
    const definition = 'CREATE INDEX c_id ON public.c USING btree (id)';
    const figures = { kind: 'estimated', ratio: 0.5, sizeBytes: 16_384, expectedBytes: 8_192, wastedBytes: 8_192 } as const;
    const facts = { method: 'estimated', indexes: new Map([[indexKey('public', 'c_id'), figures]]), leaves: new Map() } as const;
    const action = reindexAction({ schema: 'public', name: 'c' }, liveIndex('c', 'c_id', definition), { maxBloat: 0.3, minBloatBytes: 0 }, facts);
    expect(action?.steps.map((step) => step.kind)).toEqual(['reindex']);
    const oid = async (): Promise<string> => (await servers.query<{ oid: string }>(servers.primary, "SELECT 'public.c_id'::regclass::oid::text AS oid", 'app'))[0]!.oid;
    const before = await oid();
    await fallBehind(MB);
    const events = recorder();
    const applying = executePlan(targetFor(appUrl), [action!], testSettings({ maxReplicaLagBytes: MB }), { listener: events.listener, replicaLagPollMs: 50 });
    const waiting = await events.when((e) => e.type === 'waiting');
    expect(waiting.type === 'waiting' && waiting.what).toMatch(/^replica lag: \d+(\.\d)? MB > 1 MB on standby-1$/);
    // Held before the reindex: the index is the same relation, and nothing is being built.
    expect(await oid()).toBe(before);
    expect(await servers.query(servers.primary, 'SELECT pid FROM pg_stat_progress_create_index', 'app')).toEqual([]);
    await servers.query(servers.standby, 'SELECT pg_wal_replay_resume()');
    expect((await applying).statuses).toEqual(['done']);
    // REINDEX CONCURRENTLY swaps in a new relation under the same name.
    expect(await oid()).not.toBe(before);
    await catchUp();
  });

  it('stops cleanly on Ctrl-C during the wait', async () => {
    await fallBehind(MB);
    const events = recorder();
    const controller = new AbortController();
    const applying = executePlan(targetFor(appUrl), [createAction(index('t', 't_id', { columns: [column('id')] }))], testSettings({ maxReplicaLagBytes: MB }), {
      listener: events.listener,
      signal: controller.signal,
      replicaLagPollMs: 50,
    });
    await events.when((e) => e.type === 'waiting');
    controller.abort();
    const result = await applying;
    expect(result).toMatchObject({ statuses: ['cancelled'], interrupted: true });
    expect(await indexNames()).toEqual([{ name: 't_v', valid: true }]);
    await catchUp();
  });

  it('apply shows the wait in its plain output and builds once the standby catches up', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reconcile-lag-'));
    const manifest = path.join(dir, 'indexes.yaml');
    await fs.writeFile(
      manifest,
      ['version: 1', 'settings:', '  maxReplicaLag: 1MB', '  maxReplicaLagWait: 10min', 'tables:', '  t:', '    indexes:', '      t_v: { columns: [v] }', '      t_id_v: { columns: [id, v] }', ''].join('\n'),
    );
    await fallBehind(MB);
    const { context, out, err } = captureContext({ NO_COLOR: '1', CI: 'true' });
    const running = main(['apply', '-f', manifest, '--database-url', appUrl, '--yes', '--output', 'plain'], context);
    await until(async () => (/waiting/.test(out()) ? true : undefined), 'the wait to be printed');
    expect(out()).toMatch(/Z {2}waiting {3}public\.t t_id_v for replica lag: \d+(\.\d)? MB > 1 MB on standby-1\n/);
    await servers.query(servers.standby, 'SELECT pg_wal_replay_resume()');
    expect(await running).toBe(0);
    expect(err()).toBe('');
    expect(await indexNames()).toEqual([
      { name: 't_id_v', valid: true },
      { name: 't_v', valid: true },
    ]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
