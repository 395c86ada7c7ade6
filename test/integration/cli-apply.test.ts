/*
 * `reconcile apply` end to end: the built CLI as a child process against a real database: approval,
 * saved plans and their staleness, a failed build, the apply lock, Ctrl-C, a hard kill, NDJSON.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifiedText } from '../../src/ui/apply-words.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import {
  expectLines,
  holdOldSnapshot,
  indexesOf,
  invalidIndexes,
  lines,
  re,
  reconcileBackends,
  runCli,
  SLOW,
  runningBuilds,
  startCli,
  until,
  waitForBuild,
  workdir,
} from '../helpers/cli.js';

/** One database per test: the tests run side by side, and an apply lock or a held snapshot is per database. */
const databases = new Map<string, TestDatabase>();
function database(name: string): TestDatabase {
  const db = databases.get(name);
  if (!db) throw new Error(`no database ${name}`);
  return db;
}

const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
const DURATION = '\\d+(ms|\\.\\ds|m\\d\\ds)';
/** One plain apply line: time, padded event word, text (a regex source). */
const line = (word: string, text: string): RegExp => new RegExp(`^${TIME}  ${word.padEnd(9)} ${text}$`);
const IN_SYNC = verifiedText({ inSync: true, differences: [] });

/** Backend pids holding an advisory lock in the test database (the apply lock is the only one). */
async function advisoryLockHolders(db: TestDatabase): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows.map((row) => row.pid);
}

const SHOP = `
    CREATE TABLE shop_customers (id int, email text, name text);
    INSERT INTO shop_customers SELECT g, 'c' || g || '@example.com', 'n' || g FROM generate_series(1, 5000) g;
    CREATE TABLE shop_invoices (id int, customer_id int, amount numeric);
    INSERT INTO shop_invoices SELECT g, g % 500, g FROM generate_series(1, 5000) g;
    CREATE INDEX shop_invoices_old ON shop_invoices (amount);`;

const SETUP: Readonly<Record<string, string>> = {
  refuse: SHOP,
  basic: SHOP,
  saved: `
    CREATE TABLE loans (id int, member_id int, due_on date, returned_on date);
    INSERT INTO loans SELECT g, g % 100, date '2024-01-01' + g % 365, CASE WHEN g % 3 = 0 THEN date '2024-06-01' END
      FROM generate_series(1, 3000) g;
    CREATE INDEX loans_old ON loans (returned_on);`,
  duplicates: `
    CREATE TABLE dup_users (id int, email text, name text);
    INSERT INTO dup_users SELECT g, 'u' || g || '@example.com', 'n' || g FROM generate_series(1, 4000) g;
    INSERT INTO dup_users VALUES (4001, 'u7@example.com', 'again');`,
  lock: `
    CREATE TABLE held_items (id int, v int);
    INSERT INTO held_items SELECT g, g FROM generate_series(1, 1000) g;
    CREATE TABLE second_items (id int, v int);`,
  interrupt: `
    CREATE TABLE int_items (id int, v int);
    INSERT INTO int_items SELECT g, g FROM generate_series(1, 1000) g;`,
  killed: `
    CREATE TABLE killed_a (id int, v int);
    INSERT INTO killed_a SELECT g, g FROM generate_series(1, 1000) g;
    CREATE TABLE killed_b (id int, v int);
    INSERT INTO killed_b SELECT g, g FROM generate_series(1, 1000) g;`,
  json: `
    CREATE TABLE json_items (id int, v int);`,
};

beforeAll(async () => {
  for (const [name, sql] of Object.entries(SETUP)) {
    const db = await freshDatabase();
    await db.query(`${sql}\n    ANALYZE;`);
    databases.set(name, db);
  }
});

