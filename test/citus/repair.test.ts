/*
 * Shards verified: an index dropped by hand on one shard and made invalid on another, while the
 * coordinator's index looks valid. The plan rebuilds it naming the shards; apply repairs every shard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop, freshCitusDatabase, shardIndexes, SHOP_MANIFEST, type CitusDatabase } from './cluster.js';

let db: CitusDatabase;

beforeAll(async () => {
  db = freshCitusDatabase('citus_repair');
  await createShop(db, 20_000);
  db.manifest(SHOP_MANIFEST);
  const applied = await db.cli(['apply', '--yes', '--output', 'plain']);
  expect(applied.code).toBe(0);
});

afterAll(async () => {
  await db.end();
});

/** The shard ids of orders on a worker, in order. */
async function shardsOn(port: number): Promise<string[]> {
  const rows = await db.sql<{ shardid: string }>(
    `SELECT s.shardid::text AS shardid FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
     WHERE s.logicalrelid = 'orders'::regclass AND n.nodeport = $1 ORDER BY s.shardid`,
    [port],
  );
  return rows.map((r) => r.shardid);
}

describe('a shard index missing on one shard and invalid on another', () => {
  it('is rebuilt by the plan, which names the shards, and repaired by apply', async () => {
    const [first, second] = db.workerPorts;
    const dropped = (await shardsOn(first))[0]!;
    const invalid = (await shardsOn(second))[1]!;
    await db.onWorker(first, `DROP INDEX public.orders_status_${dropped}`);
    await db.onWorker(second, `UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.orders_status_${invalid}'::regclass`);

    const plan = await db.cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`  ! orders_status  1 of 8 shards lacks it: ${dropped}; 1 has it invalid: ${invalid}; builds over `);
    expect(plan.stdout).toContain('Plan: 1 to rebuild.');
    const sql = await db.cli(['plan', '--format', 'sql']);
    expect(sql.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS public.orders_status;\n');
    expect(sql.stdout).toContain('CREATE INDEX CONCURRENTLY orders_status ON public.orders USING btree (status);\n');
    expect(sql.stdout).not.toContain('IF NOT EXISTS');

    const applied = await db.cli(['apply', '--yes', '--output', 'plain']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const shards = (await shardIndexes(db, 'orders')).filter((s) => s.name.startsWith('orders_status_'));
    expect(shards).toHaveLength(8);
    expect(shards.every((s) => s.valid)).toBe(true);
    expect((await db.cli(['plan'])).stdout).toContain('No changes. The indexes match indexes.yaml.');
  });

  it('an undeclared index whose shards are broken is warned about, never dropped', async () => {
    await db.sql('CREATE INDEX CONCURRENTLY orders_ext ON orders (ext_id)');
    const shard = (await shardsOn(db.workerPorts[0]))[0]!;
    await db.onWorker(db.workerPorts[0], `DROP INDEX public.orders_ext_${shard}`);
    const plan = await db.cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`Citus: public.orders_ext is not declared, and 1 of 8 shards lacks it: ${shard}.`);
    expect(plan.stdout).toContain('No changes. The indexes match indexes.yaml.');
  });
});
