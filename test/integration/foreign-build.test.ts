/* A build another role runs, which this role may not see in the progress view, is left alone. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdOldSnapshot, urlAs, waitForBuild } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

describe('an index another role is building right now', () => {
  it('is skipped, not dropped, even when its progress is not visible to this role', async () => {
    const db = await freshDatabase();
    const role = `planner_${Math.random().toString(36).slice(2, 8)}`;
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'planner-pw'; CREATE TABLE shared_t (id int, v int);
      INSERT INTO shared_t SELECT g, g FROM generate_series(1, 1000) g; ALTER TABLE shared_t OWNER TO ${role};
      GRANT CREATE ON SCHEMA public TO ${role}`);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'foreign-')), 'indexes.yaml');
    await writeFile(file, 'version: 1\ntables:\n  shared_t:\n    indexes:\n      shared_t_id:\n        columns: [id]\n');

    // A superuser's build (say, a DBA's) held in its last wait by an old snapshot: invalid until it ends.
    const snapshot = await holdOldSnapshot(db);
    const dba = await db.connect();
    const building = dba.query('CREATE INDEX CONCURRENTLY dba_v ON shared_t (v)');
    try {
      const build = await waitForBuild(db, 'dba_v');
      const planned = await runInProcess(['plan', '-f', file, '--database-url', urlAs(db.url, role, 'planner-pw')]);
      expect(planned.stderr).toBe('');
      expect(planned.stdout).toContain(
        `  · dba_v  being built right now by pid ${build.pid} (not visible to this role (grant it pg_read_all_stats to see the phase)): left alone\n`,
      );
      expect(planned.stdout).not.toMatch(/- dba_v/);
    } finally {
      await snapshot.release();
      await building;
    }
  });
});
