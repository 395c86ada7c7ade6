/*
 * Where a declared index would go, checked at plan time against a real catalog: a `tablespace:` naming the
 * database default is no change (and builds on a partitioned table too), a missing tablespace and a name
 * another relation of the schema already has are errors at the index's manifest position.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLiveState } from '../../src/io/catalog.js';
import { connect } from '../../src/io/db.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { expectLines, indexesOf, lines, runCli, SLOW, workdir } from '../helpers/cli.js';
import { targetFor } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE steady (id int, v int);
    CREATE INDEX steady_v ON steady (v);
    CREATE TABLE parts (id int, at date) PARTITION BY RANGE (at);
    CREATE TABLE parts_2024 PARTITION OF parts FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE places (id int, v int);
    CREATE TABLE orders (id int, total int);
    CREATE INDEX orders_total ON orders (total);
    CREATE SEQUENCE places_seq;
    CREATE VIEW places_view AS SELECT id FROM places;
    ANALYZE;
  `);
});

async function manifest(text: readonly string[]): Promise<string> {
  const dir = await workdir();
  await writeFile(path.join(dir, 'indexes.yaml'), `${text.join('\n')}\n`);
  return dir;
}

describe.concurrent('plan: tablespaces and index names', () => {
  it('a tablespace: naming the database default is no change, on a plain table and once built on a partitioned one', async () => {
    const plain = await manifest(['version: 1', 'tables:', '  steady:', '    indexes:', '      steady_v:', '        columns: [v]', '        tablespace: pg_default']);
    const same = await runCli(['plan', '--detailed-exitcode', '--database-url', db.url], { cwd: plain });
    expect(same).toMatchObject({ code: 0, stdout: 'No changes. The indexes match indexes.yaml.\n', stderr: '' });

    // PostgreSQL refuses the default named on a partitioned index: the build leaves the clause out.
    const partitioned = await manifest(['version: 1', 'tables:', '  parts:', '    indexes:', '      parts_at:', '        columns: [at]', '        tablespace: pg_default']);
    const applied = await runCli(['apply', '--yes', '--database-url', db.url], { cwd: partitioned });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(lines(applied.stdout).filter((l) => / step {6}/.test(l)).map((l) => l.replace(/^.*? step {6}/, ''))).toEqual([
      'public.parts parts_at 1/3 build-parent: CREATE INDEX parts_at ON ONLY public.parts USING btree (at)',
      'public.parts parts_at 2/3 build on public.parts_2024: CREATE INDEX CONCURRENTLY parts_at_parts_2024 ON public.parts_2024 USING btree (at)',
      'public.parts parts_at 3/3 attach on public.parts_2024: ALTER INDEX public.parts_at ATTACH PARTITION public.parts_at_parts_2024',
    ]);
    const after = await runCli(['plan', '--detailed-exitcode', '--database-url', db.url], { cwd: partitioned });
    expect(after).toMatchObject({ code: 0, stdout: 'No changes. The indexes match indexes.yaml.\n', stderr: '' });
  }, SLOW);

  it('a missing tablespace and names taken by an index on another table, a sequence and a view: errors at each index', async () => {
    const dir = await manifest([
      'version: 1',
      'tables:',
      '  places:',
      '    indexes:',
      '      places_fast:',
      '        columns: [id]',
      '        tablespace: fast_ssd',
      '      orders_total:',
      '        columns: [v]',
      '      places_seq:',
      '        columns: [v]',
      '      places_view:',
      '        columns: [id, v]',
      '      places_fine:',
      '        columns: [v, id]',
    ]);
    const result = await runCli(['plan', '--detailed-exitcode', '--database-url', db.url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    const shared = '(index names share one namespace with tables, sequences and views); choose another name';
    expectLines(result.stderr, [
      'indexes.yaml:5:7  tables.places.indexes.places_fast.tablespace  tablespace "fast_ssd" does not exist (this database has: pg_default)',
      `indexes.yaml:8:7  tables.places.indexes.orders_total  the name orders_total is already taken in schema public by the index orders_total on public.orders ${shared}, or rename or drop that index`,
      `indexes.yaml:10:7  tables.places.indexes.places_seq  the name places_seq is already taken in schema public by the sequence public.places_seq ${shared}`,
      `indexes.yaml:12:7  tables.places.indexes.places_view  the name places_view is already taken in schema public by the view public.places_view ${shared}`,
      'Error: The plan cannot be made: 4 problems in indexes.yaml.',
    ]);
    expect(await indexesOf(db, ['places'])).toEqual([]);
  }, SLOW);

  it('reads the default tablespace, every tablespace, and only the relations that clash', async () => {
    const session = await connect(targetFor(db.url));
    try {
      const live = await readLiveState(session, [
        { schema: 'public', name: 'steady', indexes: [{ name: 'steady_v' }, { name: 'orders_total' }, { name: 'steady' }] },
        { schema: 'public', name: 'places', indexes: [{ name: 'places_seq' }, { name: 'free_name' }] },
      ]);
      expect(live.defaultTablespace).toBe('pg_default');
      expect(live.tablespaces).toEqual([
        { name: 'pg_default', canCreate: true },
        { name: 'pg_global', canCreate: true },
      ]);
      expect(live.namesInUse).toEqual([
        { schema: 'public', name: 'orders_total', kind: 'index', table: { schema: 'public', name: 'orders' } },
        { schema: 'public', name: 'places_seq', kind: 'sequence' },
        { schema: 'public', name: 'steady', kind: 'table' },
      ]);
    } finally {
      await session.end();
    }
  });
});
