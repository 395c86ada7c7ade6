/*
 * A fragment that is one harmless expression to the parser that checked it, and statements to a server
 * reading string literals with standard_conforming_strings off: validate, plan, apply and the SQL script
 * all leave the database's other tables alone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { cliEnv } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

const execFileAsync = promisify(execFile);

const PAYLOAD = String.raw`'a\' = ') IS NOT NULL; COMMIT; DROP TABLE victim; COMMIT; -- '`;

describe('standard_conforming_strings = off on the database', () => {
  let db: TestDatabase;
  let file: string;
  const args = (...rest: string[]): string[] => [...rest, '-f', file, '--database-url', db.url];
  const victimExists = async (): Promise<boolean> =>
    (await db.query<{ exists: boolean }>(`SELECT to_regclass('public.victim') IS NOT NULL AS exists`)).rows[0]!.exists;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.query(`
      ALTER DATABASE ${db.name} SET standard_conforming_strings = off;
      CREATE TABLE notes (id int PRIMARY KEY, body text);
      CREATE TABLE victim (id int);`);
    const dir = await mkdtemp(path.join(tmpdir(), 'injection-'));
    file = path.join(dir, 'indexes.yaml');
    await writeFile(file, `version: 1\ntables:\n  notes:\n    indexes:\n      notes_evil:\n        columns: [id]\n        where: ${JSON.stringify(PAYLOAD)}\n`);
    // The setting is what a new session of this database gets.
    expect((await db.query<{ scs: string }>("SELECT current_setting('standard_conforming_strings') AS scs")).rows[0]!.scs).toBe('off');
  });

  it('validate takes the fragment as the one expression it is', async () => {
    expect(await runInProcess(['validate', '-f', file])).toMatchObject({ code: 0, stderr: '' });
  });

  it('plan reads it as that expression, in every format, and the table survives', async () => {
    const plan = await runInProcess(args('plan', '--format', 'json'));
    expect(plan.stderr).toBe('');
    const document = JSON.parse(plan.stdout) as { actions: { kind: string; steps: { sql: string[] }[] }[] };
    expect(document.actions.map((action) => action.kind)).toEqual(['create']);
    // The literal with a backslash goes to the server as the escape string that reads the same either way.
    expect(document.actions[0]!.steps[0]!.sql).toEqual([
      String.raw`CREATE INDEX CONCURRENTLY notes_evil ON public.notes USING btree (id) WHERE (E'a\\' = ') IS NOT NULL; COMMIT; DROP TABLE victim; COMMIT; -- ')`,
    ]);
    expect(await victimExists()).toBe(true);
  });

  it('the SQL script through psql builds the index and nothing else', async () => {
    const script = await runInProcess(args('plan', '--format', 'sql'));
    expect(script.code).toBe(0);
    const sqlFile = `${file}.sql`;
    await writeFile(sqlFile, script.stdout);
    await execFileAsync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', sqlFile, db.url], { env: cliEnv() });
    expect(await victimExists()).toBe(true);
    expect(await runInProcess(args('plan', '--detailed-exitcode'))).toMatchObject({ code: 0, stderr: '' });
  });

  it('apply builds the index and nothing else, and plan then finds no changes', async () => {
    await db.query('DROP INDEX notes_evil');
    const applied = await runInProcess(args('apply', '--yes', '--output', 'plain'));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await victimExists()).toBe(true);
    const { rows } = await db.query<{ definition: string }>(`SELECT pg_get_indexdef('public.notes_evil'::regclass) AS definition`);
    expect(rows[0]!.definition).toBe(
      String.raw`CREATE INDEX notes_evil ON public.notes USING btree (id) WHERE ('a\\'::text = ') IS NOT NULL; COMMIT; DROP TABLE victim; COMMIT; -- '::text)`,
    );
    expect(await runInProcess(args('plan', '--detailed-exitcode'))).toMatchObject({ code: 0, stderr: '' });
  });
});
