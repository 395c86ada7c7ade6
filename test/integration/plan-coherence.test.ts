/*
 * Within one plan, actions never work against each other, for real: a partitioned index left half-built
 * with a matching index on a partition that is attached to nothing, prune on everywhere. The attach takes
 * that index over; no drop races it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

const MANIFEST = `version: 1
defaults:
  prune: true
tables:
  events:
    indexes:
      idx_events_at:
        columns: [at]
  archive.events_2025:
    indexes:
      events_2025_id:
        columns: [id]
`;

describe('a coherent plan', () => {
  let db: TestDatabase;
  let file: string;
  const args = (...rest: string[]): string[] => [...rest, '-f', file, '--database-url', db.url];

  beforeAll(async () => {
    db = await freshDatabase();
    file = path.join(await mkdtemp(path.join(tmpdir(), 'coherence-')), 'indexes.yaml');
    await writeFile(file, MANIFEST);
    await db.query(`
      CREATE SCHEMA archive;
      CREATE TABLE events (id int NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE archive.events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      INSERT INTO events SELECT g, '2024-01-01'::timestamptz + g * interval '10 minutes' FROM generate_series(1, 100000) g;
      -- What an interrupted run leaves: the parent ON ONLY (invalid), one partition attached.
      CREATE INDEX idx_events_at ON ONLY events (at);
      CREATE INDEX idx_events_at_events_2024 ON events_2024 (at);
      ALTER INDEX idx_events_at ATTACH PARTITION idx_events_at_events_2024;
      -- A matching valid index on the other partition, attached to nothing; prune is on there.
      CREATE INDEX events_2025_at ON archive.events_2025 (at);
      CREATE INDEX events_2025_id ON archive.events_2025 (id);
    `);
  });

  it('attaches the partition index instead of also pruning it, and plans nothing else', async () => {
    const planned = await runInProcess(args('plan', '--format', 'sql'));
    expect(planned.stderr).toBe('');
    expect(planned.stdout.split('\n').filter((line) => /^(CREATE|ALTER|DROP)/.test(line))).toEqual([
      'ALTER INDEX public.idx_events_at ATTACH PARTITION archive.events_2025_at;',
    ]);
  });

  it('one apply makes the partitioned index valid with no failed step, then No changes', async () => {
    const applied = await runInProcess(args('apply', '--yes', '--output', 'json'));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const events = applied.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(events.filter((e) => /failed|cancelled/.test(e.type))).toEqual([]);
    expect(events.find((e) => e.type === 'summary')).toMatchObject({ done: 1, failed: 0, skipped: 0, cancelled: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'verified', inSync: true });

    const { rows } = await db.query<{ name: string; valid: boolean; parent: string | null }>(
      `SELECT c.relname AS name, i.indisvalid AS valid, p.inhparent::regclass::text AS parent
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid LEFT JOIN pg_inherits p ON p.inhrelid = c.oid
        WHERE c.relname IN ('idx_events_at', 'idx_events_at_events_2024', 'events_2025_at', 'events_2025_id') ORDER BY 1`,
    );
    expect(rows.map((r) => `${r.name} ${r.valid ? 'valid' : 'INVALID'}${r.parent ? ` → ${r.parent}` : ''}`)).toEqual([
      'events_2025_at valid → idx_events_at',
      'events_2025_id valid',
      'idx_events_at valid',
      'idx_events_at_events_2024 valid → idx_events_at',
    ]);

    const again = await runInProcess(args('plan', '--detailed-exitcode'));
    expect(again.stdout).toBe(`No changes. The indexes match ${file}.\n`);
    expect(again.code).toBe(0);
  });

  it('drops first what a killed build left under the partition index name it needs', async () => {
    const logs = path.join(path.dirname(file), 'logs.yaml');
    await writeFile(logs, 'version: 1\ntables:\n  logs:\n    indexes:\n      idx_logs_at:\n        columns: [at]\n');
    await db.query(`
      CREATE TABLE logs (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE logs_2025 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      INSERT INTO logs VALUES (1, '2025-02-01'), (1, '2025-02-02');
      CREATE INDEX idx_logs_at ON ONLY logs (at);
    `);
    // An interrupted build under the very name the next run builds: invalid, attached to nothing.
    await expect(db.query('CREATE UNIQUE INDEX CONCURRENTLY idx_logs_at_logs_2025 ON logs_2025 (id)')).rejects.toThrow(/could not create unique index/);

    const applied = await runInProcess(['apply', '--yes', '--output', 'plain', '-f', logs, '--database-url', db.url]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('drop on public.logs_2025: DROP INDEX CONCURRENTLY IF EXISTS public.idx_logs_at_logs_2025');
    expect(applied.code).toBe(0);
    const { rows } = await db.query<{ valid: boolean }>(`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = 'idx_logs_at'::regclass`);
    expect(rows).toEqual([{ valid: true }]);
    const again = await runInProcess(['plan', '--detailed-exitcode', '-f', logs, '--database-url', db.url]);
    expect(again.stdout).toBe(`No changes. The indexes match ${logs}.\n`);
  });
});
