import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/commands/validate.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'validate-'));
});

/** Runs validate on `yaml` written to a temporary file, named by `name` relative to it (`{name}` in output). */
async function run(
  yaml: string | undefined,
  format: 'text' | 'json',
  name = 'indexes.yaml',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, name);
  if (yaml !== undefined) await writeFile(file, yaml);
  // The file is shown exactly as given: give it relative to the working directory, then show it as `name`.
  const given = relative(process.cwd(), file);
  let stdout = '';
  let stderr = '';
  const code = await runValidate({ file: given, format }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  const shown = (text: string): string => text.split(JSON.stringify(given).slice(1, -1)).join(name);
  return { code, stdout: shown(stdout), stderr: shown(stderr) };
}

const VALID = [
  'version: 1',
  'tables:',
  '  users:',
  '    indexes:',
  '      idx_users_email: { columns: [email], unique: true }',
  '      idx_users_created: { columns: [{ column: created_at, order: desc }] }',
  '  orders:',
  '    indexes:',
  '      idx_orders_user: { columns: [user_id] }',
  '',
].join('\n');

const BROKEN = [
  'version: 1',
  'tables:',
  '  users:',
  '    indexes:',
  '      idx_users_email: { colums: [email] }',
  '      idx_users_created: { columns: [{ column: created_at, order: descending }] }',
  '',
].join('\n');

describe('reconcile validate', () => {
  it('prints a one-line summary of a valid manifest', async () => {
    expect(await run(VALID, 'text')).toEqual({
      code: 0,
      stdout: 'indexes.yaml is valid: 2 tables, 3 indexes\n',
      stderr: '',
    });
  });

  it('says "1 table, 1 index"', async () => {
    const one = 'version: 1\ntables:\n  users:\n    indexes:\n      idx_a: { columns: [a] }\n';
    expect((await run(one, 'text', 'one.yaml')).stdout).toBe('one.yaml is valid: 1 table, 1 index\n');
  });

  it('prints each problem and a count to stderr', async () => {
    expect(await run(BROKEN, 'text', 'broken.yaml')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'broken.yaml:5:26  tables.users.indexes.idx_users_email.colums  unknown field "colums" — did you mean "columns"?\n' +
        'broken.yaml:6:67  tables.users.indexes.idx_users_created.columns[0].order  "order" must be asc or desc, not "descending"\n' +
        '2 problems\n',
    });
  });

  it('says "1 problem"', async () => {
    const result = await run('version: 2\ntables: {}\n', 'text', 'v2.yaml');
    expect(result.stderr).toBe('v2.yaml:1:10  version  unsupported manifest version 2: this reconcile reads version 1\n1 problem\n');
    expect(result.code).toBe(1);
  });

  it('reports a missing file as a problem, without a stack trace', async () => {
    expect(await run(undefined, 'text', 'missing.yaml')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'missing.yaml:1:1  cannot read the file: no such file\n1 problem\n',
    });
  });

  it('prints JSON for a valid manifest', async () => {
    const result = await run(VALID, 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{"file":"indexes.yaml","valid":true,"tables":2,"indexes":3,"problems":[]}\n');
  });

  it('prints JSON problems for a broken manifest', async () => {
    const result = await run(BROKEN, 'json', 'broken.yaml');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      file: 'broken.yaml',
      valid: false,
      tables: 1,
      indexes: 2,
      problems: [
        {
          file: 'broken.yaml',
          line: 5,
          column: 26,
          path: 'tables.users.indexes.idx_users_email.colums',
          message: 'unknown field "colums" — did you mean "columns"?',
        },
        {
          file: 'broken.yaml',
          line: 6,
          column: 67,
          path: 'tables.users.indexes.idx_users_created.columns[0].order',
          message: '"order" must be asc or desc, not "descending"',
        },
      ],
    });
  });

  it('prints JSON for a file that cannot be read', async () => {
    const result = await run(undefined, 'json', 'absent.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      '{"file":"absent.yaml","valid":false,"tables":0,"indexes":0,"problems":[{"file":"absent.yaml","line":1,"column":1,"path":"","message":"cannot read the file: no such file"}]}\n',
    );
  });
});
