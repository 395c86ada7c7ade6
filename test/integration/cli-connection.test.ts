/*
 * Connecting: every way a connection fails is one clear line and a hint, with the URL's password
 * masked; and a password never shows in any output of any command, on success or failure.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { expectLines, lines, masked, runCli, SLOW, urlAs, workdir, type CliResult } from '../helpers/cli.js';

let db: TestDatabase;
let dir: string;

/** The distinctive password, and the role that has it (roles are per server: the name is made unique). */
const SECRET = 'Sup3r-Secret-Pw';
/** With characters a URL must encode: its encoded form starts with SECRET too, so one search finds both. */
const PASSWORD = `${SECRET}/@é`;
const ROLE = `secret_owner_${Math.random().toString(36).slice(2, 8)}`;

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `db.url` with another database name. */
function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function expectNoSecret(result: CliResult, what: string): void {
  expect(result.stdout, `${what}: stdout`).not.toContain(SECRET);
  expect(result.stderr, `${what}: stderr`).not.toContain(SECRET);
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}';
    CREATE TABLE conn_items (id int, v int);
    CREATE TABLE secret_items (id int, v int);
    INSERT INTO secret_items SELECT g, g FROM generate_series(1, 1000) g;
    ALTER TABLE secret_items OWNER TO ${ROLE};
    -- CREATE INDEX needs CREATE on the schema too (PUBLIC has it no more since PostgreSQL 15).
    GRANT CREATE ON SCHEMA public TO ${ROLE};
    ANALYZE;
  `);
  dir = await workdir({ 'indexes.yaml': 'connection.yaml' });
});

// Every test has its own tables or none: they run side by side.
describe.concurrent('connecting: one clear line per problem, password masked, and a password never shown', () => {
  // The tests below compare all of stdout and stderr, so the wrong passwords they use (SECRET-wrong) show
  // nowhere; this one runs every command, format and error path with the right one. First: it is the longest.
  it('a password never appears in any output: validate, plan in every format, apply plain and json, and their errors', async () => {
    const secretUrl = urlAs(db.url, ROLE, PASSWORD);
    expect(secretUrl).toContain(`${SECRET}%2F%40%C3%A9`);
    const work = await workdir({ 'indexes.yaml': 'secret-first.yaml', 'second.yaml': 'secret-second.yaml', 'broken.yaml': 'secret-broken.yaml' });
    const flag = ['--database-url', secretUrl];
    const env = { DATABASE_URL: secretUrl };

    const reading = await Promise.all([
      runCli(['validate', '--format', 'json'], { cwd: work, env }),
      runCli(['plan', '--out', 'p.json', ...flag], { cwd: work }),
      runCli(['plan', '--format', 'json', '--detailed-exitcode'], { cwd: work, env }),
      runCli(['plan', '--format', 'sql', ...flag], { cwd: work }),
      runCli(['plan', '--format', 'markdown', ...flag], { cwd: work }),
      runCli(['plan', '-f', 'broken.yaml', ...flag], { cwd: work }),
      runCli(['plan', '--database-url', `postgres://${ROLE}:${SECRET}@127.0.0.1:99999/${db.name}`], { cwd: work }),
    ]);
    const names = ['validate json', 'plan --out', 'plan json', 'plan sql', 'plan markdown', 'plan error', 'malformed URL'];
    // Each run took the path it was meant to: success, changes, or the error.
    expect(reading.map((r) => r.code)).toEqual([0, 0, 2, 0, 0, 1, 1]);
    expectLines(reading[5]!.stderr, [
      'broken.yaml:6:19  tables.secret_items.indexes.secret_items_v.columns[0]  column "no_such_column" does not exist in public.secret_items (it has: id, v)',
      'Error: The plan cannot be made: 1 problem in broken.yaml.',
    ]);
    reading.forEach((result, i) => expectNoSecret(result, names[i]!));
    expect(await readFile(path.join(work, 'p.json'), 'utf8')).not.toContain(SECRET);

    const plain = await runCli(['apply', '--yes', ...flag], { cwd: work });
    expect(plain.code).toBe(0);
    expectNoSecret(plain, 'apply plain');
    const json = await runCli(['apply', '--yes', '--output', 'json', '-f', 'second.yaml'], { cwd: work, env });
    expect(json.code).toBe(0);
    expectNoSecret(json, 'apply json');
    // The saved plan predates both applies.
    const stale = await runCli(['apply', 'p.json', ...flag], { cwd: work });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^Error: Saved plan is stale: /);
    expect(stale.stderr).toContain('no longer needed: create secret_items_v on public.secret_items');
    expectNoSecret(stale, 'stale plan');
  }, SLOW);

  it('connection refused (a closed port)', async () => {
    const url = `postgres://someone:${SECRET}@127.0.0.1:${await closedPort()}/somedb`;
    const result = await runCli(['plan', '--database-url', url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `Error: Cannot connect to ${masked(url)}: connection refused.`,
      'Is the server running and accepting TCP connections on that host and port?',
    ]);
    expect(masked(url)).toMatch(/^postgres:\/\/someone:\*\*\*@127\.0\.0\.1:\d+\/somedb$/);
  }, SLOW);

  it('unknown host', async () => {
    const url = `postgres://someone:${SECRET}@nonexistent.invalid:5432/somedb`;
    const result = await runCli(['plan', '--database-url', url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      'Error: Cannot connect to postgres://someone:***@nonexistent.invalid:5432/somedb: unknown host nonexistent.invalid.',
      'Check the host name in the connection URL.',
    ]);
  }, SLOW);

  it('wrong password, given in DATABASE_URL', async () => {
    const url = urlAs(db.url, ROLE, `${SECRET}-wrong`);
    const result = await runCli(['plan'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `Error: Cannot connect to ${masked(url)}: password authentication failed.`,
      'Check the user name and password.',
    ]);
    expectNoSecret(result, 'wrong password');
  }, SLOW);

  it('wrong password, given in PG* variables', async () => {
    const { hostname, port } = new URL(db.url);
    const result = await runCli(['plan'], {
      cwd: dir,
      env: { PGHOST: hostname, PGPORT: port, PGUSER: ROLE, PGPASSWORD: `${SECRET}-wrong`, PGDATABASE: db.name },
    });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `Error: Cannot connect to postgres://${ROLE}@${hostname}:${port}/${db.name} (from PGHOST, PGPORT, PGDATABASE, PGUSER): password authentication failed.`,
      'Check the user name and password.',
    ]);
    expectNoSecret(result, 'wrong password');
  }, SLOW);

  it('the database does not exist', async () => {
    const url = withDatabase(db.url, 'no_such_database');
    const result = await runCli(['plan', '--database-url', url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `Error: Cannot connect to ${masked(url)}: database "no_such_database" does not exist.`,
      'Create the database first, or fix its name in the URL.',
    ]);
  }, SLOW);

  it('TLS asked for, and the server does not support it: the error and the hint are the last lines', async () => {
    const url = `${db.url}?sslmode=require`;
    const result = await runCli(['plan', '--database-url', url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(lines(result.stderr).slice(-2)).toEqual([
      `Error: Cannot connect to ${masked(url)}: the server does not support TLS.`,
      'Remove sslmode from the connection URL or set sslmode=disable.',
    ]);
  }, SLOW);

  // node-postgres warns on stderr about sslmode unless asked for libpq's semantics, which we ask for.
  it('TLS asked for, and the server does not support it: nothing but the error and the hint', async () => {
    const url = `${db.url}?sslmode=require`;
    const result = await runCli(['plan', '--database-url', url], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `Error: Cannot connect to ${masked(url)}: the server does not support TLS.`,
      'Remove sslmode from the connection URL or set sslmode=disable.',
    ]);
  }, SLOW);

  it('no connection given at all: no flag, no DATABASE_URL, no PG* variables', async () => {
    const result = await runCli(['apply', '--yes'], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      'Error: No database connection given.',
      'Pass --database-url postgres://user@host:5432/db, set DATABASE_URL, or set the PGHOST/PGDATABASE/PGUSER variables. ' +
        '--embedded runs against a throwaway embedded PostgreSQL.',
    ]);
  }, SLOW);

  // libpq's key=value form, as psql takes it: the password quoted, with a space, a quote and a backslash in it.
  it('a key=value connection string connects, and its password shows nowhere', async () => {
    const { hostname, port } = new URL(db.url);
    const role = `${ROLE}_kv`;
    const password = `${SECRET} it's \\ spaced`;
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
    const conninfo = `host=${hostname} port=${port} dbname=${db.name} user=${role} password='${password.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' sslmode=disable`;
    const flag = await runCli(['status', '--database-url', conninfo], { cwd: dir });
    expect(flag).toMatchObject({ code: 0, stderr: '' });
    expect(flag.stdout).toContain('public.conn_items');
    expectNoSecret(flag, 'key=value in --database-url');
    const env = await runCli(['export', '--table', 'conn_items'], { cwd: dir, env: { DATABASE_URL: conninfo } });
    expect(env).toMatchObject({ code: 0, stderr: 'Exported 0 indexes.\n' });
    expectNoSecret(env, 'key=value in DATABASE_URL');
  }, SLOW);

  it('wrong password in a key=value string: masked as ***', async () => {
    const { hostname, port } = new URL(db.url);
    const conninfo = `host=${hostname} port=${port} dbname=${db.name} user=${ROLE} password=${SECRET}-wrong`;
    const result = await runCli(['plan'], { cwd: dir, env: { DATABASE_URL: conninfo } });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `Error: Cannot connect to host=${hostname} port=${port} dbname=${db.name} user=${ROLE} password=***: password authentication failed.`,
      'Check the user name and password.',
    ]);
    expectNoSecret(result, 'wrong password');
  }, SLOW);

  it('a key=value string libpq would refuse is refused the same way, password masked', async () => {
    const result = await runCli(['plan', '--database-url', `host=127.0.0.1 port=5432 password='${SECRET}`], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      'Error: The connection string host=127.0.0.1 port=5432 password=*** is not valid: unterminated quoted string in connection info string.',
      "Write it as host=db port=5432 dbname=app user=me, quoting a value with spaces or quotes in single quotes: password='it\\'s a secret'.",
    ]);
    expectNoSecret(result, 'unterminated');
  }, SLOW);

  // A URL the URL class cannot parse (port 99999, several hosts) is the user's to fix, and still masked.
  it('a malformed URL is the user’s to fix, not an internal error', async () => {
    const result = await runCli(['plan', '--database-url', `postgres://someone:${SECRET}@127.0.0.1:99999/somedb`], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(lines(result.stderr)).toEqual([
      'Error: The connection URL postgres://someone:***@127.0.0.1:99999/somedb is not valid: Invalid URL.',
      'Write it as postgres://user:password@host:5432/database (percent-encode special characters in the password).',
    ]);
    expect(result.stderr).not.toContain(SECRET);
  }, SLOW);
});
