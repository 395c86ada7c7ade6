/* EXPLAIN plan trees (shapes as PostgreSQL 18 prints them, trimmed), percentiles, check verdicts and output. */
import { describe, expect, it } from 'vitest';
import {
  analyzedMs,
  checkDocument,
  checkPassed,
  checkReport,
  declaredChecks,
  evaluateCheck,
  explainMethod,
  indexFamily,
  percentile,
  planReads,
  rootPlan,
  type DeclaredCheck,
} from '../../src/core/explain.js';
import { PLAIN } from '../../src/ui/color.js';
import { renderCheckMarkdown } from '../../src/ui/check-markdown.js';
import { checkSummaryLine, formatMs, renderCheckText } from '../../src/ui/check-text.js';
import { desiredIndex, desiredState, desiredTable, liveIndex, liveState, liveTable, source } from '../helpers/model-builders.js';

const BITMAP_OR = [
  {
    Plan: {
      'Node Type': 'Bitmap Heap Scan',
      'Parallel Aware': false,
      'Async Capable': false,
      'Relation Name': 't',
      Alias: 't',
      'Startup Cost': 8.59,
      'Total Cost': 15.88,
      'Plan Rows': 2,
      'Plan Width': 18,
      Disabled: false,
      'Recheck Cond': "((lower(a) = 'v5'::text) OR (id = 3))",
      Plans: [
        {
          'Node Type': 'BitmapOr',
          'Parent Relationship': 'Outer',
          'Parallel Aware': false,
          Plans: [
            { 'Node Type': 'Bitmap Index Scan', 'Parent Relationship': 'Member', 'Parallel Aware': false, 'Index Name': 'Weird Idx', 'Index Cond': "(lower(a) = 'v5'::text)" },
            { 'Node Type': 'Bitmap Index Scan', 'Parent Relationship': 'Member', 'Parallel Aware': false, 'Index Name': 't_pkey', 'Index Cond': '(id = 3)' },
          ],
        },
      ],
    },
  },
];

const PARTITIONS = [
  {
    Plan: {
      'Node Type': 'Append',
      'Parallel Aware': false,
      Plans: [
        {
          'Node Type': 'Bitmap Heap Scan',
          'Parent Relationship': 'Member',
          'Parallel Aware': false,
          'Relation Name': 'p1',
          Alias: 'p_1',
          Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Parent Relationship': 'Outer', 'Parallel Aware': false, 'Index Name': 'p1_at_idx' }],
        },
        {
          'Node Type': 'Bitmap Heap Scan',
          'Parent Relationship': 'Member',
          'Parallel Aware': false,
          'Relation Name': 'p2',
          Alias: 'p_2',
          Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Parent Relationship': 'Outer', 'Parallel Aware': false, 'Index Name': 'p2_at_idx' }],
        },
      ],
    },
  },
];

const INIT_PLAN = [
  {
    Plan: {
      'Node Type': 'Index Scan',
      'Parallel Aware': false,
      'Index Name': 't_pkey',
      'Relation Name': 't',
      Alias: 't',
      'Index Cond': '(id < 10)',
      Filter: '(b = (InitPlan 2).col1)',
      Plans: [
        {
          'Node Type': 'Result',
          'Parent Relationship': 'InitPlan',
          'Subplan Name': 'InitPlan 2',
          Plans: [
            {
              'Node Type': 'Limit',
              'Parent Relationship': 'InitPlan',
              'Subplan Name': 'InitPlan 1',
              Plans: [{ 'Node Type': 'Index Only Scan', 'Parent Relationship': 'Outer', 'Parallel Aware': false, 'Index Name': 't_b_idx', 'Relation Name': 't', Alias: 't_1' }],
            },
          ],
        },
      ],
    },
  },
];

