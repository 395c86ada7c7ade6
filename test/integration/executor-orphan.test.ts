/*
 * After a lost connection the executor waits for the build its backend may still be running, then
 * reads the index. The build can finish between reading the index and looking for its builder: the
 * index must be read again then, or a valid index is taken for a failed build and dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../src/io/db.js';
import { awaitOrphanBuild } from '../../src/io/executor/cleanup.js';
import type { RunContext, Worker } from '../../src/io/executor/context.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let session: Session;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query('CREATE TABLE t (a int); CREATE INDEX idx_t_a ON t (a)');
  session = await connect({ connectionString: db.url, display: 'test', secrets: [] });
});

afterAll(async () => {
  await session?.end();
});

/** The real session, except that the build finishes (the index turns valid) just before the builder is looked for. */
function finishingBeforeBuilderLookup(real: Session): Session {
  return {
    ...real,
    pid: real.pid,
    async query(sql, params) {
      if (sql.includes('pg_stat_progress_create_index')) {
        await real.query("UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'public.idx_t_a'::regclass");
      }
      return real.query(sql, params);
    },
  } as Session;
}

describe('awaitOrphanBuild', () => {
  it('reads the index again when its builder is gone, so a build that just finished counts as valid', async () => {
    await db.query("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.idx_t_a'::regclass");
    const run = { aborted: false } as unknown as RunContext;
    const worker: Worker = { session: finishingBeforeBuilderLookup(session) };
    const state = await awaitOrphanBuild(run, worker, { ref: { schema: 'public', name: 'idx_t_a' }, preexistingOid: undefined });
    expect(state?.valid).toBe(true);
  });

  it('reports an invalid index whose builder is gone as invalid', async () => {
    await db.query("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.idx_t_a'::regclass");
    const state = await awaitOrphanBuild({ aborted: false } as unknown as RunContext, { session }, { ref: { schema: 'public', name: 'idx_t_a' }, preexistingOid: undefined });
    expect(state?.valid).toBe(false);
  });
});
