/*
 * The manifest is read once: the hash a saved plan records, and the one apply compares with it, are of the
 * bytes that were planned. A manifest read from a pipe (`-f /dev/stdin`, `-f <(generate)`) can be read only
 * once, so a second read for the hash would see no text at all, as it would see another text in a file
 * edited while the plan is made.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { CLI, cliEnv, SLOW, workdir } from '../helpers/cli.js';

const manifest = 'version: 1\ntables:\n  items:\n    indexes:\n      items_name:\n        columns: [name]\n';

/** Runs the CLI with `text` on stdin through a real pipe (Node's own stdio pipes are sockets, which /dev/stdin cannot open). */
function runPiped(args: readonly string[], text: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = 'printf "%s" "$MANIFEST" | exec "$NODE" "$CLI" "$@"';
  const env = cliEnv({ MANIFEST: text, NODE: process.execPath, CLI });
  return new Promise((resolve) => {
    execFile('sh', ['-c', script, 'sh', ...args], { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the manifest hash', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.query('CREATE TABLE items (id int, name text)');
  });

  it(
    'is of the text that was planned, in the saved plan and when apply compares it',
    async () => {
      const dir = await workdir();
      const plan = await runPiped(['plan', '--out', 'plan.json', '-f', '/dev/stdin', '--database-url', db.url], manifest, dir);
      expect(plan.stderr).toBe('');
      expect(plan.code).toBe(0);
      const saved = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as { manifest: { file: string; sha256: string } };
      expect(saved.manifest).toEqual({ file: '/dev/stdin', sha256: createHash('sha256').update(manifest).digest('hex') });

      const apply = await runPiped(['apply', 'plan.json', '--output', 'json', '--database-url', db.url], manifest, dir);
      expect(apply.stderr).toBe('');
      expect(apply.code).toBe(0);
      const { rows } = await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'items'");
      expect(rows.map((row) => row.indexname)).toEqual(['items_name']);
    },
    SLOW,
  );
});