describe.concurrent('reconcile apply', () => {
  it('refuses without --yes when there is no terminal to ask on, and changes nothing', async () => {
    const db = database('refuse');
    const dir = await workdir({ 'indexes.yaml': 'apply-basic.yaml' });
    const before = await indexesOf(db, ['shop_customers', 'shop_invoices']);
    // A "yes" on a pipe is not an approval: only a terminal may give one.
    const result = await runCli(['apply', '--database-url', db.url], { cwd: dir, stdin: 'yes\n' });
    expect(result.code).toBe(1);
    expectLines(result.stderr, [
      'Error: apply needs approval, and there is no terminal to ask on.',
      'Pass --yes, or save a plan and apply that file: reconcile plan --out plan.json && reconcile apply plan.json',
    ]);
    expectLines(result.stdout, [
      'Symbols: + create  - drop',
      '',
      'public.shop_customers',
      /^ {2}\+ shop_customers_email {2}builds over \d+\.\d kB, ~5,000 rows$/,
      '      CREATE UNIQUE INDEX CONCURRENTLY shop_customers_email ON public.shop_customers USING btree (lower(email))',
      '',
      'public.shop_invoices',
      /^ {2}\+ shop_invoices_customer {2}builds over \d+\.\d kB, ~5,000 rows$/,
      '      CREATE INDEX CONCURRENTLY shop_invoices_customer ON public.shop_invoices USING btree (customer_id)',
      '  - shop_invoices_old  not in indexes.yaml (prune is on)',
      '',
      'Plan: 2 to create, 1 to drop.',
      '',
    ]);
    expect(await indexesOf(db, ['shop_customers', 'shop_invoices'])).toEqual(before);
    expect(await advisoryLockHolders(db)).toEqual([]);
  }, SLOW);

  it('apply --yes prints the plan, one done line per action and the verification; plan then finds nothing', async () => {
    const db = database('basic');
    const dir = await workdir({ 'indexes.yaml': 'apply-basic.yaml' });
    const result = await runCli(['apply', '--yes', '--database-url', db.url], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    const blank = out.indexOf('Plan: 2 to create, 1 to drop.');
    expect(out[blank + 1]).toBe('');
    const events = out.slice(blank + 2);
    expect(events[0]).toMatch(line('planned', '3 actions on 2 tables, 2 at a time'));
    // Two tables run side by side: lines of one table keep their order, the tables interleave.
    expect(events.filter((l) => / {2}done {6}/.test(l)).map((l) => l.replace(/^.*? {2}done {6}/, '').replace(/ in \S+$/, '')).sort()).toEqual([
      'public.shop_customers shop_customers_email',
      'public.shop_invoices shop_invoices_customer',
      'public.shop_invoices shop_invoices_old',
    ]);
    for (const done of events.filter((l) => / {2}done {6}/.test(l))) expect(done).toMatch(line('done', `public\\.shop_\\w+ shop_\\w+ in ${DURATION}`));
    const customerSteps = events.filter((l) => l.includes('public.shop_customers shop_customers_email ') && / {2}step {6}/.test(l));
    expect(customerSteps.map((l) => l.replace(/^.*? {2}step {6}/, ''))).toEqual([
      'public.shop_customers shop_customers_email 1/3 build: CREATE UNIQUE INDEX CONCURRENTLY shop_customers_email ON public.shop_customers USING btree (lower(email))',
      'public.shop_customers shop_customers_email 2/3 analyze: ANALYZE public.shop_customers',
      "public.shop_customers shop_customers_email 3/3 comment: COMMENT ON INDEX public.shop_customers_email IS 'Login lookup'",
    ]);
    expect(events.at(-2)).toMatch(line('summary', `Applied 3 actions in ${DURATION}: 3 done\\.`));
    expect(events.at(-1)).toMatch(line('verified', re(IN_SYNC)));
    // Nothing failed, was retried or cancelled (a build may wait for the other table's, and progress may show).
    expect(events.map((l) => l.slice(22, 31).trim()).filter((word) => !['planned', 'start', 'step', 'progress', 'waiting', 'done', 'summary', 'verified'].includes(word))).toEqual([]);

    const plan = await runCli(['plan', '--detailed-exitcode', '--database-url', db.url], { cwd: dir });
    expect(plan).toMatchObject({ code: 0, stdout: 'No changes. The indexes match indexes.yaml.\n', stderr: '' });
    expect(await indexesOf(db, ['shop_customers', 'shop_invoices'])).toEqual([
      { name: 'shop_customers_email', valid: true, ready: true },
      { name: 'shop_invoices_customer', valid: true, ready: true },
    ]);
    const comment = await db.query(`SELECT obj_description('public.shop_customers_email'::regclass, 'pg_class') AS c`);
    expect(comment.rows).toEqual([{ c: 'Login lookup' }]);
  }, SLOW);

  it('applies a saved plan without asking, and refuses a stale one (manifest edited, index made by hand) changing nothing', async () => {
    const db = database('saved');
    const dir = await workdir({ 'indexes.yaml': 'apply-saved.yaml' });
    const saved = await runCli(['plan', '--out', 'p.json', '--database-url', db.url], { cwd: dir });
    expect(saved.code).toBe(0);
    expect(lines(saved.stdout).slice(-2)).toEqual(['', 'Saved the plan to p.json; run it with: reconcile apply p.json']);
    const before = await indexesOf(db, ['loans']);
    const planText = await readFile(path.join(dir, 'p.json'), 'utf8');
    const planSha = (JSON.parse(planText) as { manifest: { sha256: string } }).manifest.sha256;

    // Two copies of the working directory: in one the manifest was edited since, in the other it was not.
    const editedDir = await workdir({ 'indexes.yaml': 'apply-saved.yaml' });
    await writeFile(path.join(editedDir, 'p.json'), planText);
    const manifest = path.join(editedDir, 'indexes.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('columns: [member_id]', 'columns: [member_id, due_on]'));
    // …and somebody made an index by hand on a table the plan covers.
    await db.query('CREATE INDEX loans_by_hand ON loans (due_on, member_id)');
    const [edited, byHand] = await Promise.all([
      runCli(['apply', 'p.json', '--database-url', db.url], { cwd: editedDir }),
      runCli(['apply', 'p.json', '--database-url', db.url], { cwd: dir }),
    ]);
    expect(edited).toMatchObject({ code: 1, stdout: '' });
    expectLines(edited.stderr, [
      new RegExp(`^Error: Saved plan is stale: indexes\\.yaml changed since the plan was made \\(sha256 ${planSha.slice(0, 12)} then, (?!${planSha.slice(0, 12)})[0-9a-f]{12} now\\)\\.$`),
      'Make a new plan with reconcile plan --out, review it, and apply that.',
    ]);
    expect(byHand).toMatchObject({ code: 1, stdout: '' });
    expectLines(byHand.stderr, [
      'Error: Saved plan is stale: the indexes of the declared tables changed since the plan was made (now needed: drop loans_by_hand on public.loans).',
      'Make a new plan with reconcile plan --out, review it, and apply that.',
    ]);
    await db.query('DROP INDEX loans_by_hand');
    expect(await indexesOf(db, ['loans'])).toEqual(before);

    // No --yes and no terminal: the file is the approval.
    const applied = await runCli(['apply', 'p.json', '--database-url', db.url], { cwd: dir });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(lines(applied.stdout).at(-1)).toMatch(line('verified', re(IN_SYNC)));
    expect(await indexesOf(db, ['loans'])).toEqual([
      { name: 'loans_due', valid: true, ready: true },
      { name: 'loans_member', valid: true, ready: true },
    ]);
  }, SLOW);

  it('a unique index over duplicate rows: exit 1 with the duplicate key, nothing invalid left, the same table’s other indexes built', async () => {
    const db = database('duplicates');
    const dir = await workdir({ 'indexes.yaml': 'apply-duplicates.yaml' });
    const result = await runCli(['apply', '--yes', '--output', 'plain', '--database-url', db.url], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const out = lines(result.stdout);
    // Progress and wait lines come and go with the machine's speed; the rest is exact.
    const events = out.slice(out.indexOf('Plan: 3 to create.') + 2).filter((l) => !/^\S+ {2}(progress|waiting) /.test(l));
    // The failing build first in its table's queue: the two after it still run, in order, on the same worker.
    expectLines(events.join('\n'), [
      line('planned', '3 actions on 1 table, 1 at a time'),
      line('start', 'public\\.dup_users dup_users_email \\(create, pid \\d+\\)'),
      line('step', re('public.dup_users dup_users_email 1/1 build: CREATE UNIQUE INDEX CONCURRENTLY dup_users_email ON public.dup_users USING btree (email)')),
      line(
        'failed',
        `public\\.dup_users dup_users_email after ${DURATION}: ` +
          re('could not create unique index "dup_users_email" — Key (email)=(u7@example.com) is duplicated. [dropped public.dup_users_email again]'),
      ),
      line('start', 'public\\.dup_users dup_users_name \\(create, pid \\d+\\)'),
      line('step', re('public.dup_users dup_users_name 1/1 build: CREATE INDEX CONCURRENTLY dup_users_name ON public.dup_users USING btree (name)')),
      line('done', `public\\.dup_users dup_users_name in ${DURATION}`),
      line('start', 'public\\.dup_users dup_users_lower_name \\(create, pid \\d+\\)'),
      line('step', re('public.dup_users dup_users_lower_name 1/2 build: CREATE INDEX CONCURRENTLY dup_users_lower_name ON public.dup_users USING btree (lower(name))')),
      line('step', re('public.dup_users dup_users_lower_name 2/2 analyze: ANALYZE public.dup_users')),
      line('done', `public\\.dup_users dup_users_lower_name in ${DURATION}`),
      line('summary', `Applied 3 actions in ${DURATION}: 2 done, 1 failed\\.`),
      line('verified', re('Not in sync after apply: create dup_users_email on public.dup_users.')),
    ]);
    const pids = new Set(events.filter((l) => / {2}start {5}/.test(l)).map((l) => /pid (\d+)\)$/.exec(l)?.[1]));
    expect(pids.size).toBe(1);
    expect(await invalidIndexes(db)).toEqual([]);
    expect(await indexesOf(db, ['dup_users'])).toEqual([
      { name: 'dup_users_lower_name', valid: true, ready: true },
      { name: 'dup_users_name', valid: true, ready: true },
    ]);
    expect(await advisoryLockHolders(db)).toEqual([]);

    // What is left to do is the failing index, and only it.
    const plan = await runCli(['plan', '--detailed-exitcode', '--database-url', db.url], { cwd: dir });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expectLines(plan.stdout, [
      'Symbols: + create',
      '',
      'public.dup_users',
      /^ {2}\+ dup_users_email {2}builds over \d+(\.\d)? kB, ~4,001 rows$/,
      '      CREATE UNIQUE INDEX CONCURRENTLY dup_users_email ON public.dup_users USING btree (email)',
      '',
      'Plan: 1 to create.',
    ]);
  }, SLOW);

  it('a second apply while one runs exits 1 at once, naming the first one’s session', async () => {
    const db = database('lock');
    const dir = await workdir({ 'indexes.yaml': 'apply-held.yaml', 'second.yaml': 'apply-second.yaml' });
    const snapshot = await holdOldSnapshot(db);
    const first = startCli(['apply', '--yes', '--database-url', db.url], { cwd: dir });
    try {
      await waitForBuild(db, 'held_items_v');
      const [holder] = await advisoryLockHolders(db);
      expect(holder).toBeTypeOf('number');
      const started = Date.now();
      const second = await runCli(['apply', '--yes', '-f', 'second.yaml', '--database-url', db.url], { cwd: dir });
      // "At once": it does not queue behind the first apply, which is held for as long as the snapshot is
      // (the bound is only against a hang: starting the CLI takes seconds on a busy machine).
      expect(first.child.exitCode).toBeNull();
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(second.code).toBe(1);
      expectLines(second.stderr, [
        new RegExp(
          `^Error: Another reconcile apply is running on ${db.name}: pid ${holder} \\(application_name "reconcile", user ${new URL(db.url).username}, ` +
            `from 127\\.0\\.0\\.1, connected since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, last statement at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)\\.$`,
        ),
        `Wait for it to finish. If it is a leftover, end it with SELECT pg_terminate_backend(${holder}); its lock goes with its session.`,
      ]);
      expect(await indexesOf(db, ['second_items'])).toEqual([]);
    } finally {
      await snapshot.release();
    }
    const done = await first.result;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(await indexesOf(db, ['held_items'])).toEqual([{ name: 'held_items_v', valid: true, ready: true }]);
  }, SLOW);

  it('SIGINT during a build: exit 130, the build cancelled and dropped, no sessions left, the lock released', async () => {
    const db = database('interrupt');
    const dir = await workdir({ 'indexes.yaml': 'apply-interrupted.yaml' });
    const snapshot = await holdOldSnapshot(db);
    const apply = startCli(['apply', '--yes', '--database-url', db.url], { cwd: dir });
    let result;
    try {
      await waitForBuild(db, 'int_items_v');
      expect(await indexesOf(db, ['int_items'])).toEqual([{ name: 'int_items_v', valid: false, ready: true }]);
      apply.child.kill('SIGINT');
      result = await apply.result;
      // Checked while the snapshot is still held: the cleanup did not need it gone.
      expect(await invalidIndexes(db)).toEqual([]);
    } finally {
      await snapshot.release();
    }
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('');
    const out = lines(result.stdout);
    const interrupt = out.findIndex((l) => / interrupt /.test(l));
    expect(interrupt).toBeGreaterThan(0);
    // The monitor may still report the build's wait while its cancel is on the way: those lines aside, the end is exact.
    expectLines(out.slice(interrupt).filter((l) => !/^\S+ {2}(waiting|progress) /.test(l)).join('\n'), [
      line('interrupt', 'SIGINT: starting nothing new, cancelling running builds'),
      line('cancelled', re('public.int_items int_items_v [dropped public.int_items_v again]')),
      line('summary', `Interrupted after ${DURATION}: 0 done, 1 cancelled\\.`),
    ]);
    // No verification after an interrupted run.
    expect(lines(result.stdout).some((l) => / verified /.test(l))).toBe(false);
    expect(await indexesOf(db, ['int_items'])).toEqual([]);
    expect(await reconcileBackends(db)).toBe(0);
    expect(await advisoryLockHolders(db)).toEqual([]);

    const again = await runCli(['apply', '--yes', '--database-url', db.url], { cwd: dir });
    expect(again.code).toBe(0);
    expect(await indexesOf(db, ['int_items'])).toEqual([{ name: 'int_items_v', valid: true, ready: true }]);
  }, SLOW);

  it('kill -9 during builds: the next apply repairs what was left and converges', async () => {
    const db = database('killed');
    const dir = await workdir({ 'indexes.yaml': 'apply-killed.yaml' });
    const snapshot = await holdOldSnapshot(db);
    const apply = startCli(['apply', '--yes', '--database-url', db.url], { cwd: dir });
    try {
      const [buildA, buildB] = [await waitForBuild(db, 'killed_a_v'), await waitForBuild(db, 'killed_b_v')];
      apply.child.kill('SIGKILL');
      expect((await apply.result).signal).toBe('SIGKILL');
      // Its backends outlive it: a build goes on without its client. The lock session, idle, ends at once.
      await until(async () => ((await advisoryLockHolders(db)).length === 0 ? true : undefined), 'the apply lock to go with its session', 10_000);
      expect((await runningBuilds(db)).map((b) => b.index).sort()).toEqual(['killed_a_v', 'killed_b_v']);
      // One orphan is ended (as client_connection_check_interval would): it leaves an invalid index.
      // The other finishes once the snapshot is released: valid, nothing to do for it.
      await db.query('SELECT pg_terminate_backend($1)', [buildB.pid]);
      expect(buildA.pid).not.toBe(buildB.pid);
    } finally {
      await snapshot.release();
    }
    await until(async () => ((await runningBuilds(db)).length === 0 ? true : undefined), 'the orphaned build to finish');
    expect(await indexesOf(db, ['killed_a', 'killed_b'])).toEqual([
      { name: 'killed_a_v', valid: true, ready: true },
      { name: 'killed_b_v', valid: false, ready: true },
    ]);

    const again = await runCli(['apply', '--yes', '--database-url', db.url], { cwd: dir });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expectLines(lines(again.stdout).slice(0, 5).join('\n'), [
      'Symbols: ! rebuild invalid',
      '',
      'public.killed_b',
      /^ {2}! killed_b_v {2}invalid: left by a concurrent build that failed or was cancelled; builds over \d+\.\d kB, ~1,000 rows$/,
      '      CREATE INDEX killed_b_v ON public.killed_b USING btree (v)',
    ]);
    expect(lines(again.stdout).at(-1)).toMatch(line('verified', re(IN_SYNC)));
    const plan = await runCli(['plan', '--detailed-exitcode', '--database-url', db.url], { cwd: dir });
    expect(plan).toMatchObject({ code: 0, stdout: 'No changes. The indexes match indexes.yaml.\n', stderr: '' });
    expect(await invalidIndexes(db)).toEqual([]);
  }, SLOW);

  it('--output json: a version line first, one JSON object per line, the summary and the verification last', async () => {
    const db = database('json');
    const dir = await workdir({ 'indexes.yaml': 'apply-json.yaml' });
    const result = await runCli(['apply', '--yes', '--output', 'json', '--database-url', db.url], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const all = lines(result.stdout).map((text) => JSON.parse(text) as { type: string; [key: string]: unknown });
    expect(all[0]).toEqual({ type: 'version', formatVersion: 1, tool: 'pg-index-reconciler' });
    for (const event of all.slice(1)) expect(event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Progress and wait events come and go with the machine's speed; the rest is exact.
    const events = all.filter((e) => e.type !== 'progress' && e.type !== 'waiting');
    expect(events.map((e) => e.type)).toEqual([
      'version',
      'planned',
      'action-started',
      'step-started',
      'step-started',
      'action-done',
      'summary',
      'verified',
    ]);
    expect(events[1]).toMatchObject({
      type: 'planned',
      concurrency: 2,
      actions: [{ id: 0, kind: 'create', table: { schema: 'public', name: 'json_items' }, index: 'json_items_v', stepCount: 2 }],
    });
    expect(events.at(-2)).toMatchObject({ type: 'summary', done: 1, failed: 0, skipped: 0, cancelled: 0, interrupted: false });
    expect(events.at(-1)).toMatchObject({ type: 'verified', inSync: true, differences: [] });
    expect(all.slice(-2).map((e) => e.type)).toEqual(['summary', 'verified']);
  }, SLOW);
});
