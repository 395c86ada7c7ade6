/* Problems the user can fix are user errors with a next step, never "Internal error … this is a bug". */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

describe('user errors', () => {
  let db: TestDatabase;
  let file: string;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.query('CREATE TABLE items (id int, name text)');
    file = path.join(await mkdtemp(path.join(tmpdir(), 'user-errors-')), 'indexes.yaml');
    await writeFile(file, 'version: 1\ntables:\n  items:\n    indexes:\n      items_name:\n        columns: [name]\n');
  });

  it('an --out file that cannot be written', async () => {
    const out = path.join(path.dirname(file), 'no-such-directory', 'plan.json');
    expect(await runInProcess(['plan', '--out', out, '-f', file, '--database-url', db.url])).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error: Cannot write the plan to ${out}: its directory does not exist.\nGive --out a path in a directory you may write to.\n`,
    });
  });

  it.each([
    ['abc', 'Error: PG_VERSION must be a major version such as 17, not "abc".\nSet it to one of 13, 14, 15, 16, 17, 18, or unset it for the installed one.\n'],
    ['12', 'Error: PostgreSQL 12 is not supported by the embedded server.\nSet PG_VERSION to one of 13, 14, 15, 16, 17, 18.\n'],
  ])('PG_VERSION=%s with --embedded', async (version, stderr) => {
    expect(await runInProcess(['plan', '--embedded', '-f', file], { PG_VERSION: version })).toEqual({ code: 1, stdout: '', stderr });
  });
});
