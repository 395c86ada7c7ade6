/*
 * `reconcile plan` end to end: the built CLI against real database state made the way it happens in
 * production (failed concurrent builds, an interrupted REINDEX CONCURRENTLY, a build running in another
 * session, constraints, partitions, an extension's table), every output format, exit codes and the
 * plan-time errors at their manifest positions.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import {
  cliEnv,
  expectLines,
  holdOldSnapshot,
  indexesOf,
  lines,
  runCli,
  SLOW,
  urlAs,
  waitForBuild,
  workdir,
} from '../helpers/cli.js';

const execFileAsync = promisify(execFile);

const schema = JSON.parse(readFileSync(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'));
const validatePlan = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false, validateFormats: false }).compile(schema);

/** `builds over <size>, ~<rows> rows`: the size is the table's pages, which differ a little between versions. */
const COST = (rows: string): string => `builds over \\d+(\\.\\d)? (bytes|kB|MB), ~${rows} rows`;

/** The catalog of the action-kinds, error and owner tests (which only read it). */
let db: TestDatabase;
/** The database the --format sql script changes. */
let roundtrip: TestDatabase;

/** Runs a statement that must fail (a concurrent build over duplicates, which leaves an invalid index). */
async function failing(on: TestDatabase, sql: string, expected: RegExp): Promise<void> {
  await expect(on.query(sql)).rejects.toThrow(expected);
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`
    CREATE TABLE members (id int NOT NULL, email text, name text, score int);
    INSERT INTO members SELECT g, 'm' || g || '@example.com', 'name ' || (g % 10), g FROM generate_series(1, 2000) g;
    INSERT INTO members VALUES (1, 'm1@example.com', 'dup', 1);
    CREATE INDEX members_misc ON members (score);

    -- An "immutable" function that changes its mind: the way to get duplicates under a unique index.
    CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT t $$;
    CREATE TABLE accounts (id int, email text);
    INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 100) g;
    CREATE UNIQUE INDEX accounts_norm ON accounts (public.norm(email));
    CREATE OR REPLACE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'same' $$;

    CREATE TABLE events (id int PRIMARY KEY, code text NOT NULL, kind text, created_at timestamptz,
      CONSTRAINT events_code_key UNIQUE (code));
    INSERT INTO events SELECT g, 'c' || g, 'k' || (g % 5), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
      FROM generate_series(1, 500) g;
    CREATE UNIQUE INDEX events_code_ri ON events (code);
    ALTER TABLE events REPLICA IDENTITY USING INDEX events_code_ri;
    CREATE INDEX events_kind_old ON events (kind);
    CREATE INDEX events_recent ON events (created_at) WHERE created_at > '2024-01-01 00:00:00+00';
    CREATE INDEX events_created ON events (created_at);
    COMMENT ON INDEX events_created IS 'old note';
    CREATE INDEX events_legacy ON events (kind, created_at);

    CREATE TABLE measurements (id int, at date) PARTITION BY RANGE (at);
    CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE INDEX measurements_at ON measurements (at);

    -- Handed to a role without CREATE on the schema by the test that needs it.
    CREATE TABLE priv_items (id int, v int);

    -- A table of an extension (plpgsql is in every database): its indexes belong to the extension too.
    CREATE TABLE ext_owned (id int);
    CREATE INDEX ext_owned_id ON ext_owned (id);
    ALTER EXTENSION plpgsql ADD TABLE ext_owned;

    ANALYZE;
  `);
  roundtrip = await freshDatabase();
  await roundtrip.query(`
    -- 1,001 inserts pass autovacuum's insert threshold (13+): its VACUUM, after the DELETE below, would
    -- re-estimate the rows at a moment of its own choosing.
    CREATE TABLE books (id int NOT NULL, isbn text, title text, pages int, author_id int) WITH (autovacuum_enabled = off);
    INSERT INTO books SELECT g, 'isbn-' || g, 'Title ' || (g % 50), g % 700, g % 40 FROM generate_series(1, 1000) g;
    INSERT INTO books VALUES (1001, 'isbn-1', 'Title 1', 1, 1);
    CREATE INDEX books_author_old ON books (author_id);
    CREATE INDEX books_long ON books (pages) WHERE pages > 100;
    CREATE INDEX books_title ON books (title);
    COMMENT ON INDEX books_title IS 'Old comment';
    CREATE INDEX books_extra ON books (id, pages);

    CREATE TABLE visits (id int, at timestamptz);
    ANALYZE;
  `);
  // Concurrent builds cannot run in a multi-statement string (an implicit transaction): one at a time.
  await failing(db, 'CREATE UNIQUE INDEX CONCURRENTLY members_email_uniq ON members (email)', /could not create unique index "members_email_uniq"/);
  await failing(db, 'CREATE UNIQUE INDEX CONCURRENTLY members_id_uniq ON members (id)', /could not create unique index "members_id_uniq"/);
  await failing(db, 'REINDEX INDEX CONCURRENTLY accounts_norm', /could not create unique index "accounts_norm_ccnew"/);
  await failing(roundtrip, 'CREATE UNIQUE INDEX CONCURRENTLY books_isbn ON books (isbn)', /could not create unique index "books_isbn"/);
  await failing(roundtrip, 'CREATE UNIQUE INDEX CONCURRENTLY books_junk ON books (title)', /could not create unique index "books_junk"/);
  // The declared books_isbn can now be rebuilt; books_junk stays an undeclared invalid leftover.
  await roundtrip.query(`DELETE FROM books WHERE id = 1001`);
});

