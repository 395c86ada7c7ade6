/*
 * The guide's performance tests, before and after, on real PostgreSQL: `check --analyze --out` on the
 * flagship example before its indexes exist, `apply`, then `check --analyze --baseline`; foreign
 * baselines refused; `apply --check` around an apply. Timings differ from run to run, so these tests
 * assert structure and direction; the exact output is tested on fixed data in test/unit/check-baseline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineDocument } from '../../src/core/check-baseline.js';
import { baselineValidator } from '../../src/io/baseline-file.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'openlearn');
const MANIFEST = path.join(EXAMPLE, 'indexes.yaml');

interface Side {
  readonly runs: number;
  readonly p95Ms: number | null;
  readonly planScans: string[] | null;
  readonly usesIndex: boolean;
  readonly indexState: string;
  readonly error: unknown;
}

interface ComparisonJson {
  readonly kind: string;
  readonly queries: { index: string; category: string | null; before: Side; after: Side; change: number | null; trend: string | null; passed: boolean }[];
  readonly categories: { category: string | null; queries: number; faster: number; slower: number; medianChange: number | null; withinBudget: boolean | null }[];
  readonly summary: { queries: number; usingIndex: number; overBudget: number; failed: number; passed: boolean };
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'reconcile-baseline-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('check --analyze --out, then --baseline, on examples/openlearn with the indexes dropped and then applied', () => {
  let db: TestDatabase;
  let before: BaselineDocument;
  let comparison: ComparisonJson;
  const args = (...rest: string[]): string[] => [...rest, '-f', MANIFEST, '--database-url', db.url];
  const beforeFile = (): string => path.join(dir, 'before.json');

  beforeAll(async () => {
    db = await freshDatabase();
    const client = await db.connect();
    await client.query('SET search_path = public');
    await client.query(await readFile(path.join(EXAMPLE, 'schema.sql'), 'utf8'));
    await client.query(`SET openlearn.scale = '0.02'`);
    await client.query(await readFile(path.join(EXAMPLE, 'seed.sql'), 'utf8'));

    const saved = await runInProcess(args('check', '--analyze', '--runs', '3', '--out', beforeFile()));
    expect(saved.stderr).toBe('');
    // A baseline is a measurement: the indexes do not exist yet, and that fails nothing.
    expect(saved.code).toBe(0);
    const tail = saved.stdout.trimEnd().split('\n').slice(-3);
    // Whether a sequential scan stays within 50 ms depends on the machine's load.
    expect(tail[0]).toMatch(/^58 queries: 0 use their index, 58 do not; \d+ over budget\.$/);
    expect(tail.slice(1)).toEqual([
      '',
      `Saved the timings of 58 queries to ${beforeFile()}; compare with them after the change: reconcile check --analyze --baseline ${beforeFile()}`,
    ]);
    before = JSON.parse(readFileSync(beforeFile(), 'utf8')) as BaselineDocument;

    const applied = await runInProcess(args('apply', '--yes', '--output', 'plain'));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);

    const compared = await runInProcess(args('check', '--analyze', '--baseline', beforeFile(), '--format', 'json'));
    expect(compared.stderr).toBe('');
    comparison = JSON.parse(compared.stdout) as ComparisonJson;
    // Budgets are met on any machine but a starved one (sub-millisecond queries against 50 ms); the exit code follows them.
    expect(compared.code).toBe(comparison.summary.passed ? 0 : 1);
  }, 240_000);

  it('saves a baseline that validates against its schema, identifying the database, with every query timed before its index exists', async () => {
    const validate = await baselineValidator();
    expect(validate(before)).toBe(true);
    expect(before.database.name).toBe(db.name);
    expect(before.database.systemIdentifier).toMatch(/^\d+$/);
    expect(before.runs).toBe(3);
    expect(before.queries).toHaveLength(58);
    for (const query of before.queries) {
      expect(query).toMatchObject({ runs: 3, usesIndex: false, indexState: 'missing', error: null });
      expect(query.p95Ms).toBeGreaterThan(0);
      expect(query.p50Ms).toBeLessThanOrEqual(query.p95Ms!);
      expect(query.planShape).toMatch(/Seq Scan on /);
    }
  });

  it('reports every declared query before and after, each now on its index', () => {
    expect(comparison.kind).toBe('check-comparison');
    expect(comparison.queries).toHaveLength(58);
    for (const query of comparison.queries) {
      expect(query.before).toMatchObject({ runs: 3, usesIndex: false, indexState: 'missing', error: null });
      expect(query.after).toMatchObject({ runs: 5, usesIndex: true, indexState: 'valid', error: null });
      expect(query.change).toBe((query.after.p95Ms! - query.before.p95Ms!) / query.before.p95Ms!);
      expect(['faster', 'slower', 'same']).toContain(query.trend);
    }
    expect(comparison.summary).toMatchObject({ queries: 58, usingIndex: 58, failed: 0 });
    expect(comparison.summary.passed).toBe(comparison.summary.overBudget === 0);
  });

  it('summarises by the guide’s categories, and the common queries improve', () => {
    expect(comparison.categories.map((c) => [c.category, c.queries])).toEqual([
      ['common', 54],
      ['search', 3],
      ['analytics', 1],
    ]);
    const common = comparison.categories[0]!;
    expect(common.medianChange).toBeLessThan(0);
    expect(common.faster).toBeGreaterThan(common.slower);
    // Full-text search without its GIN index recomputes to_tsvector for every article.
    const search = comparison.categories[1]!;
    expect(search.faster).toBe(3);
  });

  it('prints the comparison as text and as markdown', async () => {
    const text = await runInProcess(args('check', '--analyze', '--runs', '1', '--baseline', beforeFile()));
    expect(text.stderr).toBe('');
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^p95 of each query declared in .*indexes\.yaml: before \(.*before\.json, \d{4}-\d\d-\d\d \d\d:\d\d UTC, 3 timed runs each\) and now \(1 timed run each\); planning \+ execution time on the server\.$/);
    const verdicts = lines.filter((line) => /^ {2}[✓✗] /.test(line));
    expect(verdicts).toHaveLength(58);
    for (const line of verdicts) {
      expect(line).toMatch(/^ {2}[✓✗] idx_\w+ {2}p95 [\d.]+m?s → [\d.]+m?s \([-+]?[\d.]+%, (faster|slower|about the same)\) {2}(within|over the) (50|200|500)ms budget \((common|search|analytics)\)$/);
    }
    expect(lines.filter((line) => line.startsWith('      plan before: Seq Scan on '))).toHaveLength(58);
    const categories = lines.indexOf("By the deployment guide's categories (the slowest p95 now against the category's budget):");
    expect(lines.slice(categories + 1, categories + 4).map((line) => line.trim().split(/\s+/)[0])).toEqual(['common', 'search', 'analytics']);
    expect(lines.slice(categories + 1, categories + 4).every((line) => /[✓✗] (under|over) \d+ms$/.test(line))).toBe(true);
    expect(lines.at(-2)).toMatch(/^58 queries: \d+ faster, \d+ slower, \d+ about the same; 58 use their index now, \d+ over budget\.$/);

    const markdown = await runInProcess(args('check', '--analyze', '--runs', '1', '--baseline', beforeFile(), '--format', 'markdown'));
    expect(markdown.stderr).toBe('');
    const md = markdown.stdout.split('\n');
    expect(md[0]).toBe(`### Query timings before and after for \`${MANIFEST}\``);
    expect(md.filter((line) => /^\| (common|search|analytics) \| \d+ \|/.test(line))).toHaveLength(3);
    expect(md.filter((line) => /^\| [✓✗] \| `public\./.test(line))).toHaveLength(58);
    expect(md.at(-2)).toBe('</details>');
  });

  it('refuses a baseline from another manifest, naming the query that differs, before running any', async () => {
    const manifest = path.join(dir, 'other.yaml');
    writeFileSync(manifest, readFileSync(MANIFEST, 'utf8').replace("WHERE category = 'ciencia'", "WHERE category = 'deportes'"));
    const refused = await runInProcess(['check', '--analyze', '--baseline', beforeFile(), '-f', manifest, '--database-url', db.url]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      [
        `Error: Cannot compare with the baseline: ${beforeFile()} was saved for other queries than ${manifest} declares: ${manifest} declares a query ${beforeFile()} does not have: public.scraped_content idx_scraped_content_category: SELECT id, title, published_date FROM scraped_content WHERE category = 'deportes' (and 1 more difference).`,
        `Measure the queries ${manifest} declares now, before the change: reconcile check --analyze --out ${beforeFile()}`,
        '',
      ].join('\n'),
    );
  });

  it('refuses a baseline from another database', async () => {
    const other = await freshDatabase();
    const refused = await runInProcess(['check', '--analyze', '--baseline', beforeFile(), '-f', MANIFEST, '--database-url', other.url]);
    expect(refused.code).toBe(1);
    const id = before.database.systemIdentifier!;
    expect(refused.stderr).toBe(
      [
        `Error: Cannot compare with the baseline: ${beforeFile()} was measured on another database: database "${db.name}" on the server with system identifier ${id}, and this is database "${other.name}" on the server with system identifier ${id}.`,
        `A baseline compares one database before and after a change: measure this one before the change with reconcile check --analyze --out ${beforeFile()}`,
        '',
      ].join('\n'),
    );
  });

  it('says what is wrong with a file that is not a baseline, and that --out and --baseline need --analyze', async () => {
    const plan = path.join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ formatVersion: 1, createdAt: '2026-01-01T00:00:00Z' }));
    const notBaseline = await runInProcess(args('check', '--analyze', '--baseline', plan));
    expect(notBaseline.code).toBe(1);
    expect(notBaseline.stderr.split('\n')[0]).toBe(`Error: ${plan} is not a check baseline (check --analyze --out writes those): it has no "kind": "check-baseline".`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...before, queries: [{ ...before.queries[0], p95Ms: '3ms' }] }));
    const invalid = await runInProcess(args('check', '--analyze', '--baseline', broken));
    expect(invalid.stderr.split('\n')[0]).toBe(`Error: ${broken} is not a valid check baseline: /queries/0/p95Ms must be number,null.`);
    const noAnalyze = await runInProcess(args('check', '--out', beforeFile()));
    expect(noAnalyze.code).toBe(1);
    expect(noAnalyze.stderr).toBe(`Error: check --out works with timings, and only --analyze measures them.\nAdd --analyze: reconcile check --analyze --out ${beforeFile()}\n`);
  });
});

describe('apply --check', () => {
  let db: TestDatabase;
  let manifest: string;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.query(`
      CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, placed date NOT NULL, note text NOT NULL);
      INSERT INTO orders SELECT g, g % 2000, DATE '2025-01-01' + (g % 365), repeat('x', 80) FROM generate_series(1, 40000) g;
      ANALYZE orders;
    `);
    manifest = path.join(dir, 'orders.yaml');
    writeFileSync(
      manifest,
      `version: 1
tables:
  orders:
    indexes:
      idx_orders_customer:
        columns: [customer]
        queries:
          - sql: SELECT id FROM orders WHERE customer = 42
            p95: 10s
            category: common
      idx_orders_placed:
        columns: [{ column: placed, order: desc }]
        queries:
          - sql: SELECT id, placed FROM orders ORDER BY placed DESC LIMIT 10
            p95: 10s
            category: common
`,
    );
  });

  it('times the declared queries before and after the apply and prints the comparison after the summary', async () => {
    const run = await runInProcess(['apply', '--yes', '--check', '--output', 'plain', '-f', manifest, '--database-url', db.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const timingBefore = lines.indexOf('Timing the 2 declared queries before the apply (EXPLAIN ANALYZE, 5 timed runs each)…');
    const summary = lines.findIndex((line) => /^\S+Z {2}summary {3}Applied 2 actions in .+: 2 done\.$/.test(line));
    const timingAfter = lines.indexOf('Timing the declared queries again after the apply…');
    const headline = lines.findIndex((line) => line.startsWith('p95 of each query declared in '));
    expect(timingBefore).toBeGreaterThan(0);
    expect(summary).toBeGreaterThan(timingBefore);
    expect(timingAfter).toBeGreaterThan(summary);
    expect(headline).toBeGreaterThan(timingAfter);
    expect(lines[headline]).toMatch(/: before \(before the apply, .* UTC, 5 timed runs each\) and now \(5 timed runs each\)/);
    expect(lines.filter((line) => /^ {2}✓ idx_orders_\w+ {2}p95 .* → .*within 10s budget \(common\)$/.test(line))).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith('      plan before: Seq Scan on orders') || line.startsWith('      plan before: Parallel Seq Scan on orders'))).toHaveLength(2);
    expect(lines.at(-2)).toMatch(/^2 queries: .*; 2 use their index now, 0 over budget\.$/);
  });

  it('adds the comparison to NDJSON output as its last line, and says when there is nothing to apply', async () => {
    await db.query('DROP INDEX idx_orders_customer');
    const run = await runInProcess(['apply', '--yes', '--check', '--output', 'json', '-f', manifest, '--database-url', db.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string } & Partial<ComparisonJson>);
    expect(events[0]!.type).toBe('version');
    expect(events.at(-2)!.type).toBe('verified');
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'check', kind: 'check-comparison', summary: { queries: 2, usingIndex: 2, passed: true } });
    expect(last.queries!.map((q) => [q.index, q.before.usesIndex, q.after.usesIndex])).toEqual([
      ['idx_orders_customer', false, true],
      ['idx_orders_placed', true, true],
    ]);

    const again = await runInProcess(['apply', '--yes', '--check', '-f', manifest, '--database-url', db.url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`No changes. The indexes match ${manifest}.\n\n--check: no changes, so nothing to time before and after.\n`);
  });
});
