/*
 * What Citus refuses is a plan-time error at the manifest's line; a unique build that fails on one shard
 * exits 1 naming the duplicate key, the shard and the worker, and leaves nothing invalid anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop, freshCitusDatabase, shardIndexes, type CitusDatabase } from './cluster.js';

let db: CitusDatabase;

beforeAll(async () => {
  db = freshCitusDatabase('citus_failure');
  await createShop(db, 20_000);
  // Two rows of tenant 7 share an ext_id: unique (tenant_id, ext_id) fails on tenant 7's shard only.
  await db.sql(`UPDATE orders SET ext_id = 12345 WHERE tenant_id = 7 AND id IN (7, 1007)`);
});

afterAll(async () => {
  await db.end();
});

describe('Citus refusals and failures', () => {
  it('a unique index without the distribution column is a plan-time error at its manifest line', async () => {
    db.manifest(`version: 1
tables:
  orders:
    indexes:
      orders_status:
        columns: [status]
      orders_ext_unique:
        unique: true
        columns: [ext_id]
`);
    const plan = await db.cli(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      'indexes.yaml:7:7  tables.orders.indexes.orders_ext_unique  a unique index on the distributed table public.orders must have its distribution column "tenant_id" among its key columns: each shard holds only some of the rows and can enforce uniqueness only within them, so Citus refuses it. Add { column: tenant_id } to columns, or drop unique: true.',
    );
  });

  it('a unique build failing on one shard: exit 1 naming the key, shard and worker; nothing invalid; the other indexes built', async () => {
    const [shard] = await db.sql<{ shard: string; port: number }>(
      `SELECT s.shardid::text AS shard, n.nodeport AS port FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
       WHERE s.shardid = get_shard_id_for_distribution_column('orders', 7)`,
    );
    db.manifest(`version: 1
tables:
  orders:
    indexes:
      orders_ext_uq:
        unique: true
        columns: [tenant_id, ext_id]
      orders_status:
        columns: [status]
      orders_created:
        columns: [created_at]
`);
    const applied = await db.cli(['apply', '--yes', '--output', 'plain']);
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain(
      `failed    public.orders orders_ext_uq after `,
    );
    expect(applied.stdout).toContain(
      `: could not create unique index "orders_ext_uq_${shard!.shard}" (shard ${shard!.shard} on worker 127.0.0.1:${shard!.port}) — Key (tenant_id, ext_id)=(7, 12345) is duplicated. [dropped public.orders_ext_uq again]`,
    );
    expect(await db.sql(`SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid`)).toEqual([]);
    for (const port of db.workerPorts) expect(await db.onWorker(port, `SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid`)).toEqual([]);
    const shards = await shardIndexes(db, 'orders');
    expect(shards.filter((s) => s.name.startsWith('orders_ext_uq'))).toEqual([]);
    for (const index of ['orders_status', 'orders_created']) {
      expect(shards.filter((s) => s.name.startsWith(`${index}_`) && s.valid)).toHaveLength(8);
    }
  });

  it('a columnar table takes btree and hash indexes only: another method is a plan-time error', async () => {
    await db.sql('CREATE EXTENSION IF NOT EXISTS citus_columnar');
    await db.sql('CREATE TABLE events (id bigint, payload jsonb) USING columnar');
    await db.sql(`INSERT INTO events SELECT g, '{}' FROM generate_series(1, 1000) g`);
    db.manifest(`version: 1
tables:
  events:
    indexes:
      events_id:
        columns: [id]
      events_payload:
        method: gin
        columns: [payload]
`);
    const plan = await db.cli(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      "indexes.yaml:7:7  tables.events.indexes.events_payload  public.events is a columnar table, and Citus's columnar tables take only btree and hash indexes, not gin. Use method: btree (or hash), or store the table as heap.",
    );
    db.manifest(`version: 1
tables:
  events:
    indexes:
      events_id:
        columns: [id]
`);
    expect((await db.cli(['apply', '--yes', '--output', 'plain'])).code).toBe(0);
    expect((await db.cli(['plan'])).stdout).toContain('No changes. The indexes match indexes.yaml.');
  });
});
