/*
 * Names with dots: `"a.b".c` (table c in schema "a.b") and `a."b.c"` (table "b.c" in schema a) are two
 * tables, and the plan, apply and status must keep them apart.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexKey, tableKey } from '../../src/core/model.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

let db: TestDatabase;
let manifest: string;

const MANIFEST = `version: 1
tables:
  '"a.b".c':
    indexes:
      idx_first:
        columns: [x]
  'a."b.c"':
    indexes:
      idx_second:
        columns: [y]
`;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query('CREATE SCHEMA "a.b"; CREATE SCHEMA a; CREATE TABLE "a.b".c (x int); CREATE TABLE a."b.c" (y int)');
  manifest = path.join(await mkdtemp(path.join(tmpdir(), 'dotted-')), 'indexes.yaml');
  await writeFile(manifest, MANIFEST);
});

describe('keys of dotted names', () => {
  it('never give two names one key', () => {
    expect(tableKey('a.b', 'c')).not.toBe(tableKey('a', 'b.c'));
    expect(indexKey('a', 'b"."c')).not.toBe(indexKey('a"."b', 'c'));
    expect(tableKey('public', 'users')).toBe('public.users');
  });

  it('plans, applies and then finds no changes for two tables whose names differ only in where the dot is', async () => {
    const plan = await runInProcess(['plan', '-f', manifest, '--database-url', db.url, '--format', 'json']);
    expect(plan.stderr).toBe('');
    const actions = (JSON.parse(plan.stdout) as { actions: { kind: string; table: { schema: string; name: string }; index: string }[] }).actions;
    expect(actions.map((a) => [a.kind, a.table.schema, a.table.name, a.index])).toEqual([
      ['create', 'a.b', 'c', 'idx_first'],
      ['create', 'a', 'b.c', 'idx_second'],
    ]);
    const apply = await runInProcess(['apply', '-f', manifest, '--database-url', db.url, '--yes', '--output', 'json']);
    expect(apply.code).toBe(0);
    const { rows } = await db.query<{ idx: string; tbl: string }>(
      "SELECT indexrelid::regclass::text AS idx, indrelid::regclass::text AS tbl FROM pg_index WHERE indrelid IN ('\"a.b\".c'::regclass, 'a.\"b.c\"'::regclass) ORDER BY 1",
    );
    expect(rows).toEqual([
      { idx: '"a.b".idx_first', tbl: '"a.b".c' },
      { idx: 'a.idx_second', tbl: 'a."b.c"' },
    ]);
    const again = await runInProcess(['plan', '-f', manifest, '--database-url', db.url, '--detailed-exitcode']);
    expect(again.code).toBe(0);
  });
});
