/*
 * `reconcile status` against real PostgreSQL, on fixed data: exact text and JSON, --fail-on exit codes.
 * Sizes are exact for fixed rows built the same way; what varies between runs (last scan times, PG 16+)
 * is masked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStatus } from '../../src/commands/status.js';
import { until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { captureContext as capture } from '../helpers/in-process.js';

const SETUP = `
CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, placed date NOT NULL, status text NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO orders
  SELECT g, g % 500, DATE '2026-01-01' + (g % 365), CASE WHEN g % 10 = 0 THEN 'open' ELSE 'done' END
  FROM generate_series(1, 20000) g;
CREATE INDEX orders_customer ON orders (customer);
CREATE INDEX orders_customer_placed ON orders (customer, placed);
CREATE INDEX orders_open ON orders (placed) WHERE status = 'open';
CREATE INDEX orders_status ON orders (status);
CREATE TABLE events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') WITH (autovacuum_enabled = false);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') WITH (autovacuum_enabled = false);
INSERT INTO events SELECT g, DATE '2025-01-01' + (g % 730) FROM generate_series(1, 5000) g;
CREATE INDEX events_at ON events (at);
CREATE TABLE tags (id int NOT NULL, name text NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO tags SELECT g, 'tag' || g FROM generate_series(1, 1000) g;
CREATE UNIQUE INDEX tags_name ON tags (name);
ANALYZE;
`;

const MANIFEST = `
version: 1
budgets: { indexToTableRatio: 0.5 }
tables:
  orders:
    indexes:
      orders_customer: { columns: [customer] }
      orders_customer_placed: { columns: [customer, placed] }
      orders_open: { columns: [placed], where: "status = 'open'" }
      orders_unbuilt: { columns: [placed] }
  events:
    indexes:
      events_at: { columns: [at] }
  tags:
    indexes:
      tags_name: { columns: [name], unique: true }
      tags_id: { columns: [id] }
  ghosts:
    indexes:
      ghosts_id: { columns: [id] }
`;

let db: TestDatabase;
let dir: string;
let manifest: string;
/**
 * Before PostgreSQL 15 the statistics collector stamps stats_reset when it first sees a new database, a
 * moment after its creation; 15+ leave it null until a reset. The fixtures say "never reset"; the last
 * test checks a real reset on every version.
 */
function stampedAtCreation(): boolean {
  return db.major < 15;
}

async function status(format: 'text' | 'json' | 'markdown', failOn: ('budget' | 'invalid' | 'redundant' | 'unused')[] = []) {
  const io = capture();
  const code = await runStatus({ file: manifest, format, failOn, databaseUrl: db.url }, io.context);
  return { code, out: io.out(), err: io.err() };
}

