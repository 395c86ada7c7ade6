/*
 * An expression or partial build holds up every other build that finishes while it runs (their final
 * "waiting for old snapshots"), so the executor starts one only once the others have reached that wait.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { executePlan } from '../../src/io/executor.js';
import { holdOldSnapshot, runningBuilds, until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { column, createAction, dropAction, expression, index, recorder, targetFor, testSettings } from '../helpers/plan-fixtures.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE w (id int, v int);
    INSERT INTO w SELECT g, g % 100 FROM generate_series(1, 20000) g;
    CREATE TABLE a (id int, txt text);
    INSERT INTO a SELECT g, 'Row ' || g FROM generate_series(1, 20000) g;
    CREATE INDEX a_old ON a (id);
    ANALYZE;
  `);
});

// On 13 every build holds up every other one, so there is no plain-column build to contrast with.
describe.skipIf(inject('pgMajor') < 14)('staggered builds', () => {
  it('holds an expression build until the build on the other table reached its last wait, and says so', async () => {
    // A writer on w holds w's build in "waiting for writers before build", well before its last wait.
    const writer = await db.connect();
    await writer.query('BEGIN');
    await writer.query('INSERT INTO w VALUES (0, 0)');
    // A lock on a holds a's first action (a drop), so that w's build is surely running when a's expression build comes.
    const locker = await db.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
    // An old snapshot holds every build in its last wait ("waiting for old snapshots") until released:
    // each build's phases stay in view for as long as the test needs to see them.
    const snapshot = await holdOldSnapshot(db);

    const events = recorder();
    const applying = executePlan(
      targetFor(db.url),
      [
        createAction(index('w', 'w_v', { columns: [column('v')] }), { tableBytes: 2 }),
        dropAction('a', 'a_old'),
        createAction(index('a', 'a_lower_txt', { columns: [expression('lower(txt)')] }), { tableBytes: 1, analyzeAfterBuild: false }),
      ],
      testSettings({ concurrency: 2, lockTimeoutMs: 20_000 }),
      { listener: events.listener, pollIntervalMs: 50 },
    );
    await events.when((e) => e.type === 'waiting' && e.actionId === 0);
    await events.when((e) => e.type === 'waiting' && e.actionId === 1);
    await locker.query('COMMIT');
    const held = await events.when((e) => e.type === 'waiting' && e.actionId === 2);
    const wPid = events.of('action-started').find((e) => e.actionId === 0)!.pid;
    expect(held).toMatchObject({
      what: 'builds on public.w to reach their last wait (an expression or partial index build started now would hold them up until it ends)',
      blockers: [{ pid: wPid, applicationName: 'reconcile', state: 'active', query: 'CREATE INDEX CONCURRENTLY w_v ON public.w USING btree (v)' }],
    });
    // While w's build waits for the writer, a's does not start: several looks at the database agree.
    let looks = 0;
    await until(async () => {
      const builds = await runningBuilds(db);
      expect(builds.map((b) => [b.pid, b.phase])).toEqual([[wPid, 'waiting for writers before build']]);
      looks += 1;
      return looks >= 5 ? true : undefined;
    }, 'five looks at the running builds');
    await writer.query('COMMIT');

    // a's build starts only once w's has reached its last wait, where the old snapshot keeps it.
    const aPid = events.of('action-started').find((e) => e.actionId === 2)!.pid;
    const whenAStarted = await until(async () => {
      const builds = await runningBuilds(db);
      return builds.some((b) => b.pid === aPid) ? builds : undefined;
    }, "a's build to start");
    expect(whenAStarted.find((b) => b.pid === wPid)?.phase).toBe('waiting for old snapshots');
    // The monitor reported both builds' progress: w's last wait first, then a's build.
    await events.when((e) => e.type === 'progress' && e.actionId === 2 && e.phase === 'waiting for old snapshots');
    await snapshot.release();
    const result = await applying;

    expect(result.statuses).toEqual(['done', 'done', 'done']);
    const seq = (predicate: (e: (typeof events.events)[number]) => boolean): number => events.events.findIndex(predicate);
    const wLastWait = seq((e) => e.type === 'progress' && e.actionId === 0 && e.phase === 'waiting for old snapshots');
    const aBuilding = seq((e) => e.type === 'progress' && e.actionId === 2);
    expect(wLastWait).toBeGreaterThan(-1);
    expect(aBuilding).toBeGreaterThan(wLastWait);
    // w's build did not wait for a's: it never reported a's backend as a blocker.
    const wWaits = events.of('waiting').filter((e) => e.actionId === 0);
    expect(wWaits.map((e) => e.what)).toContain('old snapshots (transactions older than the build)');
    for (const waiting of wWaits) expect(waiting.blockers.map((b) => b.pid)).not.toContain(aPid);
  });

  it('does not hold plain-column builds, and gives up holding after staggerMaxMs', async () => {
    // A writer on w holds w's build in "waiting for writers before build" for the whole test.
    const writer = await db.connect();
    await writer.query('BEGIN');
    await writer.query('INSERT INTO w VALUES (0, 0)');
    // a's queue starts with a drop held behind a lock, so that w's build surely runs when a's builds come.
    await db.query('CREATE INDEX a_spare ON a (id)');
    const locker = await db.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
    const events = recorder();
    const applying = executePlan(
      targetFor(db.url),
      [
        createAction(index('w', 'w_id', { columns: [column('id')] }), { tableBytes: 2 }),
        dropAction('a', 'a_spare'),
        createAction(index('a', 'a_id_plain', { columns: [column('id')] }), { tableBytes: 1 }),
        createAction(index('a', 'a_txt_partial', { columns: [column('id')], where: "txt LIKE 'Row 1%'" }), { tableBytes: 1 }),
      ],
      testSettings({ concurrency: 2, lockTimeoutMs: 20_000 }),
      { listener: events.listener, pollIntervalMs: 50, staggerMaxMs: 300 },
    );
    await events.when((e) => e.type === 'waiting' && e.actionId === 0);
    await events.when((e) => e.type === 'waiting' && e.actionId === 1);
    await locker.query('COMMIT');
    await events.when((e) => e.type === 'action-done' && e.actionId === 3);
    // The partial build went ahead while w's build was still in its first wait: it gave up holding.
    expect((await runningBuilds(db)).map((b) => [b.index, b.phase])).toEqual([['w_id', 'waiting for writers before build']]);
    await writer.query('COMMIT');
    const result = await applying;
    expect(result.statuses).toEqual(['done', 'done', 'done', 'done']);
    expect(events.of('waiting').filter((e) => e.actionId === 2)).toEqual([]);
    expect(events.of('waiting').filter((e) => e.actionId === 3).map((e) => e.what), JSON.stringify(events.events)).toEqual([
      'builds on public.w to reach their last wait (an expression or partial index build started now would hold them up until it ends)',
    ]);
  });
});