const PARALLEL_SEQ = [
  {
    Plan: {
      'Node Type': 'Aggregate',
      Strategy: 'Plain',
      Plans: [
        {
          'Node Type': 'Gather',
          'Parent Relationship': 'Outer',
          Plans: [
            {
              'Node Type': 'Aggregate',
              'Parent Relationship': 'Outer',
              Plans: [{ 'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Parallel Aware': true, 'Relation Name': 't', Alias: 't', Filter: '(b = 3)' }],
            },
          ],
        },
      ],
    },
  },
];

const SEQ_SCAN = [{ Plan: { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Sort', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'scraped_content', 'Parallel Aware': false }] }] } }];

describe('planReads', () => {
  it('finds Bitmap Index Scans under BitmapOr under Bitmap Heap Scan, named with the heap table', () => {
    expect(planReads(BITMAP_OR)).toEqual({
      indexes: ['Weird Idx', 't_pkey'],
      scans: ['Bitmap Index Scan using Weird Idx on t', 'Bitmap Index Scan using t_pkey on t'],
    });
  });

  it("finds each partition's index under an Append", () => {
    expect(planReads(PARTITIONS)).toEqual({
      indexes: ['p1_at_idx', 'p2_at_idx'],
      scans: ['Bitmap Index Scan using p1_at_idx on p1', 'Bitmap Index Scan using p2_at_idx on p2'],
    });
  });

  it('looks inside init plans and sub plans, listing each index once', () => {
    expect(planReads(INIT_PLAN)).toEqual({
      indexes: ['t_pkey', 't_b_idx'],
      scans: ['Index Scan using t_pkey on t', 'Index Only Scan using t_b_idx on t'],
    });
  });

  it('names sequential scans, parallel ones too', () => {
    expect(planReads(SEQ_SCAN)).toEqual({ indexes: [], scans: ['Seq Scan on scraped_content'] });
    expect(planReads(PARALLEL_SEQ)).toEqual({ indexes: [], scans: ['Parallel Seq Scan on t'] });
  });

  it('reads a plan that touches no table', () => {
    expect(planReads([{ Plan: { 'Node Type': 'Result' } }])).toEqual({ indexes: [], scans: [] });
  });

  it('refuses what is not EXPLAIN JSON', () => {
    expect(() => rootPlan([{ nope: 1 }])).toThrow(/not EXPLAIN \(FORMAT JSON\) output/);
    expect(() => rootPlan('Seq Scan on t')).toThrow(/not EXPLAIN/);
  });

  it('adds planning and execution time of an EXPLAIN ANALYZE', () => {
    expect(analyzedMs([{ Plan: {}, 'Planning Time': 0.25, 'Execution Time': 1.5 }])).toBe(1.75);
    expect(() => analyzedMs([{ Plan: {} }])).toThrow(/Execution Time/);
  });
});

describe('percentile (nearest rank)', () => {
  it('is the middle value for p50 and the slowest of five for p95', () => {
    const runs = [5, 1, 4, 2, 3];
    expect(percentile(runs, 0.5)).toBe(3);
    expect(percentile(runs, 0.95)).toBe(5);
  });

  it('is a measured value, never interpolated', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 0.95)).toBe(19);
    expect(percentile(twenty, 0.5)).toBe(10);
    expect(percentile([1, 2], 0.5)).toBe(1);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([1, 100], 1)).toBe(100);
  });

  it('refuses no values and a fraction outside (0, 1]', () => {
    expect(() => percentile([], 0.5)).toThrow(/no values/);
    expect(() => percentile([1], 0)).toThrow(/not in/);
    expect(() => percentile([1], 95)).toThrow(/not in/);
  });
});

// ---- verdicts ----

function check(index: string, sql: string, extra: Partial<DeclaredCheck> = {}): DeclaredCheck {
  return { schema: 'public', table: 't', index, sql, parameters: 0, source: source(`tables.t.indexes.${index}.queries[0]`, 12, 11), ...extra };
}