/** idx_scan reaches the statistics asynchronously (a stats collector before 15): wait for it. */
async function waitForScans(index: string, expected: number): Promise<void> {
  await until(async () => {
    const { rows } = await db.query<{ n: string }>(`SELECT pg_stat_get_numscans($1::regclass) AS n`, [index]);
    return Number(rows[0]!.n) >= expected ? true : undefined;
  }, `${index} to reach ${expected} scans`);
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(SETUP);
  // A unique build over duplicates fails and leaves an invalid index behind.
  await db.query('CREATE UNIQUE INDEX CONCURRENTLY orders_dup ON orders (customer)').catch(() => undefined);
  // Scans: orders_open three times, orders_customer_placed once, tags_name once; the rest never.
  const client = await db.connect();
  await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
  for (let i = 0; i < 3; i += 1) await client.query(`SELECT id FROM orders WHERE status = 'open' AND placed = DATE '2026-02-01'`);
  await client.query(`SELECT id FROM orders WHERE customer = 7 AND placed = DATE '2026-01-08'`);
  await client.query(`SELECT id FROM tags WHERE name = 'tag7'`);
  await client.end();
  await waitForScans('orders_open', 3);
  await waitForScans('orders_customer_placed', 1);
  await waitForScans('tags_name', 1);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-status-'));
  manifest = path.join(dir, 'indexes.yaml');
  fs.writeFileSync(manifest, MANIFEST);
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What varies between runs: the manifest's temporary path, the server's minor version, scan times (16+). */
function masked(text: string): string {
  const unmasked = text.replaceAll(manifest, 'indexes.yaml').replace(/PostgreSQL \d+(?:\.\d+)*/, 'PostgreSQL N');
  return stampedAtCreation() ? unmasked.replace(/were last reset \S+;/, 'were never reset;') : unmasked;
}

const TEXT = [
  'Index status of indexes.yaml on PostgreSQL N',
  'Scans are counted by this server since its statistics were never reset; a replica counts its own, so check it before dropping an index unused here.',
  'Bloat: ~ estimated from statistics (btree only; equal keys that a build deduplicates are counted from pg_stats distinct counts; ? where deduplication could not be modelled, and the figure may read low); --exact-bloat measures btree, hash and gist indexes with pgstattuple, reading each whole; other methods are not measured.',
  '',
  'public.orders  table 1.0 MB, indexes 1.2 MB = 118.9% of the table (budget 50%): over budget',
  '  index                   valid      size  ratio  bloat  scans  flags',
  '  orders_customer         yes    160.0 kB  15.2%  ~0.0%      0  redundant: orders_customer_placed covers it, unused',
  '  orders_customer_placed  yes    456.0 kB  43.2%  ~0.0%      1',
  '  orders_dup              no      0 bytes   0.0%      -      0  invalid, unmanaged',
  '  orders_open             yes     32.0 kB   3.0%  ~0.0%      3',
  '  orders_pkey             yes    456.0 kB  43.2%  ~0.0%      0  constraint (primary key)',
  '  orders_status           yes    152.0 kB  14.4%  ~0.0%      0  unused, unmanaged',
  '  orders_unbuilt          -             -      -      -      -  missing: reconcile apply creates it',
  '',
  'public.events  partitioned table 232.0 kB, indexes 96.0 kB = 41.4% of the partitioned table (budget 50%)',
  '  index      valid     size  ratio  bloat  scans  flags',
  '  events_at  yes    96.0 kB  41.4%  ~0.0%      0  unused',
  '',
  'public.tags  table 80.0 kB, indexes 40.0 kB = 50.0% of the table (budget 50%)',
  '  index      valid     size  ratio  bloat  scans  flags',
  '  tags_name  yes    40.0 kB  50.0%  ~0.0%      1',
  '  tags_id    -            -      -      -      -  missing: reconcile apply creates it',
  '',
  'public.ghosts  does not exist (1 declared index)',
  '',
  '4 tables, 8 indexes: 1 invalid, 1 redundant, 3 unused, 1 table over the 50% budget. 1 declared table does not exist and 3 declared indexes are missing: see reconcile plan.',
  '',
].join('\n');

function index(name: string, fields: Record<string, unknown>): Record<string, unknown> {
  // Freshly built: the estimate finds no wasted space.
  const size = (fields['sizeBytes'] as number | undefined) ?? 0;
  const bloat = fields['valid'] === false ? null : { method: 'estimated', ratio: 0, sizeBytes: size, expectedBytes: size, wastedBytes: 0 };
  return {
    bloat,
    name,
    declared: true,
    valid: true,
    method: 'btree',
    unique: false,
    keys: [],
    include: [],
    predicate: null,
    sizeBytes: 0,
    ratio: 0,
    scans: 0,
    lastScan: null,
    flags: [],
    redundantTo: null,
    constraint: null,
    build: null,
    ...fields,
  };
}

const ORDERS_BYTES = 1_081_344;
const EVENTS_BYTES = 237_568;

const JSON_DOCUMENT = {
  formatVersion: 1,
  manifest: 'indexes.yaml',
  serverVersion: 'N',
  statsReset: null,
  budget: { indexToTableRatio: 0.5 },
  tables: [
    {
      schema: 'public',
      name: 'orders',
      exists: true,
      kind: 'table',
      sizeBytes: ORDERS_BYTES,
      indexBytes: 1_286_144,
      ratio: 1_286_144 / ORDERS_BYTES,
      overBudget: true,
      indexes: [
        index('orders_customer', { keys: ['customer'], sizeBytes: 163_840, ratio: 163_840 / ORDERS_BYTES, flags: ['redundant', 'unused'], redundantTo: 'orders_customer_placed' }),
        index('orders_customer_placed', { keys: ['customer', 'placed'], sizeBytes: 466_944, ratio: 466_944 / ORDERS_BYTES, scans: 1, lastScan: 'masked' }),
        index('orders_dup', { declared: false, valid: false, unique: true, keys: ['customer'], flags: ['invalid', 'unmanaged'] }),
        index('orders_open', { keys: ['placed'], predicate: "status = 'open'::text", sizeBytes: 32_768, ratio: 32_768 / ORDERS_BYTES, scans: 3, lastScan: 'masked' }),
        index('orders_pkey', {
          declared: false,
          unique: true,
          keys: ['id'],
          sizeBytes: 466_944,
          ratio: 466_944 / ORDERS_BYTES,
          flags: ['constraint'],
          constraint: { name: 'orders_pkey', type: 'p' },
        }),
        index('orders_status', { declared: false, keys: ['status'], sizeBytes: 155_648, ratio: 155_648 / ORDERS_BYTES, flags: ['unused', 'unmanaged'] }),
      ],
      missingIndexes: ['orders_unbuilt'],
    },
    {
      schema: 'public',
      name: 'events',
      exists: true,
      kind: 'partitioned',
      sizeBytes: EVENTS_BYTES,
      indexBytes: 98_304,
      ratio: 98_304 / EVENTS_BYTES,
      overBudget: false,
      indexes: [index('events_at', { keys: ['at'], sizeBytes: 98_304, ratio: 98_304 / EVENTS_BYTES, flags: ['unused'] })],
      missingIndexes: [],
    },
    {
      schema: 'public',
      name: 'tags',
      exists: true,
      kind: 'table',
      sizeBytes: 81_920,
      indexBytes: 40_960,
      ratio: 0.5,
      overBudget: false,
      indexes: [index('tags_name', { unique: true, keys: ['name'], sizeBytes: 40_960, ratio: 0.5, scans: 1, lastScan: 'masked' })],
      missingIndexes: ['tags_id'],
    },
    { schema: 'public', name: 'ghosts', exists: false, kind: null, sizeBytes: 0, indexBytes: 0, ratio: null, overBudget: false, indexes: [], missingIndexes: ['ghosts_id'] },
  ],
  summary: { tables: 4, missingTables: 1, indexes: 8, invalid: 1, building: 0, redundant: 1, unused: 3, unmanaged: 2, bloated: 0, missingIndexes: 3, tablesOverBudget: 1 },
};

describe('reconcile status', () => {
  it('prints sizes, ratios, scans and flags per declared table', async () => {
    const { code, out, err } = await status('text');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(masked(out)).toBe(TEXT);
  });

  it('writes the same as a stable JSON document', async () => {
    const { code, out } = await status('json');
    expect(code).toBe(0);
    const document = JSON.parse(out) as typeof JSON_DOCUMENT;
    expect(document.manifest).toBe(manifest);
    document.manifest = 'indexes.yaml';
    document.serverVersion = 'N';
    if (stampedAtCreation()) document.statsReset = null;
    // last_idx_scan exists from PostgreSQL 16: a time when the index was scanned, else null.
    for (const table of document.tables) {
      for (const i of table.indexes as Record<string, unknown>[]) {
        if (db.major >= 16 && (i.scans as number) > 0) expect(i.lastScan).toMatch(/^\d{4}-\d\d-\d\dT/);
        if (i.lastScan !== null) i.lastScan = 'masked';
      }
    }
    if (db.major < 16) for (const t of JSON_DOCUMENT.tables) for (const i of t.indexes) if (i.lastScan === 'masked') i.lastScan = null;
    expect(document).toEqual(JSON_DOCUMENT);
  });

  it('writes markdown for a pull request or a report', async () => {
    const { code, out } = await status('markdown');
    expect(code).toBe(0);
    expect(masked(out).split('\n').slice(0, 21)).toEqual([
      '### Index status for `indexes.yaml`',
      '',
      '**4 tables, 8 indexes: 1 invalid, 1 redundant, 3 unused, 1 table over the 50% budget. 1 declared table does not exist and 3 declared indexes are missing: see reconcile plan.**',
      '',
      'PostgreSQL N. Scans are counted by this server since its statistics were never reset; a replica counts its own, so check it before dropping an index unused here.',
      '',
      'Bloat: ~ estimated from statistics (btree only; equal keys that a build deduplicates are counted from pg_stats distinct counts; ? where deduplication could not be modelled, and the figure may read low); --exact-bloat measures btree, hash and gist indexes with pgstattuple, reading each whole; other methods are not measured.',
      '',
      '#### `public.orders`: table 1.0 MB, indexes 1.2 MB = 118.9% of the table (budget 50%), **over budget**',
      '',
      '| index | valid | size | ratio | bloat | scans | flags |',
      '|---|---|--:|--:|--:|--:|---|',
      '| `orders_customer` | yes | 160.0 kB | 15.2% | ~0.0% | 0 | redundant: orders_customer_placed covers it, unused |',
      '| `orders_customer_placed` | yes | 456.0 kB | 43.2% | ~0.0% | 1 |  |',
      '| `orders_dup` | no | 0 bytes | 0.0% | - | 0 | **invalid**, unmanaged |',
      '| `orders_open` | yes | 32.0 kB | 3.0% | ~0.0% | 3 |  |',
      '| `orders_pkey` | yes | 456.0 kB | 43.2% | ~0.0% | 0 | constraint (primary key) |',
      '| `orders_status` | yes | 152.0 kB | 14.4% | ~0.0% | 0 | unused, unmanaged |',
      '| `orders_unbuilt` | - | - | - | - | - | **missing: reconcile apply creates it** |',
      '',
      '#### `public.events`: partitioned table 232.0 kB, indexes 96.0 kB = 41.4% of the partitioned table (budget 50%)',
    ]);
  });

  it('exits 1 for each --fail-on category present, naming them on stderr', async () => {
    const failing = await status('text', ['redundant', 'unused']);
    expect(failing.code).toBe(1);
    expect(masked(failing.out)).toBe(TEXT);
    expect(failing.err).toBe('status failed (--fail-on redundant,unused): 1 redundant index, 3 unused indexes.\n');
    const all = await status('json', ['budget', 'invalid', 'redundant', 'unused']);
    expect(all.code).toBe(1);
    expect(all.err).toBe(
      'status failed (--fail-on budget,invalid,redundant,unused): 1 table over the index size budget, 1 invalid index, 1 redundant index, 3 unused indexes.\n',
    );
  });

  it('exits 0 when no --fail-on category is present', async () => {
    const io = capture();
    const small = path.join(dir, 'tags.yaml');
    fs.writeFileSync(small, 'version: 1\nbudgets: { indexToTableRatio: 0.5 }\ntables:\n  tags:\n    indexes:\n      tags_name: { columns: [name], unique: true }\n');
    const code = await runStatus({ file: small, format: 'text', failOn: ['budget', 'invalid', 'redundant', 'unused'], databaseUrl: db.url }, io.context);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out().split('\n').slice(-2)).toEqual(['1 table, 1 index: 0 invalid, 0 redundant, 0 unused, 0 tables over the 50% budget.', '']);
  });

  it('says when the statistics were last reset: scans count from then', async () => {
    const readReset = async (): Promise<string | null> => {
      const { rows } = await db.query<{ at: string | null }>(
        `SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM pg_stat_database WHERE datname = current_database()`,
      );
      return rows[0]!.at;
    };
    const before = await readReset();
    // A reset in the same second as the one before would print the same time: wait for the server's
    // clock to reach the next second.
    if (before !== null) {
      await until(async () => {
        const { rows } = await db.query<{ later: boolean }>(
          `SELECT clock_timestamp() >= date_trunc('second', stats_reset) + interval '1 second' AS later FROM pg_stat_database WHERE datname = current_database()`,
        );
        return rows[0]!.later ? true : undefined;
      }, 'the second after the last reset');
    }
    await db.query('SELECT pg_stat_reset()');
    // Before PostgreSQL 15 the statistics collector applies the reset a moment later.
    const reset = await until(async () => {
      const at = await readReset();
      return at === null || at === before ? undefined : at;
    }, 'the reset to be applied');
    expect(reset).not.toBe(before);
    const { out } = await status('text');
    expect(out.split('\n')[1]).toBe(
      `Scans are counted by this server since its statistics were last reset ${reset}; a replica counts its own, so check it before dropping an index unused here.`,
    );
    const { out: json } = await status('json');
    expect((JSON.parse(json) as { statsReset: string }).statsReset).toBe(reset);
  });
});
