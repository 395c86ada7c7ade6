/* The flagship example at a small scale: every declared index built and valid, no changes after, every
   declared query served by its index, status reporting the guide's 20% budget. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'openlearn');
const MANIFEST = path.join(EXAMPLE, 'indexes.yaml');

describe('examples/openlearn', () => {
  let db: TestDatabase;
  const args = (...rest: string[]): string[] => [...rest, '-f', MANIFEST, '--database-url', db.url];

  beforeAll(async () => {
    db = await freshDatabase();
    const client = await db.connect();
    await client.query('SET search_path = public');
    await client.query(await readFile(path.join(EXAMPLE, 'schema.sql'), 'utf8'));
    await client.query(`SET openlearn.scale = '0.02'`);
    await client.query(await readFile(path.join(EXAMPLE, 'seed.sql'), 'utf8'));
    const applied = await runInProcess(args('apply', '--yes', '--output', 'plain'));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  }, 240_000);

  it('builds every declared index, valid, and plans no changes afterwards', async () => {
    const { rows } = await db.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname LIKE 'idx\\_%' ORDER BY 1`,
    );
    expect(rows).toHaveLength(59);
    expect(rows.filter((r) => !r.valid)).toEqual([]);
    const planned = await runInProcess(args('plan', '--detailed-exitcode'));
    expect(planned.stdout).toBe(`No changes. The indexes match ${MANIFEST}.\n`);
    expect(planned.code).toBe(0);
  });

  it('has every declared query served by the index that declares it', async () => {
    const checked = await runInProcess(args('check'));
    expect(checked.stderr).toBe('');
    expect(checked.stdout.trimEnd().split('\n').at(-1)).toBe('58 queries: 58 use their index, 0 do not.');
    expect(checked.code).toBe(0);
  });

  it('reports index sizes against the guide’s 20% budget', async () => {
    const status = await runInProcess(args('status', '--format', 'json'));
    const document = JSON.parse(status.stdout) as { budget: { indexToTableRatio: number }; tables: { name: string; ratio: number; overBudget: boolean }[] };
    expect(document.budget.indexToTableRatio).toBe(0.2);
    expect(document.tables).toHaveLength(8);
    for (const table of document.tables) expect(table.overBudget).toBe(table.ratio > 0.2);
    const gated = await runInProcess(args('status', '--fail-on', 'invalid'));
    expect(gated.code).toBe(0);
  });
});