const LIVE = liveState(
  [liveTable('t', ['id', 'a', 'b']), liveTable('p', ['id', 'at'], { kind: 'partitioned' }), liveTable('fresh', ['id'], { estimatedRows: undefined })],
  [
    liveIndex('t', 't_pkey', 'CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)'),
    liveIndex('t', 'Weird Idx', 'CREATE INDEX "Weird Idx" ON public.t USING btree (lower(a))'),
    liveIndex('t', 't_b_idx', 'CREATE INDEX t_b_idx ON public.t USING btree (b)', { valid: false }),
    liveIndex('p', 'p_at', 'CREATE INDEX p_at ON ONLY public.p USING btree (at)', { partitioned: true }),
    liveIndex('p1', 'p1_at_idx', 'CREATE INDEX p1_at_idx ON public.p1 USING btree (at)', { parentIndex: 'public.p_at' }),
    liveIndex('p2', 'p2_at_idx', 'CREATE INDEX p2_at_idx ON public.p2 USING btree (at)', { parentIndex: 'public.p_at' }),
  ],
);

describe('evaluateCheck', () => {
  it('passes a query whose plan reads the declared index', () => {
    const result = evaluateCheck(check('Weird Idx', "SELECT * FROM t WHERE lower(a) = 'v5' OR id = 3"), { kind: 'explained', plan: BITMAP_OR, timingsMs: [] }, LIVE);
    expect(result).toMatchObject({ indexState: 'valid', usesIndex: true, hints: [] });
    expect(result.timing).toBeUndefined();
  });

  it("counts a partition's index as the partitioned index it is attached to", () => {
    expect(indexFamily(LIVE, 'public', 'p_at')).toEqual(new Set(['p_at', 'p1_at_idx', 'p2_at_idx']));
    const result = evaluateCheck(check('p_at', 'SELECT * FROM p', { table: 'p' }), { kind: 'explained', plan: PARTITIONS, timingsMs: [] }, LIVE);
    expect(result.usesIndex).toBe(true);
  });

  it('fails a query the planner answers another way, and says why it may', () => {
    const invalid = evaluateCheck(check('t_b_idx', 'SELECT count(*) FROM t WHERE b = 3'), { kind: 'explained', plan: PARALLEL_SEQ, timingsMs: [] }, LIVE);
    expect(invalid).toMatchObject({ indexState: 'invalid', usesIndex: false, hints: ['t_b_idx is invalid, so the planner ignores it: reconcile apply rebuilds it'] });
    const missing = evaluateCheck(check('t_nope', 'SELECT * FROM t'), { kind: 'explained', plan: SEQ_SCAN, timingsMs: [] }, LIVE);
    expect(missing).toMatchObject({ indexState: 'missing', usesIndex: false, hints: ['t_nope does not exist: reconcile apply creates it'] });
    const unanalyzed = evaluateCheck(check('fresh_id', 'SELECT * FROM fresh', { table: 'fresh' }), { kind: 'explained', plan: SEQ_SCAN, timingsMs: [] }, LIVE);
    expect(unanalyzed.hints).toEqual([
      'fresh_id does not exist: reconcile apply creates it',
      'public.fresh was never analyzed, so the planner guesses its size: run ANALYZE public.fresh',
    ]);
  });

  it('holds p95 to the budget: at the budget passes, above it fails', () => {
    const plan = { kind: 'explained' as const, plan: INIT_PLAN, timingsMs: [3, 1, 2, 5, 4] };
    const at = evaluateCheck(check('t_pkey', 'SELECT 1', { p95Ms: 5 }), plan, LIVE);
    expect(at.timing).toEqual({ runs: 5, p50Ms: 3, p95Ms: 5, budgetMs: 5, overBudget: false });
    const over = evaluateCheck(check('t_pkey', 'SELECT 1', { p95Ms: 4.5 }), plan, LIVE);
    expect(over.timing).toEqual({ runs: 5, p50Ms: 3, p95Ms: 5, budgetMs: 4.5, overBudget: true });
    const none = evaluateCheck(check('t_pkey', 'SELECT 1'), plan, LIVE);
    expect(none.timing).toEqual({ runs: 5, p50Ms: 3, p95Ms: 5, overBudget: false });
  });

  it('keeps what PostgreSQL said when the query could not run', () => {
    const result = evaluateCheck(
      check('t_pkey', 'SELECT write_something()'),
      { kind: 'failed', message: 'cannot execute INSERT in a read-only transaction', code: '25006' },
      LIVE,
    );
    expect(result).toMatchObject({ usesIndex: false, error: { message: 'cannot execute INSERT in a read-only transaction', code: '25006' } });
    expect(result.reads).toBeUndefined();
  });
});

