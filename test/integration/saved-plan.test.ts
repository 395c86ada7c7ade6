/*
 * `reconcile apply plan.json` runs only what the tool generates now, and only when it equals the saved plan:
 * an edited plan file and a plan for a table renamed since are refused as stale, and nothing runs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { expectLines, indexesOf, lines, runCli, SLOW, workdir } from '../helpers/cli.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE tampered (id int, v int, w int);
    INSERT INTO tampered SELECT g, g % 10, g % 7 FROM generate_series(1, 500) g;
    CREATE INDEX tampered_old ON tampered (w);
    CREATE TABLE victim (id int);
    INSERT INTO victim VALUES (1);
    CREATE TABLE moving (id int, v int);
    CREATE TABLE shrinking (id int, v int);
    ANALYZE;
  `);
});

async function savePlan(name: string, manifest: string): Promise<{ dir: string; file: string; plan: Record<string, any> }> {
  const dir = await workdir();
  await writeFile(path.join(dir, 'indexes.yaml'), manifest);
  const saved = await runCli(['plan', '--out', `${name}.json`, '--database-url', db.url], { cwd: dir });
  expect(saved.stderr).toBe('');
  expect(saved.code).toBe(0);
  const file = path.join(dir, `${name}.json`);
  return { dir, file, plan: JSON.parse(await readFile(file, 'utf8')) };
}

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`public.${name}`]);
  return rows[0]!.found;
}

describe.concurrent('apply plan.json', () => {
  it('refuses a plan file whose statement was edited, naming the first difference, and runs nothing', async () => {
    const { dir, file, plan } = await savePlan(
      'tampered',
      ['version: 1', 'tables:', '  tampered:', '    prune: true', '    indexes:', '      tampered_v:', '        columns: [v]', ''].join('\n'),
    );
    expect(plan.actions.map((a: { kind: string; index: string }) => `${a.kind} ${a.index}`)).toEqual(['create tampered_v', 'drop tampered_old']);
    const before = await indexesOf(db, ['tampered']);

    // The hash and the fingerprint still match: only the statement changed.
    const original = plan.actions[0].steps[0].sql[0];
    expect(original).toBe('CREATE INDEX CONCURRENTLY tampered_v ON public.tampered USING btree (v)');
    plan.actions[0].steps[0].sql[0] = 'DROP TABLE public.victim';
    await writeFile(file, JSON.stringify(plan, null, 2));
    const edited = await runCli(['apply', 'tampered.json', '--database-url', db.url], { cwd: dir });
    expect(edited).toMatchObject({ code: 1, stdout: '' });
    expectLines(edited.stderr, [
      'Error: Saved plan is stale: action 1 (create public.tampered.tampered_v), step 1: the saved SQL differs from what the manifest and database give now.',
      'Make a new plan with reconcile plan --out, review it, and apply that.',
    ]);

    // An extra statement after the drop is refused the same way.
    plan.actions[0].steps[0].sql[0] = original;
    plan.actions[1].steps[0].sql.push('DROP TABLE public.victim');
    await writeFile(file, JSON.stringify(plan, null, 2));
    const appended = await runCli(['apply', 'tampered.json', '--database-url', db.url], { cwd: dir });
    expect(appended).toMatchObject({ code: 1, stdout: '' });
    expect(lines(appended.stderr)[0]).toBe(
      'Error: Saved plan is stale: action 2 (drop public.tampered.tampered_old), step 1: the saved SQL differs from what the manifest and database give now.',
    );

    expect(await tableExists('victim')).toBe(true);
    expect(await indexesOf(db, ['tampered'])).toEqual(before);

    // Put back as it was, the file applies: what runs is what the tool generates.
    plan.actions[1].steps[0].sql.pop();
    await writeFile(file, JSON.stringify(plan, null, 2));
    const applied = await runCli(['apply', 'tampered.json', '--database-url', db.url], { cwd: dir });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await indexesOf(db, ['tampered'])).toEqual([{ name: 'tampered_v', valid: true, ready: true }]);
    expect(await tableExists('victim')).toBe(true);
  }, SLOW);

  it('refuses a plan for a table renamed since as stale, not as a missing table', async () => {
    const { dir } = await savePlan(
      'moving',
      ['version: 1', 'tables:', '  moving:', '    indexes:', '      moving_v:', '        columns: [v]', ''].join('\n'),
    );
    await db.query('ALTER TABLE moving RENAME TO moved');
    const result = await runCli(['apply', 'moving.json', '--database-url', db.url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      'Error: Saved plan is stale: table public.moving no longer exists (it was renamed or dropped since the plan was made).',
      'Declare the tables as they are now in indexes.yaml, then make a new plan with reconcile plan --out, review it, and apply that.',
    ]);
    expect(await indexesOf(db, ['moved'])).toEqual([]);
  }, SLOW);

  it('refuses a plan the database no longer allows (a declared column dropped since), listing the problems', async () => {
    const { dir } = await savePlan(
      'shrinking',
      ['version: 1', 'tables:', '  shrinking:', '    indexes:', '      shrinking_v:', '        columns: [id, v]', ''].join('\n'),
    );
    await db.query('ALTER TABLE shrinking DROP COLUMN v');
    const result = await runCli(['apply', 'shrinking.json', '--database-url', db.url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      'indexes.yaml:6:23  tables.shrinking.indexes.shrinking_v.columns[1]  column "v" does not exist in public.shrinking (it has: id)',
      'Error: Saved plan is stale: the database changed since the plan was made, and the plan cannot be made now: 1 problem in indexes.yaml.',
      'Fix the problems above, then make a new plan with reconcile plan --out, review it, and apply that.',
    ]);
    expect(await indexesOf(db, ['shrinking'])).toEqual([]);
  }, SLOW);
});
