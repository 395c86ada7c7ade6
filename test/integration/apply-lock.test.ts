/* The apply lock is released whatever fails once it is taken, even before anything runs. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

/** Backend pids holding an advisory lock in the test database (the apply lock is the only one). */
async function advisoryLockHolders(db: TestDatabase): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows.map((row) => row.pid);
}

describe('the apply lock', () => {
  it('is released when the renderer cannot be created, and the next apply takes it', async () => {
    const db = await freshDatabase();
    await db.query('CREATE TABLE lock_items (id int, v int); INSERT INTO lock_items SELECT g, g FROM generate_series(1, 100) g');
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'apply-lock-')), 'indexes.yaml');
    await writeFile(file, 'version: 1\ntables:\n  lock_items:\n    indexes:\n      lock_items_v:\n        columns: [v]\n');

    // The live screen needs a terminal stream, which an in-process run does not have: it fails after the lock is taken.
    const failed = await runInProcess(['apply', '-f', file, '--database-url', db.url, '--yes', '--output', 'tui']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^Internal error: Error: the tui apply renderer needs a terminal stream \(out.stream\)\n/);
    expect(await advisoryLockHolders(db)).toEqual([]);
    expect((await db.query(`SELECT indexrelid FROM pg_index WHERE indrelid = 'lock_items'::regclass`)).rows).toEqual([]);

    const applied = await runInProcess(['apply', '-f', file, '--database-url', db.url, '--yes', '--output', 'json']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await advisoryLockHolders(db)).toEqual([]);
  });
});