describe('explainMethod: how check runs a query with $n parameters', () => {
  const v18 = { analyze: false, serverVersionNum: 180004 };
  const v15 = { analyze: false, serverVersionNum: 150018 };
  it('binds the params it has (none for a query without $n), on every version', () => {
    expect(explainMethod({ parameters: 0 }, v15)).toEqual({ kind: 'bound', params: [] });
    expect(explainMethod({ parameters: 2, params: [42, 'x'] }, v15)).toEqual({ kind: 'bound', params: [42, 'x'] });
    expect(explainMethod({ parameters: 2, params: [42, null] }, { ...v15, analyze: true })).toEqual({ kind: 'bound', params: [42, null] });
  });

  it('without params: a generic plan on 16+, and a reason to add them before 16 or to time the query', () => {
    expect(explainMethod({ parameters: 1 }, v18)).toEqual({ kind: 'generic' });
    expect(explainMethod({ parameters: 1 }, { analyze: false, serverVersionNum: 160000 })).toEqual({ kind: 'generic' });
    expect(explainMethod({ parameters: 1 }, v15)).toEqual({
      kind: 'unplannable',
      message:
        'the query uses $1 but has no params, and PostgreSQL 15 cannot plan it without values (EXPLAIN GENERIC_PLAN needs 16): add params: [...] to it with a value for each, as the application sends them',
    });
    expect(explainMethod({ parameters: 3 }, { ...v18, analyze: true })).toEqual({
      kind: 'unplannable',
      message: 'the query uses $1…$3 but has no params, and EXPLAIN ANALYZE must run it with values: add params: [...] to it with a value for each, as the application sends them',
    });
  });

  it('shows the params in every output, and says when a plan is generic', () => {
    const bound = evaluateCheck(
      check('t_pkey', 'SELECT * FROM t WHERE id = $1 AND a = $2', { parameters: 2, params: [7, 'it\'s "x"\n'] }),
      { kind: 'explained', plan: INIT_PLAN, timingsMs: [] },
      LIVE,
    );
    const generic = evaluateCheck(check('t_pkey', 'SELECT * FROM t WHERE id = $1', { parameters: 1 }), { kind: 'explained', plan: SEQ_SCAN, timingsMs: [], generic: true }, LIVE);
    const report = checkReport('indexes.yaml', { analyze: false, runs: 5, searchPath: 'public' }, [bound, generic]);
    expect(renderCheckText(report, PLAIN).split('\n').slice(2, -3)).toEqual([
      'public.t',
      '  ✓ t_pkey  uses it: Index Scan using t_pkey on t, Index Only Scan using t_b_idx on t',
      '      SELECT * FROM t WHERE id = $1 AND a = $2',
      '      params [7, "it\'s \\"x\\"\\n"]',
      '  ✗ t_pkey  not used; the plan reads Seq Scan on scraped_content',
      '      SELECT * FROM t WHERE id = $1',
      "      a generic plan, made without values for $1: give params to see the plan the application's values get",
      '      declared at indexes.yaml:12:11',
    ]);
    expect(renderCheckMarkdown(report).split('\n').slice(8, 10)).toEqual([
      '| ✓ | `public.t` | `t_pkey` | `SELECT * FROM t WHERE id = $1 AND a = $2` params `[7, "it\'s \\"x\\"\\n"]` | yes | Index Scan using t_pkey on t, Index Only Scan using t_b_idx on t |',
      '| ✗ | `public.t` | `t_pkey` | `SELECT * FROM t WHERE id = $1` | **no** | Seq Scan on scraped_content |',
    ]);
    const document = checkDocument(report) as { queries: { params: unknown; genericPlan: boolean }[] };
    expect(document.queries.map((q) => [q.params, q.genericPlan])).toEqual([
      [[7, 'it\'s "x"\n'], false],
      [null, true],
    ]);
  });
});

