/* Lock waits: short statements retry behind a blocker; builds wait for old snapshots without failing. */
import { beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/io/executor.js';
import { until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { column, commentAction, createAction, dropAction, index, recorder, renameAction, replaceAction, targetFor, testSettings } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE t (id int, a int, b int, c int);
    INSERT INTO t SELECT g, g % 100, g % 7, g FROM generate_series(1, 20000) g;
    CREATE INDEX t_a ON t (a);
    CREATE INDEX t_b ON t (b);
    CREATE INDEX t_c ON t (c);
    CREATE TABLE s (id int, body text);
    INSERT INTO s SELECT g, md5(g::text) FROM generate_series(1, 50000) g;
    CREATE TABLE other (id int);
    INSERT INTO other VALUES (1);
    ANALYZE;
  `);
});

const quick = { lockTimeoutMs: 300, retries: 3 };
const fastBackoff = { baseMs: 100, maxMs: 1_000 };

async function pidOf(client: { query: (sql: string) => Promise<{ rows: { pid: number }[] }> }): Promise<number> {
  return (await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

async function indexNames(): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('t', 's') ORDER BY 1`);
  return rows.map((r) => r.name);
}

describe('lock waits', () => {
  it('waits behind a lock, says who holds it, retries and succeeds once the blocker commits', async () => {
    const blocker = await db.connect();
    const blockerPid = await pidOf(blocker);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');

    const events = recorder();
    const applying = executePlan(
      targetFor(db.url),
      [dropAction('t', 't_a'), commentAction('t', 't_b', 'waits its turn')],
      testSettings(quick),
      { listener: events.listener, pollIntervalMs: 50, backoff: fastBackoff },
    );
    await events.when((e) => e.type === 'retry');
    await events.when((e) => e.type === 'waiting');
    await blocker.query('COMMIT');
    const result = await applying;

    expect(result).toMatchObject({ statuses: ['done', 'done'], failed: 0 });
    const waiting = events.of('waiting')[0]!;
    expect(waiting.actionId).toBe(0);
    expect(waiting.what).toBe('lock on public.t (ShareUpdateExclusiveLock)');
    expect(waiting.blockers.map((b) => b.pid)).toEqual([blockerPid]);
    expect(waiting.blockers[0]).toMatchObject({ state: 'idle in transaction', query: 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE' });
    const retry = events.of('retry')[0]!;
    expect(retry).toMatchObject({ actionId: 0, attempt: 1, retries: 3, error: { code: '55P03', message: 'canceling statement due to lock timeout' } });
    expect(retry.delayMs).toBeGreaterThanOrEqual(75);
    expect(retry.delayMs).toBeLessThanOrEqual(125);
    expect(await indexNames()).not.toContain('t_a');
    const { rows } = await db.query<{ comment: string }>(`SELECT obj_description('public.t_b'::regclass, 'pg_class') AS comment`);
    expect(rows[0]!.comment).toBe('waits its turn');
  });

  it('gives up after its retries, saying it timed out waiting for a lock and naming the blocker', async () => {
    const blocker = await db.connect();
    await blocker.query(`SET application_name = 'migration-console'`);
    const blockerPid = await pidOf(blocker);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');

    const events = recorder();
    const result = await executePlan(targetFor(db.url), [dropAction('t', 't_c'), commentAction('t', 't_b', 'set all the same')], testSettings(quick), {
      listener: events.listener,
      pollIntervalMs: 50,
      backoff: fastBackoff,
    });
    await blocker.query('ROLLBACK');

    // The failed drop holds nothing else back: the comment after it on the same table (a lock on the
    // index only, which the blocker does not hold) is set.
    expect(result).toMatchObject({ statuses: ['failed', 'done'], failed: 1, interrupted: false });
    expect(events.of('action-failed').map((e) => e.actionId)).toEqual([0]);
    // Three retries after lock timeouts, each announced with a backoff that doubles (±25 % jitter)
    // from the 100 ms base, and each attempt made only after the previous one's backoff.
    const retries = events.of('retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(retries.map((e) => e.error.code)).toEqual(['55P03', '55P03', '55P03']);
    retries.forEach((retry, i) => {
      const base = fastBackoff.baseMs * 2 ** i;
      expect(retry.delayMs).toBeGreaterThanOrEqual(0.75 * base);
      expect(retry.delayMs).toBeLessThanOrEqual(1.25 * base);
    });
    const failure = events.of('action-failed').find((e) => e.actionId === 0)!;
    expect(failure.error.code).toBe('55P03');
    expect(failure.error.message).toMatch(/^canceling statement due to lock timeout: timed out waiting for lock on public\.t \(ShareUpdateExclusiveLock\) \(4 attempts, lock_timeout 300 ms each\); blocked by pid \d+ \(migration-console, idle in transaction/);
    expect(failure.error.message).toContain(`pid ${blockerPid} (migration-console`);
    expect(failure.error.message).toContain('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    expect(failure.error.hint).toContain(`pg_terminate_backend(${blockerPid})`);
    expect(failure.cleanedUp).toEqual([]);
    // It slept out each backoff before trying again: a lower bound on the executor's own clock, which
    // a slow machine can only lengthen.
    const failedAt = events.of('action-failed').find((e) => e.actionId === 0)!.at;
    [...retries.map((e) => e.at), failedAt].reduce((previous, next, i) => {
      expect(next - previous).toBeGreaterThanOrEqual(retries[i - 1]!.delayMs);
      return next;
    });
    // The index it could not drop is still there, valid: a failed drop changes nothing.
    expect(await indexNames()).toContain('t_c');
    const { rows } = await db.query<{ comment: string }>(`SELECT obj_description('public.t_b'::regclass, 'pg_class') AS comment`);
    expect(rows).toEqual([{ comment: 'set all the same' }]);
  });

  it('names the blocker even when the lock timeout strikes between two polls', async () => {
    const blocker = await db.connect();
    const blockerPid = await pidOf(blocker);
    await blocker.query('BEGIN');
    // Holds SHARE UPDATE EXCLUSIVE on the index itself, which ALTER INDEX … RENAME needs.
    await blocker.query(`COMMENT ON INDEX t_b IS 'being edited'`);

    const events = recorder();
    const result = await executePlan(targetFor(db.url), [renameAction('t', 't_b', 't_b_renamed')], testSettings({ lockTimeoutMs: 100, retries: 0 }), {
      listener: events.listener,
      monitor: false,
    });
    await blocker.query('ROLLBACK');
    expect(result.statuses).toEqual(['failed']);
    const failure = events.of('action-failed')[0]!;
    expect(failure.error.message).toContain('timed out waiting for a lock on public.t (1 attempt, lock_timeout 100 ms each)');
    expect(failure.error.message).toContain(`blocked by pid ${blockerPid}`);
    expect(await indexNames()).toContain('t_b');
  });
});

describe('a replace that cannot swap', () => {
  it('drops the new index it built, keeps the old one, and names the lock it waited for', async () => {
    await db.query('CREATE INDEX t_swap ON t (a)');
    const blocker = await db.connect();
    const blockerPid = await pidOf(blocker);
    await blocker.query('BEGIN');
    // SHARE UPDATE EXCLUSIVE on the old index: the swap's first rename cannot have it.
    await blocker.query(`COMMENT ON INDEX t_swap IS 'in use'`);
    const events = recorder();
    const result = await executePlan(
      targetFor(db.url),
      [replaceAction(index('t', 't_swap', { columns: [column('a'), column('b')] }), 'CREATE INDEX t_swap ON public.t USING btree (a)')],
      testSettings({ lockTimeoutMs: 200, retries: 1 }),
      { listener: events.listener, pollIntervalMs: 50, backoff: fastBackoff },
    );
    await blocker.query('ROLLBACK');

    expect(result.statuses).toEqual(['failed']);
    expect(events.of('step-started').map((e) => e.kind)).toEqual(['build', 'swap']);
    const failure = events.of('action-failed')[0]!;
    expect(failure.error.code).toBe('55P03');
    expect(failure.error.message).toContain(`blocked by pid ${blockerPid}`);
    expect(failure.cleanedUp).toEqual(['public.t_swap_reconcile_new']);
    expect(failure.leftBehind).toEqual([]);
    const { rows } = await db.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE indexname LIKE 't_swap%' ORDER BY 1`,
    );
    expect(rows).toEqual([{ name: 't_swap', def: 'CREATE INDEX t_swap ON public.t USING btree (a)' }]);
  });
});

describe('builds and old snapshots', () => {
  it('lets a build wait for an old snapshot on another table, shows it, and finishes when it ends', async () => {
    const holder = await db.connect();
    const holderPid = await pidOf(holder);
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM other');

    const events = recorder();
    const applying = executePlan(
      targetFor(db.url),
      [createAction(index('s', 's_body', { columns: [column('body')] }))],
      // The short lockTimeout does not apply to builds: buildLockTimeout 0 means none.
      testSettings({ ...quick, buildLockTimeoutMs: 0 }),
      { listener: events.listener, pollIntervalMs: 50, backoff: fastBackoff },
    );
    const waiting = await events.when((e) => e.type === 'waiting');
    const started = events.of('action-started')[0]!;
    // Well past the 300 ms lockTimeout by the server's own clock, the first attempt's statement is still
    // waiting: a lock timeout would have ended it (and a retry would have started another).
    await until(async () => {
      const { rows } = await db.query<{ waited: boolean }>(
        `SELECT clock_timestamp() - a.query_start > interval '1 second' AS waited
           FROM pg_stat_activity a JOIN pg_stat_progress_create_index p ON p.pid = a.pid
          WHERE a.pid = $1 AND p.phase = 'waiting for old snapshots' AND a.query LIKE 'CREATE INDEX CONCURRENTLY%'`,
        [started.pid],
      );
      expect(rows, 'the build is still waiting for the old snapshot').toHaveLength(1);
      return rows[0]!.waited ? true : undefined;
    }, 'the build to wait a second');
    expect(events.of('action-failed')).toEqual([]);
    expect(events.of('retry')).toEqual([]);
    await holder.query('COMMIT');
    const result = await applying;

    expect(result.statuses).toEqual(['done']);
    expect(waiting).toMatchObject({ what: 'old snapshots (transactions older than the build)', actionId: 0 });
    if (waiting.type === 'waiting') expect(waiting.blockers.map((b) => b.pid)).toEqual([holderPid]);
    const phases = events.of('progress').map((e) => e.phase);
    expect(phases).toContain('waiting for old snapshots');
    const { rows } = await db.query<{ valid: boolean }>(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.s_body'::regclass`);
    expect(rows).toEqual([{ valid: true }]);
  });

  it('would have died with a short lock timeout on the build, and then leaves nothing behind', async () => {
    const holder = await db.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM other');

    const events = recorder();
    const result = await executePlan(
      targetFor(db.url),
      [createAction(index('s', 's_id', { columns: [column('id')] }))],
      testSettings({ lockTimeoutMs: 300, buildLockTimeoutMs: 300, retries: 0 }),
      { listener: events.listener, pollIntervalMs: 50 },
    );
    await holder.query('ROLLBACK');

    expect(result.statuses).toEqual(['failed']);
    const failure = events.of('action-failed')[0]!;
    expect(failure.error.code).toBe('55P03');
    expect(failure.error.message).toContain('timed out waiting for old snapshots (transactions older than the build)');
    expect(failure.cleanedUp).toEqual(['public.s_id']);
    expect(await indexNames()).not.toContain('s_id');
  });
});
