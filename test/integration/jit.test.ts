/*
 * JIT: the tool's own sessions (catalog reads, canonicalisation, apply) pin jit = off at connection
 * start-up, whatever the role, database or server says; `reconcile check` measures the application's
 * queries as the server runs them, so its queries keep the role's, database's or server's jit. (The
 * embedded server has no LLVM, so what is tested is the setting, not the compiling.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/commands/check.js';
import { withSession, type ConnectionTarget, type SessionOptions } from '../../src/io/db.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { captureContext } from '../helpers/in-process.js';

let db: TestDatabase;
let target: ConnectionTarget;
let dir: string;

/** Fails under EXPLAIN ANALYZE with an error that names the session's jit: `… integer: "on"`. */
const MANIFEST = `version: 1
tables:
  items:
    indexes:
      items_v:
        columns: [v]
        queries:
          - sql: SELECT current_setting('jit')::int AS jit, id FROM items WHERE v = 7
`;

async function showJit(options?: SessionOptions): Promise<string> {
  return withSession(target, async (session) => (await session.query<{ jit: string }>('SHOW jit')).rows[0]!.jit, options);
}

/** What check reports for the query above: the jit its session ran with, inside PostgreSQL's message. */
async function checkedJit(): Promise<string> {
  const file = path.join(dir, 'indexes.yaml');
  fs.writeFileSync(file, MANIFEST);
  const io = captureContext();
  const code = await runCheck({ file, format: 'json', databaseUrl: db.url, analyze: true, runs: 1 }, io.context);
  expect(code).toBe(1);
  const document = JSON.parse(io.out()) as { queries: { error: { message: string; code: string } | null }[] };
  const error = document.queries[0]!.error!;
  expect(error.code).toBe('22P02');
  return /^invalid input syntax for type integer: "(\w+)"$/.exec(error.message)?.[1] ?? error.message;
}

beforeAll(async () => {
  db = await freshDatabase();
  target = { connectionString: db.url, display: db.name, secrets: [] };
  await db.query('CREATE TABLE items (id int, v int); INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g; CREATE INDEX items_v ON items (v); ANALYZE items');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-jit-'));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('jit', () => {
  it('is off in the tool’s sessions and the server default in check’s: on, as PostgreSQL ships it', async () => {
    expect((await db.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('on');
    expect(await showJit()).toBe('off');
    expect(await showJit({ applicationQueries: true })).toBe('on');
    expect(await checkedJit()).toBe('on');
  });

  it('follows the database and the role in check’s sessions, and stays off in the tool’s', async () => {
    await db.query(`ALTER DATABASE ${db.name} SET jit = on`);
    expect(await showJit()).toBe('off');
    expect(await checkedJit()).toBe('on');

    await db.query(`ALTER DATABASE ${db.name} SET jit = off`);
    expect(await showJit()).toBe('off');
    expect(await showJit({ applicationQueries: true })).toBe('off');
    expect(await checkedJit()).toBe('off');

    // The role's setting in this database wins over the database's, as for the application's sessions.
    await db.query(`ALTER ROLE CURRENT_USER IN DATABASE ${db.name} SET jit = on`);
    try {
      expect(await showJit()).toBe('off');
      expect(await showJit({ applicationQueries: true })).toBe('on');
      expect(await checkedJit()).toBe('on');
    } finally {
      await db.query(`ALTER ROLE CURRENT_USER IN DATABASE ${db.name} RESET jit`);
    }
  });

  it('stays off when the connection string asks for it in options, whose other settings are kept', async () => {
    const sql = "SELECT current_setting('jit') AS jit, current_setting('work_mem') AS work_mem";
    const show = (connectionString: string) =>
      withSession({ connectionString, display: 'test', secrets: [] }, async (session) => (await session.query(sql)).rows[0]);
    const url = new URL(db.url);
    url.searchParams.set('options', '-c jit=on -c work_mem=77MB');
    expect(await show(url.toString())).toEqual({ jit: 'off', work_mem: '77MB' });
    const conninfo = `host=${url.hostname} port=${url.port} dbname=${db.name} user=${decodeURIComponent(url.username)} password='${decodeURIComponent(url.password).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' options='-c jit=on -c work_mem=78MB'`;
    expect(await show(conninfo)).toEqual({ jit: 'off', work_mem: '78MB' });
  });
});
