import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { acquireApplyLock } from '../../src/io/advisory-lock.js';
import { until } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { targetFor } from '../helpers/plan-fixtures.js';

/** Whether any session of the test database is queued for an advisory lock it has not got. */
async function queuedForAdvisoryLock(db: TestDatabase): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0]!.n > 0;
}

describe('apply lock', () => {
  it('refuses a second apply at once, naming the holder, and is free again after release', async () => {
    const db = await freshDatabase();
    const target = targetFor(db.url);
    const first = await acquireApplyLock(target, { applicationName: 'reconcile' });

    let second: unknown;
    let settled = false;
    void acquireApplyLock(target, { applicationName: 'reconcile-second' }).then(
      () => (settled = true),
      (error: unknown) => {
        second = error;
        settled = true;
      },
    );
    // "At once" means without queueing behind the first: the attempt settles while the first still
    // holds the lock, and never shows in pg_locks as a request waiting for it.
    const outcome = await until(
      async () => (settled ? 'settled' : (await queuedForAdvisoryLock(db)) ? 'queued behind the first' : undefined),
      'the second attempt to settle',
    );
    expect(outcome).toBe('settled');
    expect(second).toBeInstanceOf(UserError);
    const message = (second as UserError).message;
    expect(message).toMatch(new RegExp(`^Another reconcile apply is running on ${db.name}: pid ${first.pid} \\(application_name "reconcile", user \\w+`));
    expect(message).toMatch(/connected since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(message).toMatch(/last statement at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect((second as UserError).hint).toContain(`pg_terminate_backend(${first.pid})`);
    // The refused attempt left no session behind (its backend leaves pg_stat_activity a moment after
    // the client closed the connection).
    await until(async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'reconcile-second'`,
      );
      return rows[0]!.n === 0 ? true : undefined;
    }, 'the refused attempt to close its session');

    await first.release();
    await first.release();
    const third = await acquireApplyLock(target);
    await third.release();
  });

  it('is released by the server when its session dies', async () => {
    const db = await freshDatabase();
    const target = targetFor(db.url);
    const first = await acquireApplyLock(target);
    let lost: Error | undefined;
    first.onLost((error) => {
      lost = error;
    });
    await db.query('SELECT pg_terminate_backend($1)', [first.pid]);
    expect(await until(async () => lost, 'the lock to report its session lost')).toBeInstanceOf(Error);
    const again = await acquireApplyLock(target);
    await again.release();
    await first.release();
  });
});
