/*
 * Bloat and the reindex action against real PostgreSQL: the estimate against pgstattuple's measure, the
 * plan's reindex row in every format, apply's REINDEX INDEX CONCURRENTLY (shrinks the index, converges,
 * leaves nothing behind when cancelled, loses no concurrent write), and partitioned indexes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReindexAction } from '../../src/core/actions.js';
import { readBloat } from '../../src/io/bloat-reader.js';
import { connect } from '../../src/io/db.js';
import { executePlan } from '../../src/io/executor.js';
import { loadManifest } from '../../src/io/manifest/load.js';
import { planAgainstDatabase } from '../../src/io/planning.js';
import { holdOldSnapshot, indexesOf } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';
import { recorder, targetFor, testSettings } from '../helpers/plan-fixtures.js';

let db: TestDatabase;
let dir: string;

/**
 * A table of 100,000 rows with a btree index on a text key, then 60% of the rows deleted and half of the
 * rest given a new key: the index keeps its pages and about four fifths of it is empty.
 */
async function bloatedTable(table: string, rows = 100_000): Promise<void> {
  await db.query(`
    CREATE TABLE ${table} (id int PRIMARY KEY, sku text NOT NULL, qty int NOT NULL) WITH (autovacuum_enabled = false);
    INSERT INTO ${table} SELECT g, 'sku-' || lpad(g::text, 8, '0'), g % 100 FROM generate_series(1, ${rows}) g;
    CREATE INDEX ${table}_sku ON ${table} (sku);
    DELETE FROM ${table} WHERE id % 10 < 6;
    UPDATE ${table} SET sku = sku || '-2' WHERE id % 10 < 8;
  `);
  await db.query(`VACUUM ANALYZE ${table}`);
}

function manifestFor(name: string, tables: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, `version: 1\nmaintenance: { maxBloat: 30%, minBloatSize: 256kB }\ntables:\n${tables}`);
  return file;
}

function skuTable(table: string): string {
  return `  ${table}:\n    indexes:\n      ${table}_sku: { columns: [sku] }\n`;
}

function reconcile(file: string, args: readonly string[]) {
  return runInProcess([...args, '-f', file, '--database-url', db.url]);
}

async function sizeOf(index: string): Promise<number> {
  const { rows } = await db.query<{ size: string }>(`SELECT pg_relation_size($1::regclass) AS size`, [index]);
  return Number(rows[0]!.size);
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query('CREATE EXTENSION pgstattuple');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-reindex-'));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('bloat', () => {
  it('estimates a bloated btree index within 15 points of pgstatindex, and a fresh one as not bloated', async () => {
    await bloatedTable('gauge');
    await db.query(`CREATE INDEX gauge_fresh ON gauge (sku)`);
    const session = await connect(targetFor(db.url));
    try {
      const tables = [{ schema: 'public', name: 'gauge' }];
      const estimated = await readBloat(session, tables, { exact: false });
      const measured = await readBloat(session, tables, { exact: true });
      const ratio = (facts: typeof estimated, name: string): number => {
        const figure = facts.indexes.get(`public.${name}`);
        return figure === undefined || figure.kind === 'unknown' ? Number.NaN : figure.ratio;
      };
      expect(estimated.indexes.get('public.gauge_sku')?.kind).toBe('estimated');
      expect(measured.indexes.get('public.gauge_sku')?.kind).toBe('measured');
      // pgstatindex itself: live leaf data over what a fresh build packs in (90% full leaves).
      const { rows } = await db.query<{ density: number; leaves: string; size: string }>(
        `SELECT avg_leaf_density AS density, leaf_pages AS leaves, index_size AS size FROM pgstatindex('gauge_sku')`,
      );
      const raw = rows[0]!;
      const fromPgstatindex = 1 - ((Number(raw.leaves) * raw.density) / 90 + 2) / (Number(raw.size) / 8192);
      expect(ratio(measured, 'gauge_sku')).toBeGreaterThan(0.7);
      expect(Math.abs(ratio(estimated, 'gauge_sku') - ratio(measured, 'gauge_sku'))).toBeLessThan(0.15);
      expect(Math.abs(ratio(estimated, 'gauge_sku') - fromPgstatindex)).toBeLessThan(0.15);
      expect(ratio(estimated, 'gauge_fresh')).toBeLessThan(0.05);
      expect(ratio(measured, 'gauge_fresh')).toBeLessThan(0.05);
    } finally {
      await session.end();
    }
  });

  it('--exact-bloat without pgstattuple says how to install it', async () => {
    await db.query('DROP EXTENSION pgstattuple');
    try {
      const file = manifestFor('exact', skuTable('gauge'));
      const result = await reconcile(file, ['plan', '--exact-bloat']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--exact-bloat needs the pgstattuple extension, which this database does not have.');
    } finally {
      await db.query('CREATE EXTENSION pgstattuple');
    }
  });
});

