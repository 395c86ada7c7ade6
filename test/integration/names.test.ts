/*
 * Names as users write them: unqualified, found through the search path. Extensions in `public` and in a
 * schema of their own on the database's search_path (operator class parameters too), the user's enum,
 * domain, ICU collation and SQL functions, and indexes over all of them made by hand: the manifest that
 * names them unqualified plans no changes, export writes them so, apply builds the same indexes from
 * nothing, and names resolve through settings.searchPath when it is set.
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

/** Objects of the database, as the user creates them; `ci` needs ICU. */
function setupSql(database: string): string {
  return `
    CREATE SCHEMA extensions;
    ALTER DATABASE ${database} SET search_path = "$user", public, extensions;
    SET search_path = public, extensions;
    CREATE EXTENSION pg_trgm;
    CREATE EXTENSION hstore;
    CREATE EXTENSION citext SCHEMA extensions;
    CREATE EXTENSION btree_gin SCHEMA extensions;
    CREATE EXTENSION unaccent SCHEMA extensions;
    CREATE TYPE doc_status AS ENUM ('draft', 'live', 'archived');
    CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 200);
    CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
    CREATE FUNCTION plain_text(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT extensions.unaccent('extensions.unaccent'::regdictionary, lower($1)) $$;
    CREATE FUNCTION is_recent(timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE
      AS $$ SELECT $1 > '2020-01-01 00:00:00+00'::timestamptz $$;
    CREATE TABLE docs (
      id bigint PRIMARY KEY,
      title text NOT NULL,
      body text,
      tags hstore,
      email citext,
      status doc_status NOT NULL DEFAULT 'draft',
      code short_text,
      score integer,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO docs (id, title, body, tags, email, status, code, score, created_at)
    SELECT g, 'Título ' || g, 'cuerpo ' || g, hstore('lang', CASE WHEN g % 2 = 0 THEN 'es' ELSE 'en' END),
           'user' || g || '@example.com', (ARRAY['draft', 'live', 'archived']::doc_status[])[1 + g % 3],
           'c' || g, g % 100, '2024-01-01'::timestamptz + g * interval '1 hour'
    FROM generate_series(1, 500) AS g;`;
}

/** The same indexes by hand, with the database's search path, as a user would type them in psql. */
const INDEXES_SQL = `
  SET search_path = public, extensions;
  CREATE INDEX docs_title_trgm ON docs USING gin (title gin_trgm_ops);
  CREATE INDEX docs_body_trgm ON docs USING gist (body gist_trgm_ops);
  CREATE INDEX docs_title_sig ON docs USING gist (title gist_trgm_ops (siglen = 32));
  CREATE INDEX docs_title_plain ON docs (plain_text(title));
  CREATE INDEX docs_score_created ON docs USING gin (score, created_at);
  CREATE UNIQUE INDEX docs_email ON docs (email);
  CREATE INDEX docs_live ON docs (created_at) WHERE status = 'live';
  CREATE INDEX docs_open ON docs (id) WHERE status IN ('draft', 'live');
  CREATE INDEX docs_title_ci ON docs (title COLLATE ci);
  CREATE INDEX docs_recent ON docs (score) WHERE is_recent(created_at);
  CREATE INDEX docs_tags ON docs USING gin (tags);
  CREATE INDEX docs_lang ON docs ((tags -> 'lang'));
  CREATE INDEX docs_code ON docs (code) WHERE code <> ''::short_text;
  CREATE INDEX docs_has_lang ON docs (id) WHERE tags ? 'lang';`;

const MANIFEST = `version: 1
tables:
  docs:
    indexes:
      docs_title_trgm:
        method: gin
        columns: [{ column: title, opclass: gin_trgm_ops }]
      docs_body_trgm:
        method: gist
        columns: [{ column: body, opclass: gist_trgm_ops }]
      docs_title_sig:
        method: gist
        columns: [{ column: title, opclass: gist_trgm_ops, opclassParams: { siglen: 32 } }]
      docs_title_plain:
        columns: [{ expression: plain_text(title) }]
      docs_score_created:
        method: gin
        columns: [score, created_at]
      docs_email:
        unique: true
        columns: [email]
      docs_live:
        columns: [created_at]
        where: status = 'live'
      docs_open:
        columns: [id]
        where: status IN ('draft', 'live')
      docs_title_ci:
        columns: [{ column: title, collation: ci }]
      docs_recent:
        columns: [score]
        where: is_recent(created_at)
      docs_tags:
        method: gin
        columns: [tags]
      docs_lang:
        columns: [{ expression: "tags -> 'lang'" }]
      docs_code:
        columns: [code]
        where: code <> ''::short_text
      docs_has_lang:
        columns: [id]
        where: tags ? 'lang'
`;

const DECLARED = [
  'docs_body_trgm',
  'docs_code',
  'docs_email',
  'docs_has_lang',
  'docs_lang',
  'docs_live',
  'docs_open',
  'docs_recent',
  'docs_score_created',
  'docs_tags',
  'docs_title_ci',
  'docs_title_plain',
  'docs_title_sig',
  'docs_title_trgm',
];

async function definitions(db: TestDatabase): Promise<Map<string, string>> {
  const { rows } = await db.query<{ name: string; definition: string; valid: boolean }>(
    `SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition, i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'public.docs'::regclass AND c.relname <> 'docs_pkey' ORDER BY 1`,
  );
  expect(rows.filter((row) => !row.valid)).toEqual([]);
  return new Map(rows.map((row) => [row.name, row.definition]));
}

