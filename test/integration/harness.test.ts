import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/db.js';

function newestSource(entry: string): { file: string; mtimeMs: number } {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return { file: entry, mtimeMs: stat.mtimeMs };
  return readdirSync(entry)
    .map((name) => newestSource(path.join(entry, name)))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), { file: entry, mtimeMs: 0 });
}

describe('test harness', () => {
  it('talks to a real PostgreSQL of the chosen major', async () => {
    const db = await freshDatabase();
    const { rows } = await db.query<{ num: string; db: string }>(
      `SELECT current_setting('server_version_num') AS num, current_database() AS db`,
    );
    expect(Math.floor(Number(rows[0]!.num) / 10_000)).toBe(db.major);
    expect(rows[0]!.db).toBe(db.name);
    const wanted = process.env.PG_VERSION;
    if (wanted) expect(db.major).toBe(Number(wanted));
  });

  it('runs the CLI built from the sources as they are now', () => {
    // The CLI tests run dist/cli.js: the run's global setup builds it when a source is newer.
    const newest = newestSource(path.join(REPO_ROOT, 'src'));
    expect(statSync(CLI).mtimeMs, `${path.relative(REPO_ROOT, newest.file)} is newer than dist/cli.js`).toBeGreaterThanOrEqual(newest.mtimeMs);
  });
});