describe('status', () => {
  it('shows the bloat of each index, estimated or measured, and --fail-on bloat fails on the declared ones past maxBloat', async () => {
    const file = manifestFor('status', skuTable('gauge'));
    const estimated = await reconcile(file, ['status', '--fail-on', 'bloat']);
    expect(estimated.code).toBe(1);
    expect(estimated.stderr).toBe('status failed (--fail-on bloat): 1 bloated index.\n');
    const rows = estimated.stdout.split('\n');
    expect(rows.slice(4, 9)).toEqual([
      'public.gauge  table 6.0 MB, indexes 11.6 MB = 192.2% of the table',
      '  index        valid    size   ratio   bloat  scans  flags',
      '  gauge_fresh  yes    1.2 MB   20.3%   ~0.0%      0  redundant: gauge_sku covers it, unused, unmanaged',
      '  gauge_pkey   yes    4.3 MB   71.6%  ~79.7%      0  constraint (primary key)',
      '  gauge_sku    yes    6.0 MB  100.4%  ~79.8%      0  bloated: 6.0 MB → ~1.2 MB, reconcile apply reindexes it, unused',
    ]);
    const measured = await reconcile(file, ['status', '--exact-bloat', '--format', 'json']);
    const sku = JSON.parse(measured.stdout).tables[0].indexes.find((i: { name: string }) => i.name === 'gauge_sku');
    expect(sku.bloat).toMatchObject({ method: 'measured', sizeBytes: 6_332_416 });
    expect(sku.flags).toContain('bloated');
  });

  it('refuses --fail-on bloat without a maxBloat to hold the indexes to', async () => {
    const file = path.join(dir, 'plain.yaml');
    fs.writeFileSync(file, `version: 1\ntables:\n${skuTable('gauge')}`);
    const result = await reconcile(file, ['status', '--fail-on', 'bloat']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--fail-on bloat needs a threshold, and ${file} sets no maintenance.maxBloat.`);
  });
});

describe('the reindex action', () => {
  let file: string;

  beforeAll(async () => {
    await bloatedTable('items');
    file = manifestFor('items', skuTable('items'));
  });

  it('is planned with its sizes in every format, and counted by --detailed-exitcode', async () => {
    const text = await reconcile(file, ['plan', '--detailed-exitcode']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(2);
    expect(text.stdout).toBe(
      [
        'Symbols: ↻ reindex bloated',
        '',
        'public.items',
        '  ↻ items_sku  bloat 80 %, 6.0 MB → ~1.2 MB (estimated from statistics); needs ~1.2 MB free for the new copy while it builds',
        '      REINDEX INDEX CONCURRENTLY public.items_sku',
        '',
        'Plan: 1 to reindex.',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await reconcile(file, ['plan', '--format', 'json'])).stdout);
    expect(json.summary).toMatchObject({ reindex: 1, create: 0 });
    expect(json.actions).toEqual([
      {
        kind: 'reindex',
        table: { schema: 'public', name: 'items' },
        index: 'items_sku',
        reason: 'bloated: 79.8 % of it is wasted space (maxBloat 30 %)',
        definition: 'CREATE INDEX items_sku ON public.items USING btree (sku)',
        bloat: { method: 'estimated', ratio: expect.closeTo(0.798, 3), sizeBytes: 6_332_416, expectedBytes: 1_277_952, roomBytes: 1_277_952 },
        steps: [{ kind: 'reindex', sql: ['REINDEX INDEX CONCURRENTLY public.items_sku'], reindexes: { schema: 'public', name: 'items_sku' } }],
      },
    ]);
    const sql = (await reconcile(file, ['plan', '--format', 'sql'])).stdout;
    expect(sql).toContain(
      ['-- reindex items_sku on public.items: bloated: 79.8 % of it is wasted space (maxBloat 30 %)', "SET lock_timeout = '0ms';", 'REINDEX INDEX CONCURRENTLY public.items_sku;'].join('\n'),
    );
    const markdown = (await reconcile(file, ['plan', '--format', 'markdown'])).stdout;
    expect(markdown).toContain('**Plan: 1 to reindex.**');
    expect(markdown).toContain(
      '| `↻` | `public.items` | `items_sku` | reindex (bloat 80 %, 6.0 MB → ~1.2 MB (estimated from statistics); needs ~1.2 MB free for the new copy while it builds) | bloated: 79.8 % of it is wasted space (maxBloat 30 %) |',
    );
  });

  it('is applied with REINDEX INDEX CONCURRENTLY: the index shrinks to the size of a fresh build, and the plan then has no changes', async () => {
    const before = await sizeOf('items_sku');
    const applied = await reconcile(file, ['apply', '--yes', '--output', 'json']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const events = applied.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; kind?: string; phase?: string });
    expect(events.filter((e) => e.type === 'step-started').map((e) => e.kind)).toEqual(['reindex']);
    expect(events.some((e) => e.type === 'verified' && (e as { inSync?: boolean }).inSync === true)).toBe(true);
    const after = await sizeOf('items_sku');
    await db.query('CREATE INDEX items_sku_fresh ON items (sku)');
    const fresh = await sizeOf('items_sku_fresh');
    await db.query('DROP INDEX items_sku_fresh');
    expect(after).toBeLessThan(before / 3);
    expect(Math.abs(after - fresh) / fresh).toBeLessThanOrEqual(0.2);
    expect(await indexesOf(db, ['items'])).toEqual([
      { name: 'items_pkey', valid: true, ready: true },
      { name: 'items_sku', valid: true, ready: true },
    ]);
    const plan = await reconcile(file, ['plan', '--detailed-exitcode']);
    expect(plan.stdout).toBe(`No changes. The indexes match ${file}.\n`);
    expect(plan.code).toBe(0);
  });

  it('is stale in a saved plan once the index was reindexed by someone else', async () => {
    await bloatedTable('saved');
    const saved = manifestFor('saved', skuTable('saved'));
    const planFile = path.join(dir, 'saved-plan.json');
    expect((await reconcile(saved, ['plan', '--out', planFile])).code).toBe(0);
    await db.query('REINDEX INDEX saved_sku');
    const applied = await runInProcess(['apply', planFile, '--database-url', db.url]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain(
      'Saved plan is stale: action 1 (reindex public.saved.saved_sku) is in the saved plan, and not what the manifest and database give now.',
    );
  });
});

describe('a reindex under way', () => {
  it('cancelled half-way (Ctrl-C) drops its _ccnew copy and leaves the original valid', async () => {
    await bloatedTable('halted');
    const desired = await loadManifest(manifestFor('halted', skuTable('halted')));
    const { plan } = await planAgainstDatabase(targetFor(db.url), desired, { allowEmpty: false, allowLockingDrops: false, manifestFile: 'halted.yaml', manifestSha256: '' });
    expect(plan.actions.map((a) => a.kind)).toEqual(['reindex']);
    const snapshot = await holdOldSnapshot(db);
    const controller = new AbortController();
    const events = recorder();
    const applying = executePlan(targetFor(db.url), plan.actions, testSettings(), { listener: events.listener, signal: controller.signal, pollIntervalMs: 50 });
    // The new copy is built and validated; the reindex waits for the old snapshot before it swaps.
    await events.when((e) => e.type === 'progress' && e.phase === 'waiting for old snapshots');
    expect((await indexesOf(db, ['halted'])).map((i) => i.name)).toEqual(['halted_pkey', 'halted_sku', 'halted_sku_ccnew']);
    controller.abort();
    const result = await applying;
    await snapshot.release();
    expect(result).toMatchObject({ statuses: ['cancelled'], interrupted: true });
    expect(events.of('action-cancelled')).toMatchObject([{ actionId: 0, cleanedUp: ['public.halted_sku_ccnew'], leftBehind: [] }]);
    expect(await indexesOf(db, ['halted'])).toEqual([
      { name: 'halted_pkey', valid: true, ready: true },
      { name: 'halted_sku', valid: true, ready: true },
    ]);
  });

  it('loses no write of a concurrent writer, and the new index has every row', async () => {
    await bloatedTable('busy');
    const desired = await loadManifest(manifestFor('busy', skuTable('busy')));
    const { plan } = await planAgainstDatabase(targetFor(db.url), desired, { allowEmpty: false, allowLockingDrops: false, manifestFile: 'busy.yaml', manifestSha256: '' });
    expect(plan.actions.map((a) => a.kind)).toEqual(['reindex']);
    const writer = await db.connect();
    let writes = 0;
    const failures: string[] = [];
    let stop = false;
    const writing = (async () => {
      for (let id = 200_000; !stop; id += 1) {
        await writer
          .query(`INSERT INTO busy VALUES ($1, 'new-' || $1, 1); UPDATE busy SET sku = sku || '+' WHERE id = $1 - 199990`.replaceAll('$1', String(id)))
          .then(() => void (writes += 1))
          .catch((error: Error) => void failures.push(error.message));
      }
    })();
    // The reindex waits in its last phase while the writer goes on: writes land during the whole reindex.
    const snapshot = await holdOldSnapshot(db);
    const events = recorder();
    const applying = executePlan(targetFor(db.url), plan.actions, testSettings(), { listener: events.listener, pollIntervalMs: 50 });
    await events.when((e) => e.type === 'progress' && e.phase === 'waiting for old snapshots');
    const during = writes;
    await waitForWrites(() => writes, during + 20);
    await snapshot.release();
    const result = await applying;
    stop = true;
    await writing;
    expect(result).toMatchObject({ statuses: ['done'], failed: 0 });
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(during);
    expect(await everyRowIndexed(writer, 'busy')).toBe(true);
  });
});

async function waitForWrites(count: () => number, atLeast: number): Promise<void> {
  const { until } = await import('../helpers/cli.js');
  await until(async () => (count() >= atLeast ? true : undefined), `${atLeast} writes`);
}

/** The index finds every row the table has: the same count through it as through the table. */
async function everyRowIndexed(client: pg.Client, table: string): Promise<boolean> {
  const seq = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
  const viaIndex = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE sku >= ''`);
  await client.query('RESET enable_seqscan; RESET enable_bitmapscan');
  return seq.rows[0]!.n === viaIndex.rows[0]!.n;
}

describe('a partitioned index', () => {
  it('is reindexed partition by partition: only the bloated partitions', async () => {
    await db.query(`
      CREATE TABLE events (id int NOT NULL, sku text NOT NULL) PARTITION BY RANGE (id);
      CREATE TABLE events_a PARTITION OF events FOR VALUES FROM (0) TO (100001) WITH (autovacuum_enabled = false);
      CREATE TABLE events_b PARTITION OF events FOR VALUES FROM (100001) TO (200001) WITH (autovacuum_enabled = false);
      INSERT INTO events SELECT g, 'sku-' || lpad(g::text, 8, '0') FROM generate_series(1, 200000) g;
      CREATE INDEX events_sku ON events (sku);
      DELETE FROM events_a WHERE id % 10 < 6;
      UPDATE events_a SET sku = sku || '-2' WHERE id % 10 < 8;
    `);
    await db.query('VACUUM ANALYZE events');
    const file = manifestFor('events', '  events:\n    indexes:\n      events_sku: { columns: [sku] }\n');
    const json = JSON.parse((await reconcile(file, ['plan', '--format', 'json'])).stdout);
    const action = json.actions[0] as ReindexAction;
    expect(json.actions).toHaveLength(1);
    expect(action).toMatchObject({ kind: 'reindex', index: 'events_sku' });
    expect(action.steps).toEqual([
      {
        kind: 'reindex',
        sql: ['REINDEX INDEX CONCURRENTLY public.events_a_sku_idx'],
        reindexes: { schema: 'public', name: 'events_a_sku_idx' },
        partition: { schema: 'public', name: 'events_a' },
      },
    ]);
    expect(action.bloat.roomBytes).toBeLessThan(action.bloat.expectedBytes);
    const applied = await reconcile(file, ['apply', '--yes', '--output', 'plain']);
    expect(applied.code).toBe(0);
    const plan = await reconcile(file, ['plan', '--detailed-exitcode']);
    expect(plan.stdout).toBe(`No changes. The indexes match ${file}.\n`);
  });
});
