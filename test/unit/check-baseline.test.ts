/*
 * Check baselines and their comparison on fixed data: categories, the saved document (and its JSON
 * Schema), what identifies a baseline, the per query and per category comparison, and the exact text,
 * JSON and markdown of the comparison.
 */
import { describe, expect, it } from 'vitest';
import { baselineDocument, baselineMismatch, queryKeys, type BaselineDocument, type BaselineQuery } from '../../src/core/check-baseline.js';
import { categoryOf } from '../../src/core/check-categories.js';
import { compareBaselines, comparisonDocument, median } from '../../src/core/check-comparison.js';
import { checkReport, evaluateCheck, type DeclaredCheck } from '../../src/core/explain.js';
import { planShape } from '../../src/core/plan-shape.js';
import { baselineValidator } from '../../src/io/baseline-file.js';
import { renderComparisonMarkdown } from '../../src/ui/check-comparison-markdown.js';
import { formatChange, renderComparisonText } from '../../src/ui/check-comparison-text.js';
import { PLAIN } from '../../src/ui/color.js';
import { liveIndex, liveState, liveTable, source } from '../helpers/model-builders.js';

describe('categoryOf: the guide’s categories', () => {
  it('takes the category the manifest names, else the narrowest whose budget holds the query’s own', () => {
    expect(categoryOf({ category: 'search', p95Ms: 20 })).toBe('search');
    expect(categoryOf({ p95Ms: 0.5 })).toBe('common');
    expect(categoryOf({ p95Ms: 50 })).toBe('common');
    expect(categoryOf({ p95Ms: 50.5 })).toBe('search');
    expect(categoryOf({ p95Ms: 200 })).toBe('search');
    expect(categoryOf({ p95Ms: 500 })).toBe('analytics');
    expect(categoryOf({ p95Ms: 501 })).toBeUndefined();
    expect(categoryOf({})).toBeUndefined();
  });
});

