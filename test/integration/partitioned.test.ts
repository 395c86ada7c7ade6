/* Partitioned tables, online: ON ONLY parents, concurrent partition builds, attach; real server. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

const MANIFEST = `version: 1
tables:
  events:
    indexes:
      idx_events_at:
        columns: [at]
      idx_events_kind_at:
        columns: [kind, { column: at, order: desc }]
        where: kind <> 'c'
`;

const SCHEMA = `
CREATE TABLE events (id bigint, at timestamptz NOT NULL, kind text, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (kind);
CREATE TABLE events_2026_a PARTITION OF events_2026 FOR VALUES IN ('a');
CREATE TABLE events_2026_rest PARTITION OF events_2026 DEFAULT;
CREATE TABLE events_default PARTITION OF events DEFAULT;
INSERT INTO events SELECT g, '2024-01-01'::timestamptz + g * interval '5 minutes', (ARRAY['a','b','c'])[1 + g % 3], '{}'
  FROM generate_series(1, 300000) g;
ANALYZE events;
`;

async function indexStates(db: TestDatabase, like: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string; valid: boolean; parent: string | null }>(
    `SELECT c.relname AS name, i.indisvalid AS valid, p.inhparent::regclass::text AS parent
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid LEFT JOIN pg_inherits p ON p.inhrelid = c.oid
      WHERE c.relname LIKE $1 ORDER BY 1`,
    [like],
  );
  return rows.map((r) => `${r.name} ${r.valid ? 'valid' : 'INVALID'}${r.parent ? ` → ${r.parent}` : ''}`);
}

describe('partitioned tables', () => {
  let db: TestDatabase;
  let file: string;
  const args = (...rest: string[]): string[] => [...rest, '-f', file, '--database-url', db.url];

  beforeAll(async () => {
    db = await freshDatabase();
    file = path.join(await mkdtemp(path.join(tmpdir(), 'partitioned-')), 'indexes.yaml');
    await writeFile(file, MANIFEST);
    await db.query(`CREATE EXTENSION pg_stat_statements; ${SCHEMA}`);
  });

  it('creates the indexes online while writers keep writing, and plans no changes afterwards', async () => {
    await db.query('SELECT pg_stat_statements_reset()');
    const writer = await db.connect();
    let writes = 0;
    let failures = 0;
    let slowest = 0;
    let stop = false;
    // Each write's time on the server (from the statement's arrival to its rows), lock waits included:
    // the client's clock would also count the in-process apply keeping this event loop busy.
    const timed = ' RETURNING (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS ms';
    const writing = (async () => {
      for (let i = 0; !stop; i += 1) {
        try {
          const inserted = await writer.query<{ ms: number }>(
            `INSERT INTO events VALUES ($1, '2025-03-01'::timestamptz + $2 * interval '1 second', 'b', '{}')${timed}`,
            [1_000_000 + i, i],
          );
          const updated = await writer.query<{ ms: number }>(`UPDATE events SET payload = '{"x":1}' WHERE id = $1${timed}`, [1 + (i % 1000)]);
          slowest = Math.max(slowest, ...inserted.rows.map((r) => r.ms), ...updated.rows.map((r) => r.ms));
          writes += 2;
        } catch {
          failures += 1;
        }
      }
    })();
    const applied = await runInProcess(args('apply', '--yes', '--output', 'plain'));
    stop = true;
    await writing;
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/verified {2}In sync: the database matches the manifest\.\n$/);
    expect(failures).toBe(0);
    expect(writes).toBeGreaterThan(10);
    // Writes take about a millisecond; one that waited behind the apply's locks would take seconds.
    expect(slowest).toBeLessThan(1000);

    expect(await indexStates(db, 'idx_events_at%')).toEqual([
      'idx_events_at valid',
      'idx_events_at_events_2024 valid → idx_events_at',
      'idx_events_at_events_2025 valid → idx_events_at',
      'idx_events_at_events_2026 valid → idx_events_at',
      'idx_events_at_events_2026_a valid → idx_events_at_events_2026',
      'idx_events_at_events_2026_rest valid → idx_events_at_events_2026',
      'idx_events_at_events_default valid → idx_events_at',
    ]);

    // No CREATE INDEX on a partitioned table without ON ONLY, and none on a partition without CONCURRENTLY.
    const { rows } = await db.query<{ query: string }>(
      `SELECT query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND query ILIKE 'CREATE%INDEX%'`,
    );
    // The canonicaliser's builds on empty temporary copies are not builds on the table.
    const creates = rows.map((r) => r.query).filter((sql) => !/ ON (ONLY )?pg_temp/.test(sql));
    expect(creates.length).toBeGreaterThanOrEqual(14);
    for (const sql of creates) expect(sql).toMatch(/^CREATE INDEX (CONCURRENTLY \S+ ON public\.events_\w+ |\S+ ON ONLY public\.events(_2026)? )/);

    const planned = await runInProcess(args('plan', '--detailed-exitcode'));
    expect(planned.stdout).toBe('No changes. The indexes match ' + file + '.\n');
    expect(planned.code).toBe(0);
  });

  it('stays in sync when a partition is added later: PostgreSQL gives it the indexes', async () => {
    await db.query(`CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')`);
    const planned = await runInProcess(args('plan', '--detailed-exitcode'));
    expect(planned.stdout).toBe('No changes. The indexes match ' + file + '.\n');
    expect(planned.code).toBe(0);
  });

  it('finishes a parent index an interrupted run left invalid: only the missing partitions', async () => {
    await db.query(`DROP INDEX idx_events_at`);
    await db.query(`CREATE INDEX idx_events_at ON ONLY events (at)`);
    await db.query(`CREATE INDEX CONCURRENTLY idx_events_at_events_2024 ON events_2024 (at)`);
    await db.query(`ALTER INDEX idx_events_at ATTACH PARTITION idx_events_at_events_2024`);
    await db.query(`CREATE INDEX CONCURRENTLY idx_events_at_events_2025 ON events_2025 (at)`);
    await db.query(`ALTER INDEX idx_events_at ATTACH PARTITION idx_events_at_events_2025`);

    const planned = await runInProcess(args('plan', '--format', 'sql'));
    const statements = planned.stdout.split('\n').filter((line) => /^(CREATE|ALTER)/.test(line));
    expect(statements).toEqual([
      'CREATE INDEX idx_events_at_events_2026 ON ONLY public.events_2026 USING btree (at);',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_2027 ON public.events_2027 USING btree (at);',
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2027;',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_default ON public.events_default USING btree (at);',
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_default;',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_2026_a ON public.events_2026_a USING btree (at);',
      'ALTER INDEX public.idx_events_at_events_2026 ATTACH PARTITION public.idx_events_at_events_2026_a;',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_2026_rest ON public.events_2026_rest USING btree (at);',
      'ALTER INDEX public.idx_events_at_events_2026 ATTACH PARTITION public.idx_events_at_events_2026_rest;',
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2026;',
    ]);
    const text = await runInProcess(args('plan'));
    expect(text.stdout).toContain('  ! idx_events_at  invalid: an interrupted build left partitions without their index; finishing them;');

    const applied = await runInProcess(args('apply', '--yes', '--output', 'plain'));
    expect(applied.code).toBe(0);
    expect((await indexStates(db, 'idx_events_at')).join()).toBe('idx_events_at valid');
    expect((await runInProcess(args('plan'))).stdout).toBe('No changes. The indexes match ' + file + '.\n');
  });

  it('a failed partition build leaves no invalid index behind', async () => {
    const unique = file.replace('indexes.yaml', 'unique.yaml');
    await writeFile(unique, `version: 1\ntables:\n  events:\n    indexes:\n      idx_events_unique_kind:\n        unique: true\n        columns: [kind, at]\n`);
    await db.query(`INSERT INTO events VALUES (1, '2025-06-01', 'z', '{}'), (2, '2025-06-01', 'z', '{}')`);
    const applied = await runInProcess(['apply', '--yes', '--output', 'plain', '-f', unique, '--database-url', db.url]);
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain('Key (kind, at)=(z, 2025-06-01 00:00:00+00) is duplicated.');
    expect(await indexStates(db, 'idx_events_unique_kind%')).toEqual([]);
  });
});

