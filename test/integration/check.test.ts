/*
 * `reconcile check` against real PostgreSQL: plans on fixed, analyzed data (20,000 rows, selective
 * predicates, so an index is the planner's real choice), exact text and JSON, budgets with --analyze
 * (timings masked), and the read-only transaction as the second wall against writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type CheckCommandOptions } from '../../src/commands/check.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { captureContext as capture } from '../helpers/in-process.js';

const SETUP = `
CREATE TABLE scraped_content (
  id int PRIMARY KEY, source text NOT NULL, category text NOT NULL, published date NOT NULL, status text NOT NULL, title text NOT NULL
) WITH (autovacuum_enabled = false);
INSERT INTO scraped_content
  SELECT g, 'source' || (g % 50), 'category' || (g % 20), DATE '2025-01-01' + (g % 730),
    CASE WHEN g % 100 = 0 THEN 'draft' ELSE 'live' END, 'title ' || g
  FROM generate_series(1, 20000) g;
CREATE INDEX idx_source_published ON scraped_content (source, published DESC);
CREATE INDEX idx_drafts ON scraped_content (published) WHERE status = 'draft';
CREATE TABLE visits (id int);
CREATE FUNCTION note_visit(v int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO visits VALUES (v);
  RETURN v;
END $$;
ANALYZE;
`;

const INDEXES = `
      idx_source_published:
        columns: [source, { column: published, order: desc }]
        queries:
          - sql: SELECT id, title FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 20
            p95: 1s
      idx_drafts:
        columns: [published]
        where: "status = 'draft'"
        queries:
          - sql: SELECT id FROM scraped_content WHERE status = 'draft' AND published >= DATE '2026-06-01'
`;

/** One query that uses its index and one whose predicate the partial index cannot serve. */
const MANIFEST = `version: 1
tables:
  scraped_content:
    indexes:${INDEXES}          - sql: SELECT id FROM scraped_content WHERE status = 'live' AND published >= DATE '2026-06-01'
`;

const PASSING = `version: 1
tables:
  scraped_content:
    indexes:${INDEXES}`;

const SLOW = `version: 1
tables:
  scraped_content:
    indexes:${INDEXES}          - sql: SELECT pg_sleep(0.02), id FROM scraped_content WHERE status = 'draft' AND published = DATE '2026-06-05' LIMIT 1
            p95: 10ms
`;

const WRITES = `version: 1
tables:
  scraped_content:
    indexes:
      idx_source_published:
        columns: [source, { column: published, order: desc }]
        queries:
          - sql: SELECT note_visit(id) FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 1
          - sql: SELECT set_config('transaction_read_only', 'off', true), id FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 1
          - sql: SELECT nextval('visits_seq'), id FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 1
`;

let db: TestDatabase;
let dir: string;

function manifestFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function check(file: string, options: Partial<CheckCommandOptions> = {}) {
  const io = capture();
  const code = await runCheck({ file, format: 'text', databaseUrl: db.url, ...options }, io.context);
  return { code, out: io.out().replaceAll(file, 'indexes.yaml'), err: io.err() };
}

