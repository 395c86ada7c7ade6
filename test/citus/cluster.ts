/*
 * The Citus cluster the suite's global setup started: a fresh database per test file (citus created on
 * the coordinator and both workers, the workers registered), clients for the coordinator and each worker,
 * and the CLI run against the coordinator.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { runCli, startCli, type CliOptions, type CliResult, type RunningCli } from '../helpers/cli.js';

export interface CitusDatabase {
  readonly name: string;
  readonly url: string;
  readonly workerPorts: readonly [number, number];
  /** A SQL statement on the coordinator. */
  sql<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A SQL statement on a worker (shards visible). */
  onWorker<R = Record<string, unknown>>(port: number, text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A client of its own on a worker, shards visible (for holding locks); the caller ends it. */
  workerClient(port: number): Promise<pg.Client>;
  /** A directory holding indexes.yaml with `manifest`. */
  manifest(text: string): string;
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  startCli(args: readonly string[], options?: CliOptions): RunningCli;
  end(): Promise<void>;
}

export function freshCitusDatabase(name: string): CitusDatabase {
  const dir = inject('citusClusterDir');
  const port = inject('citusPort');
  const cluster = path.join(inject('citusDir'), 'cluster.sh');
  const url = execFileSync('bash', [cluster, 'db', dir, String(port), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop()!;
  const coordinator = new pg.Client({ connectionString: url });
  const connected = coordinator.connect();
  const workers = new Map<number, Promise<pg.Client>>();
  const workerUrl = (p: number): string => url.replace(`:${port}/`, `:${p}/`);
  const workerClient = async (p: number): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: workerUrl(p) });
    await client.connect();
    await client.query('SET citus.override_table_visibility = off; SET citus.enable_manual_changes_to_shards = on');
    return client;
  };
  const work = mkdtempSync(path.join(os.tmpdir(), `citus-${name}-`));
  const env = { DATABASE_URL: url };
  return {
    name,
    url,
    workerPorts: [port + 1, port + 2],
    async sql(text, params) {
      await connected;
      return (await coordinator.query(text, params as unknown[] | undefined)).rows;
    },
    async onWorker(p, text, params) {
      if (!workers.has(p)) workers.set(p, workerClient(p));
      const client = await workers.get(p)!;
      return (await client.query(text, params as unknown[] | undefined)).rows;
    },
    workerClient,
    manifest(text) {
      writeFileSync(path.join(work, 'indexes.yaml'), text);
      return work;
    },
    cli(args, options = {}) {
      return runCli(args, { cwd: work, ...options, env: { ...env, ...options.env } });
    },
    startCli(args, options = {}) {
      return startCli(args, { cwd: work, ...options, env: { ...env, ...options.env } });
    },
    async end() {
      await coordinator.end().catch(() => undefined);
      for (const client of workers.values()) await (await client).end().catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Every shard index of the database on every placement: [shard index name, valid]. */
export async function shardIndexes(db: CitusDatabase, table: string): Promise<{ name: string; valid: boolean; node: number }[]> {
  const rows = await db.sql<{ nodeport: number; result: string }>(
    `SELECT nodeport, result FROM run_command_on_placements($1::regclass,
       $$SELECT COALESCE(json_agg(json_build_array(c.relname, i.indisvalid)), '[]') FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '%s'::regclass$$)`,
    [table],
  );
  return rows.flatMap((row) => (JSON.parse(row.result) as [string, boolean][]).map(([name, valid]) => ({ name, valid, node: row.nodeport })));
}

/** A distributed table (8 shards over the two workers), a reference table and a local table, analyzed. */
export async function createShop(db: CitusDatabase, rows = 200_000): Promise<void> {
  // One statement at a time: Citus refuses some of these in the implicit transaction of a multi-statement query.
  const statements = [
    `CREATE TABLE orders (id bigint NOT NULL, tenant_id int NOT NULL, status text NOT NULL, tags jsonb,
      created_at timestamptz NOT NULL, ext_id bigint, PRIMARY KEY (tenant_id, id))`,
    `SELECT create_distributed_table('orders', 'tenant_id', shard_count := 8)`,
    `INSERT INTO orders SELECT g, g % 1000, CASE WHEN g % 10 = 0 THEN 'open' ELSE 'closed' END, jsonb_build_object('k', g % 50),
      timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', g FROM generate_series(1, ${rows}) g`,
    `CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL)`,
    `SELECT create_reference_table('countries')`,
    `INSERT INTO countries SELECT 'c' || g, 'n' || g FROM generate_series(1, 300) g`,
    `CREATE TABLE notes (id int PRIMARY KEY, body text)`,
    `INSERT INTO notes SELECT g, 'x' || g FROM generate_series(1, 1000) g`,
    `ANALYZE orders`,
    `ANALYZE countries`,
    `ANALYZE notes`,
  ];
  for (const statement of statements) await db.sql(statement);
}

export const SHOP_MANIFEST = `version: 1
tables:
  orders:
    indexes:
      orders_status:
        columns: [status]
      orders_tags:
        method: gin
        columns: [tags]
      orders_open:
        columns: [created_at]
        where: status = 'open'
  countries:
    indexes:
      countries_name:
        columns: [name]
  notes:
    indexes:
      notes_body:
        columns: [body]
`;

/** Holds ROW EXCLUSIVE on one shard of orders on the first worker: that shard's build waits for it. */
export async function lockOneShard(db: CitusDatabase): Promise<{ release: () => Promise<void>; port: number }> {
  const port = db.workerPorts[0];
  const [row] = await db.sql<{ shard: string }>(
    `SELECT s.shardid::text AS shard FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
     WHERE s.logicalrelid = 'orders'::regclass AND n.nodeport = $1 ORDER BY s.shardid LIMIT 1`,
    [port],
  );
  const client = await db.workerClient(port);
  await client.query(`BEGIN; LOCK TABLE public.orders_${row!.shard} IN ROW EXCLUSIVE MODE`);
  return {
    port,
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** A manifest declaring one index on orders over `columns` (written as in a YAML flow list). */
export function ordersIndexManifest(index: string, columns: string): string {
  return `version: 1
tables:
  orders:
    indexes:
      ${index}:
        columns: [${columns}]
`;
}