// The tests run side by side: only the first changes `db` (a build in another session, dropped again), and
// the others' outputs are plan-time errors that do not depend on it; `roundtrip` belongs to the sql tests.
describe.concurrent('reconcile plan against real database state', () => {
  it('renders every action kind, from failed builds, a REINDEX leftover and a build running in another session', async () => {
    expect(await indexesOf(db, ['members', 'accounts'])).toEqual([
      { name: 'accounts_norm', valid: true, ready: true },
      { name: 'accounts_norm_ccnew', valid: false, ready: false },
      { name: 'members_email_uniq', valid: false, ready: false },
      { name: 'members_id_uniq', valid: false, ready: false },
      { name: 'members_misc', valid: true, ready: true },
    ]);
    const dir = await workdir({ 'indexes.yaml': 'plan-kinds.yaml' });

    // Another session builds an index, held in "waiting for old snapshots" by an open transaction.
    const snapshot = await holdOldSnapshot(db);
    const builder = await db.connect();
    const building = builder.query('CREATE INDEX CONCURRENTLY members_building ON members (name, score)');
    let text;
    let build;
    try {
      build = await waitForBuild(db, 'members_building');
      // The text on stdout; the same plan as the JSON document, saved.
      text = await runCli(['plan', '--out', 'plan.json', '--database-url', db.url], { cwd: dir });
    } finally {
      await snapshot.release();
      await building;
      await builder.query('DROP INDEX CONCURRENTLY members_building');
    }

    expect(text!.stderr).toBe('');
    expect(text!.code).toBe(0);
    expectLines(text!.stdout, [
      'Symbols: + create  ~ replace  → rename  ! rebuild invalid  - drop  # comment  · skip',
      '',
      'public.members',
      `  · members_building  being built right now by pid ${build.pid} (waiting for old snapshots): left alone`,
      '  - members_id_uniq  invalid: left by a failed concurrent build',
      new RegExp(`^  ! members_email_uniq  invalid: left by a failed concurrent build; ${COST('2,001')}$`),
      '      CREATE UNIQUE INDEX members_email_uniq ON public.members USING btree (email)',
      new RegExp(`^  \\+ members_name  ${COST('2,001')}$`),
      '      CREATE INDEX CONCURRENTLY members_name ON public.members USING btree (name)',
      '',
      'public.accounts',
      '  - accounts_norm_ccnew  invalid: left by an interrupted REINDEX CONCURRENTLY',
      '',
      // Prune is on, yet the primary key, the unique constraint and the replica identity stay out of it.
      'public.events',
      '  → events_kind_idx  renamed from events_kind_old: it has the declared definition',
      new RegExp(`^  ~ events_recent  definition changed; ${COST('500')}$`),
      '        CREATE INDEX events_recent ON public.events',
      '            USING btree (created_at)',
      "      -     WHERE (created_at > '2024-01-01 00:00:00+00'::timestamp with time zone)",
      "      +     WHERE (created_at > '2024-06-01 00:00:00+00'::timestamp with time zone)",
      '  # events_created  comment: "old note" → "new note"',
      '  - events_legacy  not in indexes.yaml (prune is on)',
      '',
      // measurements_2024 (a partition: its index is the partitioned index's child) and ext_owned (an
      // extension's table) are declared with prune on and nothing declared: no block at all.
      'Unmanaged: 2 indexes not in indexes.yaml, kept (prune is off):',
      '  public.members  members_misc',
      '  public.accounts  accounts_norm',
      '',
      'Plan: 1 to create, 1 to replace, 1 to rename, 1 to rebuild, 3 to drop, 1 to comment, 1 skipped.',
      '',
      'Saved the plan to plan.json; run it with: reconcile apply plan.json',
    ]);

    const saved = await readFile(path.join(dir, 'plan.json'), 'utf8');
    const document = JSON.parse(saved);
    expect(validatePlan(document), JSON.stringify(validatePlan.errors)).toBe(true);
    expect(document.summary).toEqual({ create: 1, replace: 1, rename: 1, rebuild: 1, reindex: 0, drop: 3, comment: 1, skip: 1 });
    expect(document.changes).toBe(true);
    expect(document.actions.map((a: { kind: string; index: string }) => `${a.kind} ${a.index}`)).toEqual([
      'skip members_building',
      'drop members_id_uniq',
      'rebuild members_email_uniq',
      'create members_name',
      'drop accounts_norm_ccnew',
      'rename events_kind_idx',
      'replace events_recent',
      'comment events_created',
      'drop events_legacy',
    ]);
    expect(document.actions[0]).toMatchObject({ kind: 'skip', pid: build.pid, phase: 'waiting for old snapshots' });
    // Protected indexes are nowhere in the plan.
    for (const name of ['events_pkey', 'events_code_key', 'events_code_ri', 'measurements_2024_at_idx', 'ext_owned_id']) {
      expect(saved).not.toContain(name);
    }
  }, SLOW);

  it('--format sql runs with psql -v ON_ERROR_STOP=1 -f, after which plan finds nothing to do; --detailed-exitcode says so', async () => {
    const dir = await workdir({ 'indexes.yaml': 'plan-roundtrip.yaml' });
    const [text, sql, json, markdown] = await Promise.all([
      runCli(['plan', '--detailed-exitcode', '--database-url', roundtrip.url], { cwd: dir }),
      runCli(['plan', '--format', 'sql', '--database-url', roundtrip.url], { cwd: dir }),
      runCli(['plan', '--format', 'json', '--detailed-exitcode', '--database-url', roundtrip.url], { cwd: dir }),
      runCli(['plan', '--format', 'markdown', '--database-url', roundtrip.url], { cwd: dir }),
    ]);

    expect(text.code).toBe(2);
    expect(text.stderr).toBe('');
    expectLines(text.stdout, [
      'Symbols: + create  ~ replace  → rename  ! rebuild invalid  - drop  # comment',
      '',
      'public.books',
      '  - books_junk  invalid: left by a failed concurrent build',
      new RegExp(`^  ! books_isbn  invalid: left by a failed concurrent build; ${COST('1,001')}$`),
      '      CREATE UNIQUE INDEX books_isbn ON public.books USING btree (isbn)',
      '  → books_author  renamed from books_author_old: it has the declared definition',
      new RegExp(`^  ~ books_long  definition changed; ${COST('1,001')}$`),
      '        CREATE INDEX books_long ON public.books',
      '            USING btree (pages)',
      '      -     WHERE (pages > 100)',
      '      +     WHERE (pages > 300)',
      '  # books_title  comment: "Old comment" → "Title search"',
      new RegExp(`^  \\+ books_title_lower  ${COST('1,001')}$`),
      '      CREATE INDEX CONCURRENTLY books_title_lower ON public.books USING btree (lower(title))',
      '  - books_extra  not in indexes.yaml (prune is on)',
      '',
      'Plan: 1 to create, 1 to replace, 1 to rename, 1 to rebuild, 2 to drop, 1 to comment.',
    ]);

    expect(json.code).toBe(2);
    const document = JSON.parse(json.stdout);
    expect(validatePlan(document), JSON.stringify(validatePlan.errors)).toBe(true);
    expect(document).toMatchObject({ formatVersion: 1, manifest: { file: 'indexes.yaml' }, changes: true });

    expect(markdown.code).toBe(0);
    expect(lines(markdown.stdout).slice(0, 5)).toEqual([
      '<!-- pg-index-reconciler plan: indexes.yaml -->',
      '### Index plan for `indexes.yaml`',
      '',
      '**Plan: 1 to create, 1 to replace, 1 to rename, 1 to rebuild, 2 to drop, 1 to comment.**',
      '',
    ]);

    expect(sql.code).toBe(0);
    expect(sql.stderr).toBe('');
    const sqlLines = lines(sql.stdout);
    expect(sqlLines[0]).toMatch(/^-- Index plan for indexes\.yaml \(manifest sha256 [0-9a-f]{12}\), PostgreSQL \d+\.\d+/);
    expect(sqlLines.slice(1, 9)).toEqual([
      '-- Run with: psql -v ON_ERROR_STOP=1 -f this-file.sql  (no --single-transaction: CONCURRENTLY cannot run in one)',
      "SET standard_conforming_strings = 'on';",
      "SET jit = 'off';",
      'SET search_path = pg_catalog, public;',
      "SET TimeZone = 'UTC';",
      "SET DateStyle = 'ISO';",
      "SET IntervalStyle = 'postgres';",
      'SET statement_timeout = 0;',
    ]);
    const file = path.join(dir, 'plan.sql');
    await writeFile(file, sql.stdout);
    const psql = await execFileAsync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file, roundtrip.url], { env: cliEnv() });
    expect(psql.stderr).toBe('');

    const after = await runCli(['plan', '--detailed-exitcode', '--database-url', roundtrip.url], { cwd: dir });
    expect(after).toMatchObject({ code: 0, stdout: 'No changes. The indexes match indexes.yaml.\n', stderr: '' });
    expect(await indexesOf(roundtrip, ['books'])).toEqual([
      { name: 'books_author', valid: true, ready: true },
      { name: 'books_isbn', valid: true, ready: true },
      { name: 'books_long', valid: true, ready: true },
      { name: 'books_title', valid: true, ready: true },
      { name: 'books_title_lower', valid: true, ready: true },
    ]);
  }, SLOW);

  // BUG: the sql script does not pin TimeZone (apply's sessions do), so a timestamptz predicate run by psql
  // in another time zone builds a different index and the plan never converges.
  it('--format sql means the same thing in a psql session of another time zone', async () => {
    const dir = await workdir({ 'indexes.yaml': 'plan-timezone.yaml' });
    const sql = await runCli(['plan', '--format', 'sql', '--database-url', roundtrip.url], { cwd: dir });
    expect(sql.code).toBe(0);
    const file = path.join(dir, 'plan.sql');
    await writeFile(file, sql.stdout);
    await execFileAsync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file, roundtrip.url], { env: cliEnv({ PGTZ: 'America/New_York' }) });
    const after = await runCli(['plan', '--detailed-exitcode', '--database-url', roundtrip.url], { cwd: dir });
    expect(after).toMatchObject({ code: 0, stdout: 'No changes. The indexes match indexes.yaml.\n', stderr: '' });
  }, SLOW);

  it('names each plan-time error at its manifest position, and exits 1 (also with --detailed-exitcode)', async () => {
    const dir = await workdir({ 'indexes.yaml': 'plan-errors.yaml' });
    const detailed = await runCli(['plan', '--detailed-exitcode', '--format', 'json', '--database-url', db.url], { cwd: dir });
    const expected = [
      'indexes.yaml:4:3  tables.no_such_table  table public.no_such_table does not exist',
      'indexes.yaml:11:23  tables.members.indexes.members_nope.columns[1]  column "nope" does not exist in public.members (it has: id, email, name, score)',
      'indexes.yaml:12:7  tables.members.indexes.members_opclass  operator class "no_such_ops" does not exist for access method "btree". ' +
        "Unqualified names resolve through search_path pg_catalog, public (the role's search_path in this database)",
      'indexes.yaml:17:7  tables.events.indexes.events_pkey  events_pkey cannot be declared: it backs the primary key "events_pkey" (constraints are managed with ALTER TABLE); remove it from indexes.yaml',
      'indexes.yaml:19:7  tables.events.indexes.events_code_key  events_code_key cannot be declared: it backs the unique constraint "events_code_key" (constraints are managed with ALTER TABLE); remove it from indexes.yaml',
      'Error: The plan cannot be made: 5 problems in indexes.yaml.',
    ];
    expect(detailed).toMatchObject({ code: 1, stdout: '' });
    expectLines(detailed.stderr, expected);
  }, SLOW);

  it('refuses a role that does not own the declared table, at the table position', async () => {
    const role = `intruder_${Math.random().toString(36).slice(2, 8)}`;
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'intruder-pw'`);
    const dir = await workdir({ 'indexes.yaml': 'plan-owner.yaml' });
    const result = await runCli(['plan', '--detailed-exitcode', '--database-url', urlAs(db.url, role, 'intruder-pw')], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expectLines(result.stderr, [
      `indexes.yaml:3:3  tables.members  role "${role}" does not own table public.members (owner: "${new URL(db.url).username}"); CREATE INDEX needs the owner or a member of its role`,
      'Error: The plan cannot be made: 1 problem in indexes.yaml.',
    ]);
  }, SLOW);

  // CREATE INDEX needs CREATE on the table's schema besides ownership (PUBLIC lost it on public in PostgreSQL 15).
  it('refuses a role that owns the table but may not create in its schema, at plan time', async () => {
    const role = `no_create_${Math.random().toString(36).slice(2, 8)}`;
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'no-create-pw'; ALTER TABLE priv_items OWNER TO ${role}; REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    const dir = await workdir({ 'indexes.yaml': 'plan-privilege.yaml' });
    const result = await runCli(['plan', '--detailed-exitcode', '--database-url', urlAs(db.url, role, 'no-create-pw')], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(lines(result.stderr)).toHaveLength(2);
    expect(lines(result.stderr)[0]).toMatch(/^indexes\.yaml:3:3  tables\.priv_items  .*\bschema public\b/);
    expect(lines(result.stderr)[1]).toBe('Error: The plan cannot be made: 1 problem in indexes.yaml.');
  }, SLOW);
});
