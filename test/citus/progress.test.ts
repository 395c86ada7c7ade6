/*
 * Progress per worker: while one shard's build waits for a lock on a worker, the others finish; the NDJSON
 * and plain output show the shards built of total rising and the waiting worker's phase.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop, freshCitusDatabase, lockOneShard, ordersIndexManifest, shardIndexes, type CitusDatabase } from './cluster.js';

let db: CitusDatabase;

beforeAll(async () => {
  db = freshCitusDatabase('citus_progress');
  await createShop(db, 20_000);
});

afterAll(async () => {
  await db.end();
});

describe('a distributed build', () => {
  it('shows its shards built of total and a worker phase in NDJSON', async () => {
    db.manifest(ordersIndexManifest('orders_tenant_created', 'tenant_id, created_at'));
    const lock = await lockOneShard(db);
    const other = db.workerPorts[1];
    const run = db.startCli(['apply', '--yes', '--output', 'json']);
    try {
      // The locked shard's build waits; the other worker's shards (and maybe some of the first's) are built.
      await run.waitForOutput(
        new RegExp(
          `"shards":\\{"built":[4-7],"total":8,"workers":\\[\\{"node":"127\\.0\\.0\\.1:${lock.port}","built":[0-3],"total":4,"phase":"waiting for writers before build"\\},\\{"node":"127\\.0\\.0\\.1:${other}","built":4,"total":4\\}\\]\\}`,
        ),
        60_000,
      );
    } finally {
      await lock.release();
    }
    const result = await run.result;
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; shards?: { built: number } });
    const built = events.filter((e) => e.type === 'progress' && e.shards).map((e) => e.shards!.built);
    expect(built.length).toBeGreaterThan(0);
    expect(built).toEqual([...built].sort((a, b) => a - b));
    expect((await shardIndexes(db, 'orders')).filter((s) => /^orders_tenant_created_\d+$/.test(s.name) && s.valid)).toHaveLength(8);
  });

  it('shows them in plain lines', async () => {
    db.manifest(ordersIndexManifest('orders_tenant_status', 'tenant_id, status'));
    const lock = await lockOneShard(db);
    const other = db.workerPorts[1];
    const run = db.startCli(['apply', '--yes', '--output', 'plain']);
    try {
      await run.waitForOutput(
        new RegExp(
          `progress  public\\.orders orders_tenant_status \\d+% waiting for writers before build — [4-7] of 8 shards built; 127\\.0\\.0\\.1:${lock.port} waiting for writers before build \\([0-3]/4\\), 127\\.0\\.0\\.1:${other} done \\(4/4\\)`,
        ),
        60_000,
      );
    } finally {
      await lock.release();
    }
    expect((await run.result).code).toBe(0);
  });

  it('says once when the workers cannot be reached, and counts shards through the coordinator', async () => {
    db.manifest(`${ordersIndexManifest('orders_tenant_ext', 'tenant_id, ext_id')}settings:\n  citus:\n    workerUrl: postgres://no_such_role@{host}:{port}/${db.name}\n`);
    const lock = await lockOneShard(db);
    const run = db.startCli(['apply', '--yes', '--output', 'plain']);
    try {
      await run.waitForOutput(/progress  public\.orders orders_tenant_ext \d+% building on the shards — [4-7] of 8 shards built\n/, 60_000);
    } finally {
      await lock.release();
    }
    const result = await run.result;
    expect(result.code).toBe(0);
    const notices = result.stdout.split('\n').filter((line) => line.includes('notice'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`Citus worker 127.0.0.1:${lock.port} cannot be reached for progress (`);
    expect(notices[0]).toContain('shards built are counted through the coordinator. Set settings.citus.workerUrl to reach the workers.');
  });
});
