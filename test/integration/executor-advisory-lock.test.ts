import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { acquireApplyLock } from '../../src/io/advisory-lock.js';
import { freshDatabase } from '../helpers/db.js';
import { targetFor } from '../helpers/plan-fixtures.js';

describe('apply lock', () => {
  it('refuses a second apply at once, naming the holder, and is free again after release', async () => {
    const db = await freshDatabase();
    const target = targetFor(db.url);
    const first = await acquireApplyLock(target, { applicationName: 'reconcile' });

    const started = Date.now();
    const second = await acquireApplyLock(target, { applicationName: 'reconcile-second' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(second).toBeInstanceOf(UserError);
    const message = (second as UserError).message;
    expect(message).toMatch(new RegExp(`^Another reconcile apply is running on ${db.name}: pid ${first.pid} \\(application_name "reconcile", user \\w+`));
    expect(message).toMatch(/connected since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(message).toMatch(/last statement at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect((second as UserError).hint).toContain(`pg_terminate_backend(${first.pid})`);
    // The refused attempt left no session behind.
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'reconcile-second'`,
    );
    expect(rows[0]!.n).toBe(0);

    await first.release();
    await first.release();
    const third = await acquireApplyLock(target);
    await third.release();
  });

  it('is released by the server when its session dies', async () => {
    const db = await freshDatabase();
    const target = targetFor(db.url);
    const first = await acquireApplyLock(target);
    let lost = false;
    first.onLost(() => {
      lost = true;
    });
    await db.query('SELECT pg_terminate_backend($1)', [first.pid]);
    for (let i = 0; i < 40 && !lost; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lost).toBe(true);
    const again = await acquireApplyLock(target);
    await again.release();
    await first.release();
  });
});