describe('declaredChecks', () => {
  it('lists every declared query with its index and budget, in manifest order', () => {
    const q = (sql: string, p95Ms?: number) => ({ sql, parameters: 0, ...(p95Ms === undefined ? {} : { p95Ms }), source: source('q') });
    const desired = desiredState([
      desiredTable('t', [desiredIndex('t', 't_a', { queries: [q('SELECT 1', 50), q('SELECT 2')] }), desiredIndex('t', 't_b')]),
      desiredTable('u', [desiredIndex('u', 'u_a', { queries: [q('SELECT 3')] })]),
    ]);
    expect(declaredChecks(desired).map((c) => [c.table, c.index, c.sql, c.p95Ms])).toEqual([
      ['t', 't_a', 'SELECT 1', 50],
      ['t', 't_a', 'SELECT 2', undefined],
      ['u', 'u_a', 'SELECT 3', undefined],
    ]);
  });
});

describe('check output', () => {
  const results = [
    evaluateCheck(check('Weird Idx', "SELECT * FROM t\n  WHERE lower(a) = 'v5' OR id = 3", { p95Ms: 50 }), { kind: 'explained', plan: BITMAP_OR, timingsMs: [0.5, 0.25, 0.75, 0.5, 1.25] }, LIVE),
    evaluateCheck(check('t_b_idx', 'SELECT count(*) FROM t WHERE b = 3', { p95Ms: 1000 }), { kind: 'explained', plan: PARALLEL_SEQ, timingsMs: [1, 1, 1, 1, 1] }, LIVE),
    evaluateCheck(check('t_pkey', 'SELECT pg_sleep(0.05) FROM t WHERE id = 1', { p95Ms: 10 }), { kind: 'explained', plan: INIT_PLAN, timingsMs: [51, 52, 53, 54, 55.5] }, LIVE),
  ];
  const report = checkReport('indexes.yaml', { analyze: true, runs: 5, searchPath: '"$user", public' }, results);

  it('prints each query with its verdict and timings, and a closing line', () => {
    expect(checkPassed(report)).toBe(false);
    expect(renderCheckText(report, PLAIN)).toBe(
      [
        'Queries declared in indexes.yaml, run under EXPLAIN ANALYZE, 5 timed runs each after one warm-up (planning + execution time on the server) with search_path "$user", public, read-only and rolled back.',
        '',
        'public.t',
        '  ✓ Weird Idx  uses it: Bitmap Index Scan using Weird Idx on t, Bitmap Index Scan using t_pkey on t',
        "      SELECT * FROM t WHERE lower(a) = 'v5' OR id = 3",
        '      p50 0.50ms, p95 1.25ms over 5 runs; budget 50ms',
        '  ✗ t_b_idx  not used; the plan reads Parallel Seq Scan on t',
        '      SELECT count(*) FROM t WHERE b = 3',
        '      p50 1.00ms, p95 1.00ms over 5 runs; budget 1s',
        '      t_b_idx is invalid, so the planner ignores it: reconcile apply rebuilds it',
        '      declared at indexes.yaml:12:11',
        '  ✗ t_pkey  uses it: Index Scan using t_pkey on t, Index Only Scan using t_b_idx on t',
        '      SELECT pg_sleep(0.05) FROM t WHERE id = 1',
        '      p50 53.0ms, p95 55.5ms over 5 runs: over the 10ms budget',
        '      declared at indexes.yaml:12:11',
        '',
        '3 queries: 2 use their index, 1 does not; 1 over budget.',
        '',
      ].join('\n'),
    );
  });

  it('says 1 uses its index, leaves out budgets without --analyze, and counts failures', () => {
    const one = checkReport('indexes.yaml', { analyze: false, runs: 5, searchPath: 'public' }, [results[0]!]);
    expect(checkSummaryLine(one)).toBe('1 query: 1 uses its index, 0 do not.');
    const failed = evaluateCheck(check('t_pkey', 'SELECT w()'), { kind: 'failed', message: 'boom', code: '25006' }, LIVE);
    expect(checkSummaryLine(checkReport('i.yaml', { analyze: false, runs: 5 }, [results[0]!, results[1]!, failed]))).toBe(
      '3 queries: 1 uses its index, 1 does not, 1 failed to run.',
    );
    expect(checkSummaryLine(checkReport('i.yaml', { analyze: false, runs: 5 }, []))).toBe(
      'No queries declared in i.yaml: add queries: to an index to have check run them.',
    );
  });

  it('formats query times to two significant places', () => {
    expect([0.0123, 0.5, 9.999, 12.34, 99.96, 123.4, 999.7, 1234].map(formatMs)).toEqual(['0.01ms', '0.50ms', '10.0ms', '12.3ms', '100ms', '123ms', '1.0s', '1.2s']);
  });

  it('writes a markdown table', () => {
    expect(renderCheckMarkdown(report).split('\n').slice(0, 10)).toEqual([
      '### Index check for `indexes.yaml`',
      '',
      '**3 queries: 2 use their index, 1 does not; 1 over budget.**',
      '',
      'Queries declared in indexes.yaml, run under EXPLAIN ANALYZE, 5 timed runs each after one warm-up (planning + execution time on the server) with search_path "$user", public, read-only and rolled back.',
      '',
      '| | table | index | query | uses index | plan reads | p50 | p95 | budget |',
      '|---|---|---|---|---|---|--:|--:|--:|',
      "| ✓ | `public.t` | `Weird Idx` | `SELECT * FROM t WHERE lower(a) = 'v5' OR id = 3` | yes | Bitmap Index Scan using Weird Idx on t, Bitmap Index Scan using t_pkey on t | 0.50ms | 1.25ms | 50ms |",
      '| ✗ | `public.t` | `t_b_idx` | `SELECT count(*) FROM t WHERE b = 3` | **no** | Parallel Seq Scan on t | 1.00ms | 1.00ms | 1s |',
    ]);
  });

  it('writes a stable JSON document', () => {
    const document = checkDocument(report) as { formatVersion: number; queries: unknown[]; summary: unknown };
    expect(document.formatVersion).toBe(1);
    expect(document.queries[2]).toEqual({
      table: { schema: 'public', name: 't' },
      index: 't_pkey',
      sql: 'SELECT pg_sleep(0.05) FROM t WHERE id = 1',
      source: { file: 'indexes.yaml', line: 12, column: 11, path: 'tables.t.indexes.t_pkey.queries[0]' },
      params: null,
      genericPlan: false,
      indexState: 'valid',
      usesIndex: true,
      planIndexes: ['t_pkey', 't_b_idx'],
      planScans: ['Index Scan using t_pkey on t', 'Index Only Scan using t_b_idx on t'],
      timing: { runs: 5, p50Ms: 53, p95Ms: 55.5, budgetMs: 10, overBudget: true },
      error: null,
      hints: [],
    });
    expect(document.summary).toEqual({ queries: 3, usingIndex: 2, notUsingIndex: 1, overBudget: 1, failed: 0, passed: false });
  });
});