describe('formatChange', () => {
  it('prints whole percentages, and one decimal cut toward zero past -99 %', () => {
    expect([-0.954, -0.5, 0, 0.004, 0.2, 48.5, -0.99, -0.9934, -0.99999].map(formatChange)).toEqual([
      '-95%',
      '-50%',
      '0%',
      '0%',
      '+20%',
      '+4850%',
      '-99%',
      '-99.3%',
      '-99.9%',
    ]);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeUndefined();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

const SEQ = [{ Plan: { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Sort', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'articles' }] }] } }];
const INDEX = [{ Plan: { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Index Scan', 'Index Name': 'idx_articles_category', 'Relation Name': 'articles' }] } }];

describe('planShape', () => {
  it('prints node types with what they read, children in parentheses', () => {
    expect(planShape(SEQ[0]!.Plan)).toBe('Limit(Sort(Seq Scan on articles))');
    const bitmap = {
      'Node Type': 'Bitmap Heap Scan',
      'Relation Name': 't',
      Plans: [{ 'Node Type': 'BitmapOr', Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'a' }, { 'Node Type': 'Bitmap Index Scan', 'Index Name': 'b' }] }],
    };
    expect(planShape(bitmap)).toBe('Bitmap Heap Scan on t(BitmapOr(Bitmap Index Scan using a, Bitmap Index Scan using b))');
    expect(planShape({ 'Node Type': 'Gather', Plans: [{ 'Node Type': 'Seq Scan', 'Parallel Aware': true, 'Relation Name': 't' }] })).toBe('Gather(Parallel Seq Scan on t)');
  });
});

const DATABASE = { name: 'app', systemIdentifier: '7315368432918126594', serverVersion: '18.1' };

describe('baselineDocument: what --out saves', () => {
  const check: DeclaredCheck = {
    schema: 'public',
    table: 'articles',
    index: 'idx_articles_category',
    sql: 'SELECT id FROM articles\n  WHERE category = $1 ORDER BY id LIMIT 20',
    parameters: 1,
    params: ['ciencia'],
    p95Ms: 50,
    source: source('tables.articles.indexes.idx_articles_category.queries[0]', 12, 11),
  };
  const live = liveState([liveTable('articles', ['id', 'category'])], [liveIndex('articles', 'idx_articles_category', 'CREATE INDEX idx_articles_category ON public.articles USING btree (category)')]);
  const before = evaluateCheck(check, { kind: 'explained', plan: SEQ, timingsMs: [2.1000000000000001, 1.5, 3.3000000000000003] }, liveState([liveTable('articles', ['id', 'category'])], []));
  const after = evaluateCheck(check, { kind: 'explained', plan: INDEX, timingsMs: [0.2, 0.1, 0.30000000000000004] }, live);
  const failed = evaluateCheck({ ...check, index: 'idx_articles_day', params: [1], p95Ms: 400 }, { kind: 'failed', message: 'canceling statement due to statement timeout', code: '57014' }, live);

  it('keeps per query p50, p95, runs, the plan’s shape and scans, the index used, and the error', () => {
    const document = baselineDocument(checkReport('indexes.yaml', { analyze: true, runs: 3, searchPath: '"$user", public' }, [before, failed]), {
      createdAt: '2026-01-05T10:00:00.000Z',
      database: DATABASE,
    });
    expect(document).toEqual({
      formatVersion: 1,
      kind: 'check-baseline',
      createdAt: '2026-01-05T10:00:00.000Z',
      manifest: 'indexes.yaml',
      database: DATABASE,
      runs: 3,
      searchPath: '"$user", public',
      queries: [
        {
          table: { schema: 'public', name: 'articles' },
          index: 'idx_articles_category',
          sql: 'SELECT id FROM articles\n  WHERE category = $1 ORDER BY id LIMIT 20',
          params: ['ciencia'],
          category: 'common',
          budgetMs: 50,
          runs: 3,
          p50Ms: 2.1,
          p95Ms: 3.3,
          planShape: 'Limit(Sort(Seq Scan on articles))',
          planScans: ['Seq Scan on articles'],
          planIndexes: [],
          usesIndex: false,
          indexState: 'missing',
          error: null,
        },
        {
          table: { schema: 'public', name: 'articles' },
          index: 'idx_articles_day',
          sql: 'SELECT id FROM articles\n  WHERE category = $1 ORDER BY id LIMIT 20',
          params: [1],
          category: 'analytics',
          budgetMs: 400,
          runs: 0,
          p50Ms: null,
          p95Ms: null,
          planShape: null,
          planScans: null,
          planIndexes: null,
          usesIndex: false,
          indexState: 'missing',
          error: { message: 'canceling statement due to statement timeout', code: '57014' },
        },
      ],
    });
  });

  it('validates against schema/check-baseline.schema.json, and the schema rejects what is not a baseline', async () => {
    const validate = await baselineValidator();
    const document = baselineDocument(checkReport('indexes.yaml', { analyze: true, runs: 3 }, [before, after, failed]), { createdAt: '2026-01-05T10:00:00.000Z', database: DATABASE });
    expect(validate(JSON.parse(JSON.stringify(document)))).toBe(true);
    expect(validate({ ...document, database: { ...DATABASE, systemIdentifier: null } })).toBe(true);
    expect(validate({ ...document, kind: 'plan' })).toBe(false);
    expect(validate({ ...document, queries: [{ ...document.queries[0], p95Ms: '3ms' }] })).toBe(false);
    expect(validate({ ...document, database: { ...DATABASE, systemIdentifier: 'abc' } })).toBe(false);
  });
});

function query(index: string, fields: Partial<BaselineQuery> = {}): BaselineQuery {
  return {
    table: { schema: 'public', name: 'articles' },
    index,
    sql: `SELECT id FROM articles WHERE ${index} = 1`,
    params: null,
    category: 'common',
    budgetMs: 50,
    runs: 5,
    p50Ms: 1,
    p95Ms: 1,
    planShape: 'Seq Scan on articles',
    planScans: ['Seq Scan on articles'],
    planIndexes: [],
    usesIndex: false,
    indexState: 'missing',
    error: null,
    ...fields,
  };
}

function document(queries: readonly BaselineQuery[], fields: Partial<BaselineDocument> = {}): BaselineDocument {
  return { formatVersion: 1, kind: 'check-baseline', createdAt: '2026-01-05T10:00:00.000Z', manifest: 'indexes.yaml', database: DATABASE, runs: 5, searchPath: 'public', queries, ...fields };
}

const NAMES = { baseline: 'before.json', manifest: 'indexes.yaml' };

describe('baselineMismatch: a baseline from another database or manifest is refused', () => {
  const queries = [query('a'), query('b', { params: [1, 'x'] })];

  it('accepts the same database and queries, in any order, however the SQL is laid out, whatever the budgets', () => {
    const now = document([query('b', { params: [1, 'x'], budgetMs: 5, category: 'search' }), query('a', { sql: 'SELECT id\n  FROM articles  WHERE a = 1' })]);
    expect(baselineMismatch(document(queries), now, NAMES)).toBeUndefined();
  });

  it('refuses another database: another name, or another server’s system identifier', () => {
    expect(baselineMismatch(document(queries), document(queries, { database: { ...DATABASE, name: 'staging' } }), NAMES)).toEqual({
      cause: 'database',
      reason:
        'before.json was measured on another database: database "app" on the server with system identifier 7315368432918126594, and this is database "staging" on the server with system identifier 7315368432918126594.',
    });
    expect(baselineMismatch(document(queries), document(queries, { database: { ...DATABASE, systemIdentifier: '42' } }), NAMES)?.reason).toBe(
      'before.json was measured on another database: database "app" on the server with system identifier 7315368432918126594, and this is database "app" on the server with system identifier 42.',
    );
  });

  it('compares names alone where a server does not give its system identifier', () => {
    expect(baselineMismatch(document(queries), document(queries, { database: { ...DATABASE, systemIdentifier: null } }), NAMES)).toBeUndefined();
  });

  it('refuses other declared queries, naming the first difference and counting the rest', () => {
    expect(baselineMismatch(document(queries), document([query('a'), query('b', { params: [2, 'x'] }), query('c')]), NAMES)).toEqual({
      cause: 'queries',
      reason:
        'before.json was saved for other queries than indexes.yaml declares: indexes.yaml declares a query before.json does not have: public.articles b: SELECT id FROM articles WHERE b = 1 params [2,"x"] (and 2 more differences).',
    });
    expect(baselineMismatch(document(queries), document([query('a')]), NAMES)?.reason).toBe(
      'before.json was saved for other queries than indexes.yaml declares: before.json has a query indexes.yaml does not declare: public.articles b: SELECT id FROM articles WHERE b = 1 params [1,"x"].',
    );
  });

  it('tells repeated declarations of one query apart', () => {
    expect(queryKeys([query('a'), query('a')])).toEqual(['public.articles a: SELECT id FROM articles WHERE a = 1', 'public.articles a: SELECT id FROM articles WHERE a = 1 (#2)']);
    expect(baselineMismatch(document([query('a'), query('a')]), document([query('a')]), NAMES)?.cause).toBe('queries');
  });
});

/** Five queries that show every verdict: much faster, faster but over budget, slower, unchanged without its index, failed before. */
const BEFORE = document([
  query('idx_articles_category', { p50Ms: 98.25, p95Ms: 120.5, planShape: 'Limit(Sort(Seq Scan on articles))' }),
  query('idx_articles_fts', { category: 'search', budgetMs: 200, p95Ms: 880, planShape: 'Gather(Parallel Seq Scan on articles)', planScans: ['Parallel Seq Scan on articles'] }),
  query('idx_users_email', { table: { schema: 'public', name: 'users' }, budgetMs: 20, p95Ms: 0.05, planShape: 'Seq Scan on users', planScans: ['Seq Scan on users'] }),
  query('idx_users_role', { table: { schema: 'public', name: 'users' }, params: ['admin'], budgetMs: null, category: null, p95Ms: 1, planShape: 'Seq Scan on users', planScans: ['Seq Scan on users'] }),
  query('idx_events_day', {
    table: { schema: 'public', name: 'events' },
    category: 'analytics',
    budgetMs: 500,
    runs: 0,
    p50Ms: null,
    p95Ms: null,
    planShape: null,
    planScans: null,
    planIndexes: null,
    error: { message: 'canceling statement due to statement timeout', code: '57014' },
  }),
]);

const AFTER = document(
  [
    query('idx_articles_category', { p50Ms: 0.3, p95Ms: 0.42, planShape: 'Limit(Index Scan using idx_articles_category on articles)', planScans: ['Index Scan using idx_articles_category on articles'], planIndexes: ['idx_articles_category'], usesIndex: true, indexState: 'valid' }),
    query('idx_articles_fts', {
      category: 'search',
      budgetMs: 200,
      p95Ms: 250,
      planShape: 'Bitmap Heap Scan on articles(Bitmap Index Scan using idx_articles_fts)',
      planScans: ['Bitmap Index Scan using idx_articles_fts on articles'],
      planIndexes: ['idx_articles_fts'],
      usesIndex: true,
      indexState: 'valid',
    }),
    query('idx_users_email', { table: { schema: 'public', name: 'users' }, budgetMs: 20, p95Ms: 0.06, planShape: 'Index Scan using idx_users_email on users', planScans: ['Index Scan using idx_users_email on users'], planIndexes: ['idx_users_email'], usesIndex: true, indexState: 'valid' }),
    query('idx_users_role', { table: { schema: 'public', name: 'users' }, params: ['admin'], budgetMs: null, category: null, p95Ms: 0.95, planShape: 'Seq Scan on users', planScans: ['Seq Scan on users'], indexState: 'valid' }),
    query('idx_events_day', { table: { schema: 'public', name: 'events' }, category: 'analytics', budgetMs: 500, p95Ms: 310, planShape: 'Index Scan using idx_events_day on events', planScans: ['Index Scan using idx_events_day on events'], planIndexes: ['idx_events_day'], usesIndex: true, indexState: 'valid' }),
  ],
  { createdAt: '2026-01-05T10:20:00.000Z', runs: 20 },
);

describe('compareBaselines', () => {
  const comparison = compareBaselines(BEFORE, AFTER, 'before.json');

  it('gives each query its change, trend, budget verdict now and whether it passes now', () => {
    expect(comparison.queries.map((q) => [q.after.index, q.change === undefined ? null : Number(q.change.toFixed(4)), q.trend ?? null, q.budget, q.passed])).toEqual([
      ['idx_articles_category', -0.9965, 'faster', 'within', true],
      ['idx_articles_fts', -0.7159, 'faster', 'over', false],
      ['idx_users_email', 0.2, 'slower', 'within', true],
      ['idx_users_role', -0.05, 'same', 'none', false],
      ['idx_events_day', null, null, 'within', true],
    ]);
  });

  it('summarises by the guide’s categories, and the queries with none', () => {
    expect(comparison.categories.map(({ medianChange: _, ...rest }) => rest)).toEqual([
      { category: 'common', budgetMs: 50, queries: 2, faster: 1, slower: 1, same: 0, unmeasured: 0, worstBeforeMs: 120.5, worstAfterMs: 0.42, withinBudget: true },
      { category: 'search', budgetMs: 200, queries: 1, faster: 1, slower: 0, same: 0, unmeasured: 0, worstBeforeMs: 880, worstAfterMs: 250, withinBudget: false },
      { category: 'analytics', budgetMs: 500, queries: 1, faster: 0, slower: 0, same: 0, unmeasured: 1, worstBeforeMs: null, worstAfterMs: 310, withinBudget: true },
      { category: null, budgetMs: null, queries: 1, faster: 0, slower: 0, same: 1, unmeasured: 0, worstBeforeMs: 1, worstAfterMs: 0.95, withinBudget: null },
    ]);
    const medians = comparison.categories.map((c) => c.medianChange);
    expect(medians[0]).toBeCloseTo(((0.42 - 120.5) / 120.5 + 0.2) / 2, 10);
    expect(medians[1]).toBeCloseTo((250 - 880) / 880, 10);
    expect(medians[2]).toBeNull();
    expect(medians[3]).toBeCloseTo(-0.05, 10);
    expect(comparison.summary).toEqual({ queries: 5, faster: 2, slower: 1, same: 1, unmeasured: 1, usingIndex: 4, overBudget: 1, failed: 0, passed: false });
  });

  it('renders text for a person', () => {
    expect(renderComparisonText(comparison, PLAIN)).toBe(
      [
        'p95 of each query declared in indexes.yaml: before (before.json, 2026-01-05 10:00 UTC, 5 timed runs each) and now (20 timed runs each); planning + execution time on the server.',
        '',
        'public.articles',
        '  ✓ idx_articles_category  p95 121ms → 0.42ms (-99.6%, faster)  within 50ms budget (common)',
        '      SELECT id FROM articles WHERE idx_articles_category = 1',
        '      plan before: Seq Scan on articles',
        '      plan now:    Index Scan using idx_articles_category on articles',
        '  ✗ idx_articles_fts  p95 880ms → 250ms (-72%, faster)  over the 200ms budget (search)',
        '      SELECT id FROM articles WHERE idx_articles_fts = 1',
        '      plan before: Parallel Seq Scan on articles',
        '      plan now:    Bitmap Index Scan using idx_articles_fts on articles',
        '',
        'public.users',
        '  ✓ idx_users_email  p95 0.05ms → 0.06ms (+20%, slower)  within 20ms budget (common)',
        '      SELECT id FROM articles WHERE idx_users_email = 1',
        '      plan before: Seq Scan on users',
        '      plan now:    Index Scan using idx_users_email on users',
        '  ✗ idx_users_role  p95 1.00ms → 0.95ms (-5%, about the same)  no p95 budget',
        '      SELECT id FROM articles WHERE idx_users_role = 1',
        '      params ["admin"]',
        '      plan: Seq Scan on users (unchanged)',
        '      does not use idx_users_role now',
        '',
        'public.events',
        '  ✓ idx_events_day  p95 failed → 310ms  within 500ms budget (analytics)',
        '      SELECT id FROM articles WHERE idx_events_day = 1',
        '      plan before: -',
        '      plan now:    Index Scan using idx_events_day on events',
        '      failed before: canceling statement due to statement timeout',
        '',
        "By the deployment guide's categories (the slowest p95 now against the category's budget):",
        '  common       2 queries  1 faster, 1 slower, 0 about the same                  median -40%  slowest p95 121ms → 0.42ms   ✓ under 50ms',
        '  search         1 query  1 faster, 0 slower, 0 about the same                  median -72%  slowest p95 880ms → 250ms    ✗ over 200ms',
        '  analytics      1 query  0 faster, 0 slower, 0 about the same, 1 not measured               slowest p95 - → 310ms        ✓ under 500ms',
        '  no category    1 query  0 faster, 0 slower, 1 about the same                  median -5%   slowest p95 1.00ms → 0.95ms  no budget',
        '',
        '5 queries: 2 faster, 1 slower, 1 about the same, 1 not measured on both sides; 4 use their index now, 1 over budget.',
        '',
      ].join('\n'),
    );
  });

  it('renders markdown for a pull-request comment', () => {
    expect(renderComparisonMarkdown(comparison)).toBe(
      [
        '### Query timings before and after for `indexes.yaml`',
        '',
        '**5 queries: 2 faster, 1 slower, 1 about the same, 1 not measured on both sides; 4 use their index now, 1 over budget.**',
        '',
        'p95 of each query declared in indexes.yaml: before (before.json, 2026-01-05 10:00 UTC, 5 timed runs each) and now (20 timed runs each); planning + execution time on the server.',
        '',
        '| category | queries | faster | slower | median change | slowest p95 before | slowest p95 now | |',
        '|---|--:|--:|--:|--:|--:|--:|---|',
        '| common | 2 | 1 | 1 | -40% | 121ms | 0.42ms | ✓ under 50ms |',
        '| search | 1 | 1 | 0 | -72% | 880ms | 250ms | ✗ over 200ms |',
        '| analytics | 1 | 0 | 0 | - | - | 310ms | ✓ under 500ms |',
        '| no category | 1 | 0 | 0 | -5% | 1.00ms | 0.95ms | no budget |',
        '',
        '<details><summary>Every query (5)</summary>',
        '',
        '| | table | index | query | p95 before | p95 now | change | budget | plan now |',
        '|---|---|---|---|--:|--:|--:|--:|---|',
        '| ✓ | `public.articles` | `idx_articles_category` | `SELECT id FROM articles WHERE idx_articles_category = 1` | 121ms | 0.42ms | -99.6% | 50ms | Index Scan using idx_articles_category on articles |',
        '| ✗ | `public.articles` | `idx_articles_fts` | `SELECT id FROM articles WHERE idx_articles_fts = 1` | 880ms | 250ms | -72% | **over 200ms** | Bitmap Index Scan using idx_articles_fts on articles |',
        '| ✓ | `public.users` | `idx_users_email` | `SELECT id FROM articles WHERE idx_users_email = 1` | 0.05ms | 0.06ms | +20% | 20ms | Index Scan using idx_users_email on users |',
        '| ✗ | `public.users` | `idx_users_role` | `SELECT id FROM articles WHERE idx_users_role = 1` params `["admin"]` | 1.00ms | 0.95ms | -5% | - | **not using the index:** Seq Scan on users |',
        '| ✓ | `public.events` | `idx_events_day` | `SELECT id FROM articles WHERE idx_events_day = 1` | failed | 310ms | - | 500ms | Index Scan using idx_events_day on events |',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('renders JSON for machines', () => {
    const json = JSON.parse(JSON.stringify(comparisonDocument(comparison))) as Record<string, unknown> & { queries: unknown[] };
    expect({ ...json, queries: json.queries.slice(1, 2), categories: undefined }).toEqual({
      formatVersion: 1,
      kind: 'check-comparison',
      manifest: 'indexes.yaml',
      baseline: { file: 'before.json', createdAt: '2026-01-05T10:00:00.000Z', runs: 5 },
      measuredAt: '2026-01-05T10:20:00.000Z',
      runs: 20,
      database: DATABASE,
      queries: [
        {
          table: { schema: 'public', name: 'articles' },
          index: 'idx_articles_fts',
          sql: 'SELECT id FROM articles WHERE idx_articles_fts = 1',
          params: null,
          category: 'search',
          budgetMs: 200,
          before: { runs: 5, p50Ms: 1, p95Ms: 880, planShape: 'Gather(Parallel Seq Scan on articles)', planScans: ['Parallel Seq Scan on articles'], usesIndex: false, indexState: 'missing', error: null },
          after: {
            runs: 5,
            p50Ms: 1,
            p95Ms: 250,
            planShape: 'Bitmap Heap Scan on articles(Bitmap Index Scan using idx_articles_fts)',
            planScans: ['Bitmap Index Scan using idx_articles_fts on articles'],
            usesIndex: true,
            indexState: 'valid',
            error: null,
          },
          change: (250 - 880) / 880,
          trend: 'faster',
          budget: 'over',
          passed: false,
        },
      ],
      summary: { queries: 5, faster: 2, slower: 1, same: 1, unmeasured: 1, usingIndex: 4, overBudget: 1, failed: 0, passed: false },
    });
    expect(json.categories).toEqual(JSON.parse(JSON.stringify(comparison.categories)));
  });
});
