/*
 * On a real Citus cluster: a distributed table (8 shards on two workers, 200,000 rows), a reference table
 * and a local table with btree, GIN and partial indexes. The plan costs builds from the shards, apply builds
 * every shard valid, the next plan has no changes; status measures over the shards; export round-trips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/ui/units.js';
import { createShop, freshCitusDatabase, shardIndexes, SHOP_MANIFEST, type CitusDatabase } from './cluster.js';

let db: CitusDatabase;

beforeAll(async () => {
  db = freshCitusDatabase('citus_reconcile');
  await createShop(db);
  db.manifest(SHOP_MANIFEST);
});

afterAll(async () => {
  await db.end();
});

async function tableSize(table: string): Promise<number> {
  const [row] = await db.sql<{ size: string }>(`SELECT citus_table_size($1::regclass)::text AS size`, [table]);
  return Number(row!.size);
}

describe('a Citus coordinator', () => {
  it('plans builds over the shards: their size, rows, shard and node counts', async () => {
    const ordersSize = await tableSize('orders');
    const countriesSize = await tableSize('countries');
    const result = await db.cli(['plan']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const orders = `in 8 shards on 2 nodes, ~200,000 rows`;
    expect(result.stdout).toContain(`  + orders_status  builds over ${formatBytes(ordersSize)} ${orders}\n`);
    expect(result.stdout).toContain(`  + orders_tags  builds over ${formatBytes(ordersSize)} ${orders}\n`);
    expect(result.stdout).toContain(`  + orders_open  builds over ${formatBytes(ordersSize)} ${orders}\n`);
    expect(result.stdout).toContain(`  + countries_name  builds over ${formatBytes(countriesSize)} in 1 shard on 3 nodes, ~300 rows\n`);
    expect(result.stdout).toMatch(/ {2}\+ notes_body {2}builds over [\d.]+ kB, ~1,000 rows\n/);
    expect(result.stdout).toContain('Plan: 5 to create.');

    const json = JSON.parse((await db.cli(['plan', '--format', 'json'])).stdout) as { actions: { index: string; cost: unknown }[] };
    expect(json.actions.find((a) => a.index === 'orders_status')?.cost).toEqual({ tableBytes: ordersSize, estimatedRows: 200_000, shards: 8, nodes: 2 });
    expect(json.actions.find((a) => a.index === 'countries_name')?.cost).toEqual({ tableBytes: countriesSize, estimatedRows: 300, shards: 1, nodes: 3 });
  });

  it('applies: every shard index valid, and the next plan has no changes', async () => {
    const applied = await db.cli(['apply', '--yes', '--output', 'plain']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('verified  In sync: the database matches the manifest.');
    const orders = await shardIndexes(db, 'orders');
    for (const index of ['orders_status', 'orders_tags', 'orders_open']) {
      const shards = orders.filter((s) => s.name.startsWith(`${index}_`));
      expect(shards).toHaveLength(8);
      expect(shards.every((s) => s.valid)).toBe(true);
    }
    const countries = (await shardIndexes(db, 'countries')).filter((s) => s.name.startsWith('countries_name_'));
    expect(countries.map((s) => s.valid)).toEqual([true, true, true]);
    const again = await db.cli(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes. The indexes match indexes.yaml.');
    expect(again.code).toBe(0);
  });

  it('status: the table size over its shards, each index summed over its shards, scans counted on the workers', async () => {
    const statusOf = async () => {
      const result = await db.cli(['status', '--format', 'json']);
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout) as { tables: { name: string; sizeBytes: number; indexes: { name: string; sizeBytes: number; scans: number; valid: boolean }[] }[] };
      return doc.tables.find((t) => t.name === 'orders')!;
    };
    const before = await statusOf();
    expect(before.sizeBytes).toBe(await tableSize('orders'));
    const shardSizes = await db.sql<{ result: string }>(
      `SELECT result FROM run_command_on_shards('orders', $$SELECT COALESCE(sum(pg_relation_size(i.indexrelid)), 0)
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '%s'::regclass AND c.relname ~ '^orders_status_[0-9]+$'$$)`,
    );
    const summed = shardSizes.reduce((sum, row) => sum + Number(row.result), 0);
    const status = before.indexes.find((i) => i.name === 'orders_status')!;
    expect(status.valid).toBe(true);
    expect(status.sizeBytes).toBe(summed);
    expect(status.sizeBytes).toBeGreaterThan(8 * 8192);

    // Queries on a client of their own: when it ends, so do its connections to the workers, which then report their statistics.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
    for (const tenant of [1, 2, 3, 4, 5]) await client.query(`SELECT count(*) FROM orders WHERE tenant_id = $1 AND status = 'open'`, [tenant]);
    await client.query(`SELECT count(*) FROM orders WHERE status = 'open'`);
    await client.end();
    let after = await statusOf();
    for (let attempt = 0; attempt < 60 && after.indexes.find((i) => i.name === 'orders_status')!.scans <= status.scans; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await statusOf();
    }
    expect(after.indexes.find((i) => i.name === 'orders_status')!.scans).toBeGreaterThan(status.scans);
  });

  it('export writes the distributed tables’ indexes, not the shards’, and round-trips to no changes', async () => {
    const exported = await db.cli(['export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('      orders_status:');
    expect(exported.stdout).toContain('      countries_name:');
    expect(exported.stdout).not.toMatch(/_\d{6}/);
    db.manifest(exported.stdout);
    try {
      const plan = await db.cli(['plan']);
      expect(plan.stdout).toContain('No changes. The indexes match indexes.yaml.');
      expect(plan.code).toBe(0);
    } finally {
      db.manifest(SHOP_MANIFEST);
    }
  });
});