describe('unqualified names resolve through the search path', () => {
  let byHand: TestDatabase;
  let dir: string;
  const file = (): string => path.join(dir, 'indexes.yaml');

  beforeAll(async () => {
    byHand = await freshDatabase();
    await byHand.query(setupSql(byHand.name));
    await byHand.query(INDEXES_SQL);
    dir = await mkdtemp(path.join(tmpdir(), 'names-'));
    await writeFile(file(), MANIFEST);
  }, 120_000);

  it('plans no changes against the same indexes made by hand', async () => {
    const plan = await runInProcess(['plan', '--detailed-exitcode', '-f', file(), '--database-url', byHand.url]);
    expect(plan).toEqual({ code: 0, stdout: `No changes. The indexes match ${file()}.\n`, stderr: '' });
  });

  it('export writes the names unqualified where the search path finds them, and round-trips to no changes', async () => {
    const exported = await runInProcess(['export', '--database-url', byHand.url]);
    expect(exported.code).toBe(0);
    const text = exported.stdout;
    for (const line of [
      '            opclass: gin_trgm_ops',
      '            opclass: gist_trgm_ops',
      '          - expression: plain_text(title)',
      '            collation: ci',
      "        where: (status = 'live'::doc_status)",
      '        where: is_recent(created_at)',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text.split('\n').filter((line) => !line.startsWith('#')).join('\n')).not.toMatch(/public\.|extensions\./);
    const file = path.join(dir, 'exported.yaml');
    await writeFile(file, text);
    const plan = await runInProcess(['plan', '--detailed-exitcode', '-f', file, '--database-url', byHand.url]);
    expect(plan).toEqual({ code: 0, stdout: `No changes. The indexes match ${file}.\n`, stderr: '' });
  });

  it('applies from nothing: every index built valid, the same definitions as by hand, then no changes', async () => {
    const fresh = await freshDatabase();
    await fresh.query(setupSql(fresh.name));
    const applied = await runInProcess(['apply', '--yes', '--output', 'plain', '-f', file(), '--database-url', fresh.url]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const built = await definitions(fresh);
    expect([...built.keys()]).toEqual(DECLARED);
    const made = await definitions(byHand);
    for (const name of DECLARED) expect(built.get(name)).toBe(made.get(name));
    const plan = await runInProcess(['plan', '--detailed-exitcode', '-f', file(), '--database-url', fresh.url]);
    expect(plan).toEqual({ code: 0, stdout: `No changes. The indexes match ${file()}.\n`, stderr: '' });
  }, 120_000);

  it('the SQL script builds under the same search path, through psql, to no changes', async () => {
    const empty = await emptyCopy();
    const plan = await runInProcess(['plan', '--format', 'sql', '-f', file(), '--database-url', empty.url]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('\nSET search_path = pg_catalog, public, extensions;\n');
    expect(plan.stdout).toContain('\nCREATE INDEX CONCURRENTLY docs_title_trgm ON public.docs USING gin (title gin_trgm_ops);\n');
    const script = path.join(dir, 'plan.sql');
    await writeFile(script, plan.stdout);
    await execFileAsync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', script, empty.url], { env: cliEnv() });
    const after = await runInProcess(['plan', '--detailed-exitcode', '-f', file(), '--database-url', empty.url]);
    expect(after).toEqual({ code: 0, stdout: `No changes. The indexes match ${file()}.\n`, stderr: '' });
  }, 60_000);

  it('with settings.searchPath, names resolve through the setting, not the database’s search_path', async () => {
    // Another plain_text earlier on the set path: the declared expression now means that one.
    await byHand.query(`
      CREATE SCHEMA other;
      CREATE FUNCTION other.plain_text(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper($1) $$;`);
    const elsewhere = path.join(dir, 'other.yaml');
    await writeFile(elsewhere, MANIFEST.replace('version: 1\n', 'version: 1\nsettings:\n  searchPath: [other, public, extensions]\n'));
    const plan = await runInProcess(['plan', '--format', 'json', '-f', elsewhere, '--database-url', byHand.url]);
    expect(plan.code).toBe(0);
    const document = JSON.parse(plan.stdout) as { database: { searchPath: string[] }; actions: { kind: string; index: string; newDefinition?: string }[] };
    expect(document.database.searchPath).toEqual(['pg_catalog', 'other', 'public', 'extensions']);
    expect(document.actions.map((action) => [action.kind, action.index, action.newDefinition])).toEqual([
      ['replace', 'docs_title_plain', 'CREATE INDEX docs_title_plain ON public.docs USING btree (other.plain_text(title))'],
    ]);

    // Without the schema that holds pg_trgm, its names do not resolve: the message says through what.
    const narrow = path.join(dir, 'narrow.yaml');
    await writeFile(narrow, MANIFEST.replace('version: 1\n', 'version: 1\nsettings:\n  searchPath: [extensions]\n'));
    const refused = await runInProcess(['plan', '-f', narrow, '--database-url', byHand.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'tables.docs.indexes.docs_title_trgm  operator class "gin_trgm_ops" does not exist for access method "gin". ' +
        'Unqualified names resolve through search_path pg_catalog, extensions (settings.searchPath); ' +
        'an operator class of that name is in public: add the schema to settings.searchPath, or write public.gin_trgm_ops\n',
    );
  });

  /** A database set up like the first, without its indexes. */
  async function emptyCopy(): Promise<TestDatabase> {
    const db = await freshDatabase();
    await db.query(setupSql(db.name));
    return db;
  }
});
