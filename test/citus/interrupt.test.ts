/*
 * Interruption of a distributed build: Ctrl-C leaves no invalid index on the coordinator or any shard and
 * exits 130; what a hard kill leaves (the coordinator's backend ended mid-build) the next plan repairs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop, freshCitusDatabase, lockOneShard, ordersIndexManifest, shardIndexes, type CitusDatabase } from './cluster.js';

let db: CitusDatabase;

beforeAll(async () => {
  db = freshCitusDatabase('citus_interrupt');
  await createShop(db, 20_000);
});

afterAll(async () => {
  await db.end();
});

/** Waits until no backend on the coordinator runs the build of `index` any more. */
async function untilNoBuild(index: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const running = await db.sql(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()`, [
      `CREATE INDEX CONCURRENTLY ${index} %`,
    ]);
    if (running.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const activity = await db.sql(`SELECT pid, application_name, state, wait_event_type, wait_event, left(query, 80) AS query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`);
  throw new Error(`the build of ${index} is still running: ${JSON.stringify(activity)}`);
}

async function invalidAnywhere(): Promise<string[]> {
  const invalid = (await db.sql<{ name: string }>(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`)).map((r) => r.name);
  for (const port of db.workerPorts) {
    invalid.push(...(await db.onWorker<{ name: string }>(port, `SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`)).map((r) => `${port}:${r.name}`));
  }
  return invalid;
}

describe('an interrupted distributed build', () => {
  it('Ctrl-C: exit 130, nothing invalid on the coordinator or any shard', async () => {
    db.manifest(ordersIndexManifest('orders_status', 'status'));
    const { release } = await lockOneShard(db);
    const run = db.startCli(['apply', '--yes', '--output', 'plain']);
    try {
      await run.waitForOutput(/progress  public\.orders orders_status .* shards built/, 60_000);
      run.child.kill('SIGINT');
      await run.waitForOutput(/interrupt/, 30_000);
      // The cancel reaches the coordinator's build (and through it the shards') before the lock goes.
      await untilNoBuild('orders_status');
    } finally {
      await release();
    }
    const result = await run.result;
    expect(result.code).toBe(130);
    expect(await invalidAnywhere()).toEqual([]);
    expect((await shardIndexes(db, 'orders')).filter((s) => s.name.startsWith('orders_status_'))).toEqual([]);
  });

  it('a hard kill mid-build: the next plan rebuilds what it left, and apply repairs every shard', async () => {
    db.manifest(ordersIndexManifest('orders_created', 'created_at'));
    const { release } = await lockOneShard(db);
    const run = db.startCli(['apply', '--yes', '--output', 'plain']);
    try {
      await run.waitForOutput(/progress  public\.orders orders_created .* [1-7] of 8 shards built/, 60_000);
      run.child.kill('SIGKILL');
      await run.result;
      // The tool's build on the coordinator dies with it, as on a crash of the machine running the tool.
      await db.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY orders_created %' AND pid <> pg_backend_pid()`);
      await untilNoBuild('orders_created');
    } finally {
      await release();
    }
    const plan = await db.cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/ {2}! orders_created {2}invalid: left by a (failed )?concurrent build/);
    const applied = await db.cli(['apply', '--yes', '--output', 'plain']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await invalidAnywhere()).toEqual([]);
    expect((await shardIndexes(db, 'orders')).filter((s) => s.name.startsWith('orders_created_') && s.valid)).toHaveLength(8);
    expect((await db.cli(['plan'])).stdout).toContain('No changes. The indexes match indexes.yaml.');
  });
});