/** Times differ from run to run: keep their shape, not their digits. */
function maskTimes(text: string): string {
  return text.replace(/p50 [\d.]+m?s, p95 [\d.]+m?s/g, 'p50 Tms, p95 Tms');
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(SETUP);
  await db.query('CREATE SEQUENCE visits_seq');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-check-'));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const HEADLINE = 'Queries declared in indexes.yaml, run under EXPLAIN with search_path "$user", public, read-only and rolled back.';

describe('reconcile check', () => {
  it('passes a query that uses its index and fails one the planner answers with a sequential scan', async () => {
    const { code, out, err } = await check(manifestFile('indexes.yaml', MANIFEST));
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toBe(
      [
        HEADLINE,
        '',
        'public.scraped_content',
        '  ✓ idx_source_published  uses it: Index Scan using idx_source_published on scraped_content',
        "      SELECT id, title FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 20",
        '  ✓ idx_drafts  uses it: Bitmap Index Scan using idx_drafts on scraped_content',
        "      SELECT id FROM scraped_content WHERE status = 'draft' AND published >= DATE '2026-06-01'",
        '  ✗ idx_drafts  not used; the plan reads Seq Scan on scraped_content',
        "      SELECT id FROM scraped_content WHERE status = 'live' AND published >= DATE '2026-06-01'",
        '      declared at indexes.yaml:15:13',
        '',
        '3 queries: 2 use their index, 1 does not.',
        '',
      ].join('\n'),
    );
  });

  it('writes the same as a stable JSON document', async () => {
    const file = manifestFile('indexes.yaml', MANIFEST);
    const { code, out } = await check(file, { format: 'json' });
    expect(code).toBe(1);
    const query = (index: string, sql: string, line: number, i: number, fields: Record<string, unknown>) => ({
      table: { schema: 'public', name: 'scraped_content' },
      index,
      sql,
      source: { file: 'indexes.yaml', line, column: 13, path: `tables.scraped_content.indexes.${index}.queries[${i}]` },
      indexState: 'valid',
      params: null,
      genericPlan: false,
      timing: null,
      error: null,
      hints: [],
      ...fields,
    });
    expect(JSON.parse(out)).toEqual({
      formatVersion: 1,
      manifest: 'indexes.yaml',
      analyze: false,
      runs: null,
      searchPath: '"$user", public',
      queries: [
        query('idx_source_published', "SELECT id, title FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 20", 8, 0, {
          usesIndex: true,
          planIndexes: ['idx_source_published'],
          planScans: ['Index Scan using idx_source_published on scraped_content'],
        }),
        query('idx_drafts', "SELECT id FROM scraped_content WHERE status = 'draft' AND published >= DATE '2026-06-01'", 14, 0, {
          usesIndex: true,
          planIndexes: ['idx_drafts'],
          planScans: ['Bitmap Index Scan using idx_drafts on scraped_content'],
        }),
        query('idx_drafts', "SELECT id FROM scraped_content WHERE status = 'live' AND published >= DATE '2026-06-01'", 15, 1, {
          usesIndex: false,
          planIndexes: [],
          planScans: ['Seq Scan on scraped_content'],
        }),
      ],
      summary: { queries: 3, usingIndex: 2, notUsingIndex: 1, overBudget: 0, failed: 0, passed: false },
    });
  });

  it('exits 0 when every declared query uses its index', async () => {
    const { code, out } = await check(manifestFile('passing.yaml', PASSING), { format: 'markdown' });
    expect(code).toBe(0);
    expect(out).toBe(
      [
        '### Index check for `indexes.yaml`',
        '',
        '**2 queries: 2 use their index, 0 do not.**',
        '',
        HEADLINE,
        '',
        '| | table | index | query | uses index | plan reads |',
        '|---|---|---|---|---|---|',
        "| ✓ | `public.scraped_content` | `idx_source_published` | `SELECT id, title FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 20` | yes | Index Scan using idx_source_published on scraped_content |",
        "| ✓ | `public.scraped_content` | `idx_drafts` | `SELECT id FROM scraped_content WHERE status = 'draft' AND published >= DATE '2026-06-01'` | yes | Bitmap Index Scan using idx_drafts on scraped_content |",
        '',
      ].join('\n'),
    );
  });

  it('with --analyze, times each query and fails the one over its p95 budget', async () => {
    const { code, out } = await check(manifestFile('slow.yaml', SLOW), { analyze: true, runs: 3 });
    expect(code).toBe(1);
    expect(maskTimes(out)).toBe(
      [
        'Queries declared in indexes.yaml, run under EXPLAIN ANALYZE, 3 timed runs each after one warm-up (planning + execution time on the server) with search_path "$user", public, read-only and rolled back.',
        '',
        'public.scraped_content',
        '  ✓ idx_source_published  uses it: Index Scan using idx_source_published on scraped_content',
        "      SELECT id, title FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 20",
        '      p50 Tms, p95 Tms over 3 runs; budget 1s',
        '  ✓ idx_drafts  uses it: Bitmap Index Scan using idx_drafts on scraped_content',
        "      SELECT id FROM scraped_content WHERE status = 'draft' AND published >= DATE '2026-06-01'",
        '      p50 Tms, p95 Tms over 3 runs; no p95 budget',
        '  ✗ idx_drafts  uses it: Index Scan using idx_drafts on scraped_content',
        "      SELECT pg_sleep(0.02), id FROM scraped_content WHERE status = 'draft' AND published = DATE '2026-06-05' LIMIT 1",
        '      p50 Tms, p95 Tms over 3 runs: over the 10ms budget',
        '      declared at indexes.yaml:15:13',
        '',
        '3 queries: 3 use their index, 0 do not; 1 over budget.',
        '',
      ].join('\n'),
    );
    const { out: json } = await check(manifestFile('slow.yaml', SLOW), { analyze: true, runs: 3, format: 'json' });
    const document = JSON.parse(json) as { runs: number; queries: { timing: { runs: number; p50Ms: number; p95Ms: number; budgetMs: number | null; overBudget: boolean } }[] };
    expect(document.runs).toBe(3);
    const slow = document.queries[2]!.timing;
    expect(slow).toMatchObject({ runs: 3, budgetMs: 10, overBudget: true });
    expect(slow.p95Ms).toBeGreaterThanOrEqual(20);
    expect(slow.p50Ms).toBeLessThanOrEqual(slow.p95Ms);
    expect(document.queries[0]!.timing).toMatchObject({ runs: 3, budgetMs: 1000, overBudget: false });
  });

  it('runs queries read-only: PostgreSQL refuses a write hidden in a function, and nothing is written', async () => {
    const file = manifestFile('writes.yaml', WRITES);
    // Under plain EXPLAIN nothing runs: the plans are read, and they use the index.
    const explained = await check(file);
    expect(explained.code).toBe(0);
    const { code, out } = await check(file, { analyze: true, runs: 1 });
    expect(code).toBe(1);
    expect(maskTimes(out)).toBe(
      [
        'Queries declared in indexes.yaml, run under EXPLAIN ANALYZE, 1 timed run each after one warm-up (planning + execution time on the server) with search_path "$user", public, read-only and rolled back.',
        '',
        'public.scraped_content',
        '  ✗ idx_source_published  failed: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)',
        "      SELECT note_visit(id) FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 1",
        '      declared at indexes.yaml:8:13',
        '  ✗ idx_source_published  failed: transaction read-write mode must be set before any query (SQLSTATE 25001)',
        "      SELECT set_config('transaction_read_only', 'off', true), id FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 1",
        '      declared at indexes.yaml:9:13',
        '  ✗ idx_source_published  failed: cannot execute nextval() in a read-only transaction (SQLSTATE 25006)',
        "      SELECT nextval('visits_seq'), id FROM scraped_content WHERE source = 'source7' ORDER BY published DESC LIMIT 1",
        '      declared at indexes.yaml:10:13',
        '',
        '3 queries: 0 use their index, 0 do not, 3 failed to run; 0 over budget.',
        '',
      ].join('\n'),
    );
    const { rows } = await db.query<{ n: string; last: string }>('SELECT (SELECT count(*) FROM visits) AS n, (SELECT last_value FROM visits_seq) AS last');
    expect(rows[0]).toEqual({ n: '0', last: '1' });
    const { rows: seq } = await db.query<{ called: boolean }>('SELECT is_called AS called FROM visits_seq');
    expect(seq[0]!.called).toBe(false);
  });

  it('never sends a statement the manifest reader would not admit', async () => {
    const file = manifestFile('bad.yaml', PASSING.replace("ORDER BY published DESC LIMIT 20", 'LIMIT 1; DELETE FROM visits'));
    await expect(check(file)).rejects.toThrow(/problem/);
  });

  it('runs queries with the search_path the database gives its connections', async () => {
    await db.query(`CREATE SCHEMA app; CREATE TABLE app.notes (id int PRIMARY KEY, body text); INSERT INTO app.notes SELECT g, 'n' || g FROM generate_series(1, 5000) g; ANALYZE app.notes`);
    await db.query(`ALTER DATABASE ${db.name} SET search_path = app, public`);
    const file = manifestFile(
      'app.yaml',
      'version: 1\ntables:\n  app.notes:\n    indexes:\n      notes_body:\n        columns: [body]\n        queries:\n          - sql: SELECT id FROM notes WHERE body = \'n7\'\n',
    );
    await db.query('CREATE INDEX notes_body ON app.notes (body)');
    const { code, out } = await check(file);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('Queries declared in indexes.yaml, run under EXPLAIN with search_path app, public, read-only and rolled back.');
    expect(out).toContain('  ✓ notes_body  uses it: Index Scan using notes_body on notes');
  });
});

/*
 * Parameters: the partial index idx_drafts serves `status = 'draft'`, so whether the planner can use it
 * for `status = $1` depends on seeing the value: bound params give the application's (custom) plan; a
 * generic plan (no params, 16+) cannot use it.
 */
const PARAMS = `version: 1
tables:
  scraped_content:
    indexes:
      idx_source_published:
        columns: [source, { column: published, order: desc }]
        queries:
          - sql: SELECT id, title FROM scraped_content WHERE source = $1 ORDER BY published DESC LIMIT $2
            params: [source7, 20]
      idx_drafts:
        columns: [published]
        where: "status = 'draft'"
        queries:
          - sql: SELECT id FROM scraped_content WHERE status = $1 AND published >= $2 AND $3
            params: [draft, '2026-06-01', true]
          - sql: SELECT id FROM scraped_content WHERE status = $1 AND published >= $2
`;

describe('reconcile check with parameters', () => {
  // The test above gave the database a search_path of its own.
  beforeAll(() => db.query(`ALTER DATABASE ${db.name} RESET search_path`));

  const bound = [
    'public.scraped_content',
    '  ✓ idx_source_published  uses it: Index Scan using idx_source_published on scraped_content',
    '      SELECT id, title FROM scraped_content WHERE source = $1 ORDER BY published DESC LIMIT $2',
    '      params ["source7", 20]',
    '  ✓ idx_drafts  uses it: Bitmap Index Scan using idx_drafts on scraped_content',
    '      SELECT id FROM scraped_content WHERE status = $1 AND published >= $2 AND $3',
    '      params ["draft", "2026-06-01", true]',
  ];

  it('binds params, so the plan is the one the values get; without params, a generic plan (16+) or a clear error', async () => {
    const { code, out, err } = await check(manifestFile('params.yaml', PARAMS));
    expect(err).toBe('');
    expect(code).toBe(1);
    const unbound =
      db.major >= 16
        ? [
            '  ✗ idx_drafts  not used; the plan reads Seq Scan on scraped_content',
            '      SELECT id FROM scraped_content WHERE status = $1 AND published >= $2',
            "      a generic plan, made without values for $1…$2: give params to see the plan the application's values get",
            '      declared at indexes.yaml:16:13',
          ]
        : [
            `  ✗ idx_drafts  failed: the query uses $1…$2 but has no params, and PostgreSQL ${db.major} cannot plan it without values (EXPLAIN GENERIC_PLAN needs 16): add params: [...] to it with a value for each, as the application sends them`,
            '      SELECT id FROM scraped_content WHERE status = $1 AND published >= $2',
            '      declared at indexes.yaml:16:13',
          ];
    expect(out).toBe(
      [
        HEADLINE,
        '',
        ...bound,
        ...unbound,
        '',
        db.major >= 16 ? '3 queries: 2 use their index, 1 does not.' : '3 queries: 2 use their index, 0 do not, 1 failed to run.',
        '',
      ].join('\n'),
    );

    const json = await check(manifestFile('params.yaml', PARAMS), { format: 'json' });
    const document = JSON.parse(json.out) as { queries: { sql: string; params: unknown; genericPlan: boolean; usesIndex: boolean; error: unknown }[] };
    expect(document.queries.map((q) => [q.params, q.genericPlan, q.usesIndex])).toEqual([
      [['source7', 20], false, true],
      [['draft', '2026-06-01', true], false, true],
      [null, db.major >= 16, false],
    ]);
  });

  it('times queries with their params bound; without params, EXPLAIN ANALYZE cannot run the query', async () => {
    const { code, out } = await check(manifestFile('params.yaml', PARAMS), { analyze: true, runs: 2 });
    expect(code).toBe(1);
    expect(maskTimes(out)).toBe(
      [
        'Queries declared in indexes.yaml, run under EXPLAIN ANALYZE, 2 timed runs each after one warm-up (planning + execution time on the server) with search_path "$user", public, read-only and rolled back.',
        '',
        bound[0],
        bound[1],
        bound[2],
        bound[3],
        '      p50 Tms, p95 Tms over 2 runs; no p95 budget',
        bound[4],
        bound[5],
        bound[6],
        '      p50 Tms, p95 Tms over 2 runs; no p95 budget',
        '  ✗ idx_drafts  failed: the query uses $1…$2 but has no params, and EXPLAIN ANALYZE must run it with values: add params: [...] to it with a value for each, as the application sends them',
        '      SELECT id FROM scraped_content WHERE status = $1 AND published >= $2',
        '      declared at indexes.yaml:16:13',
        '',
        '3 queries: 2 use their index, 0 do not, 1 failed to run; 0 over budget.',
        '',
      ].join('\n'),
    );
  });

  it('sends params as values, never as SQL', async () => {
    const file = manifestFile(
      'values.yaml',
      `version: 1
tables:
  scraped_content:
    indexes:
      idx_source_published:
        columns: [source, { column: published, order: desc }]
        queries:
          - sql: SELECT id FROM scraped_content WHERE source = $1 AND ($2::text IS NULL OR title = $2) ORDER BY published DESC LIMIT 1
            params: ["source7'; DROP TABLE visits; --", null]
`,
    );
    const { code, out } = await check(file, { analyze: true, runs: 1, format: 'json' });
    expect(code).toBe(0);
    const document = JSON.parse(out) as { queries: { usesIndex: boolean; error: unknown }[] };
    expect(document.queries).toMatchObject([{ usesIndex: true, error: null }]);
    expect((await db.query("SELECT to_regclass('visits') AS t")).rows[0]).toEqual({ t: 'visits' });
  });
});
