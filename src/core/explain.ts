/*
 * `reconcile check`, the pure part: what an EXPLAIN (FORMAT JSON) plan reads (which indexes, which
 * scans), percentiles of timed runs, and the verdict for each query an index declares it serves.
 */
import { indexKey, tableKey, type DesiredState, type LiveState, type QueryCategory, type QueryParam, type SourceRef } from './model.js';
import { planShape } from './plan-shape.js';

// ---- plan trees ----

/** The fields of a plan node we read; EXPLAIN prints many more. */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly 'Parallel Aware'?: boolean;
  readonly Plans?: readonly PlanNode[];
}

/** Node types that read an index; their "Index Name" is the index, unqualified and unquoted. */
export const INDEX_NODE_TYPES: ReadonlySet<string> = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

export interface PlanReads {
  /** Names of the indexes the plan reads, each once, in plan order. */
  readonly indexes: readonly string[];
  /** Each scan as EXPLAIN's text format would name it: `Seq Scan on t`, `Index Scan using i on t`. */
  readonly scans: readonly string[];
}

function isPlanNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null && typeof (value as { 'Node Type'?: unknown })['Node Type'] === 'string';
}

/** The root plan node of EXPLAIN (FORMAT JSON) output: `[{ "Plan": {…}, … }]`, or of one element of it. */
export function rootPlan(explain: unknown): PlanNode {
  const top = Array.isArray(explain) ? (explain[0] as unknown) : explain;
  const plan = (top as { Plan?: unknown } | null)?.Plan;
  if (!isPlanNode(plan)) throw new Error(`not EXPLAIN (FORMAT JSON) output: ${JSON.stringify(explain)?.slice(0, 200)}`);
  return plan;
}

/**
 * Walks the whole tree (init plans, sub plans, CTEs and appends are children too) and collects the
 * indexes and scans. A Bitmap Index Scan names no table: it reads for the Bitmap Heap Scan above it
 * (through BitmapAnd / BitmapOr), whose table it is named with.
 */
export function planReads(explain: unknown): PlanReads {
  const indexes: string[] = [];
  const scans: string[] = [];
  const visit = (node: PlanNode, heapRelation: string | undefined): void => {
    const type = node['Node Type'];
    const relation = node['Relation Name'] ?? (type === 'Bitmap Index Scan' ? heapRelation : undefined);
    const index = INDEX_NODE_TYPES.has(type) ? node['Index Name'] : undefined;
    if (index !== undefined && !indexes.includes(index)) indexes.push(index);
    if (type !== 'Bitmap Heap Scan' && (index !== undefined || node['Relation Name'] !== undefined)) {
      const parallel = node['Parallel Aware'] ? 'Parallel ' : '';
      const scan = `${parallel}${type}${index === undefined ? '' : ` using ${index}`}${relation === undefined ? '' : ` on ${relation}`}`;
      if (!scans.includes(scan)) scans.push(scan);
    }
    const below = type === 'Bitmap Heap Scan' ? node['Relation Name'] : heapRelation;
    for (const child of node.Plans ?? []) if (isPlanNode(child)) visit(child, below);
  };
  visit(rootPlan(explain), undefined);
  return { indexes, scans };
}

/**
 * Planning plus execution time of one EXPLAIN (ANALYZE, FORMAT JSON) run, in milliseconds: what the
 * server spent on the statement, without the network or the client.
 */
export function analyzedMs(explain: unknown): number {
  const top = (Array.isArray(explain) ? explain[0] : explain) as { 'Planning Time'?: unknown; 'Execution Time'?: unknown } | undefined;
  const planning = top?.['Planning Time'];
  const execution = top?.['Execution Time'];
  if (typeof execution !== 'number') throw new Error('not EXPLAIN (ANALYZE, FORMAT JSON) output: no "Execution Time"');
  return (typeof planning === 'number' ? planning : 0) + execution;
}

// ---- percentiles ----

/**
 * The nearest-rank percentile: the smallest value with at least `q` of the values at or below it. It
 * is always one of the measured values and never interpolates a faster time than was seen: with 5
 * runs, p95 is the slowest run and p50 the middle one.
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(q > 0 && q <= 1)) throw new Error(`percentile ${q} is not in (0, 1]`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

// ---- what check runs, and its verdicts ----

/** A query an index declares it serves, with where it was declared. */
export interface DeclaredCheck {
  readonly schema: string;
  readonly table: string;
  readonly index: string;
  readonly sql: string;
  /** The highest `$n` the query uses; 0 when none. */
  readonly parameters: number;
  /** Values for `$1…$n`, when the manifest gives them. */
  readonly params?: readonly QueryParam[];
  readonly p95Ms?: number;
  /** As the manifest names it; see check-categories for the category of a query that names none. */
  readonly category?: QueryCategory;
  readonly source: SourceRef;
}

export function declaredChecks(desired: DesiredState): DeclaredCheck[] {
  return desired.tables.flatMap((table) =>
    table.indexes.flatMap((index) =>
      index.queries.map((query) => ({
        schema: table.schema,
        table: table.name,
        index: index.name,
        sql: query.sql,
        parameters: query.parameters,
        ...(query.params === undefined ? {} : { params: query.params }),
        ...(query.p95Ms === undefined ? {} : { p95Ms: query.p95Ms }),
        ...(query.category === undefined ? {} : { category: query.category }),
        source: query.source,
      })),
    ),
  );
}

/** The first version whose EXPLAIN plans a query with `$n` parameters and no values (GENERIC_PLAN). */
export const GENERIC_PLAN_VERSION_NUM = 160000;

/**
 * How check runs a declared query: with its params bound (none when it has no `$n`), as a generic plan
 * (`$n` without values, PostgreSQL 16+, EXPLAIN only), or not at all, with the reason.
 */
export type ExplainMethod =
  | { readonly kind: 'bound'; readonly params: readonly QueryParam[] }
  | { readonly kind: 'generic' }
  | { readonly kind: 'unplannable'; readonly message: string };

function parameterList(parameters: number): string {
  return parameters === 1 ? '$1' : `$1…$${parameters}`;
}

export function explainMethod(
  check: Pick<DeclaredCheck, 'parameters' | 'params'>,
  options: { readonly analyze: boolean; readonly serverVersionNum: number },
): ExplainMethod {
  if (check.params !== undefined || check.parameters === 0) return { kind: 'bound', params: check.params ?? [] };
  const uses = `the query uses ${parameterList(check.parameters)} but has no params`;
  const add = 'add params: [...] to it with a value for each, as the application sends them';
  if (options.analyze) return { kind: 'unplannable', message: `${uses}, and EXPLAIN ANALYZE must run it with values: ${add}` };
  if (options.serverVersionNum < GENERIC_PLAN_VERSION_NUM) {
    const major = Math.floor(options.serverVersionNum / 10_000);
    return { kind: 'unplannable', message: `${uses}, and PostgreSQL ${major} cannot plan it without values (EXPLAIN GENERIC_PLAN needs 16): ${add}` };
  }
  return { kind: 'generic' };
}

/** What running one query gave: its plan (and timed runs with --analyze), or PostgreSQL's refusal. */
export type QueryOutcome =
  | {
      readonly kind: 'explained';
      readonly plan: unknown;
      readonly timingsMs: readonly number[];
      /** Planned without values for its `$n` parameters (EXPLAIN (GENERIC_PLAN)). */
      readonly generic?: boolean;
    }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string };

export type IndexState = 'valid' | 'invalid' | 'missing';

export interface Timing {
  readonly runs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly budgetMs?: number;
  readonly overBudget: boolean;
}

export interface CheckResult {
  readonly check: DeclaredCheck;
  readonly indexState: IndexState;
  /** Whether the plan reads the declared index (or, for a partitioned one, one of its partitions' indexes). */
  readonly usesIndex: boolean;
  readonly reads?: PlanReads;
  /** The plan in one line (see plan-shape), for comparing plans before and after. */
  readonly shape?: string;
  readonly timing?: Timing;
  /** The plan was made without values for the query's `$n` parameters. */
  readonly genericPlan: boolean;
  readonly error?: { readonly message: string; readonly code?: string };
  /** Why the planner may not use the index, when we can tell. */
  readonly hints: readonly string[];
}

export interface CheckSummary {
  readonly queries: number;
  readonly usingIndex: number;
  readonly notUsingIndex: number;
  readonly overBudget: number;
  readonly failed: number;
}

export interface CheckReport {
  readonly manifestFile: string;
  readonly analyze: boolean;
  readonly runs: number;
  /** The search_path the queries ran with; undefined when there was nothing to run. */
  readonly searchPath?: string;
  readonly results: readonly CheckResult[];
  readonly summary: CheckSummary;
}

/**
 * The names a plan may show for a declared index: itself, and for a partitioned index every index
 * attached below it (the plan scans the partitions' own indexes).
 */
export function indexFamily(live: LiveState, schema: string, name: string): Set<string> {
  const names = new Set([name]);
  const keys = new Set([indexKey(schema, name)]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const index of live.indexes) {
      const key = indexKey(index.schema, index.name);
      if (index.parentIndex !== undefined && keys.has(index.parentIndex) && !keys.has(key)) {
        keys.add(key);
        names.add(index.name);
        grew = true;
      }
    }
  }
  return names;
}

export function evaluateCheck(check: DeclaredCheck, outcome: QueryOutcome, live: LiveState): CheckResult {
  const index = live.indexes.find((i) => i.schema === check.schema && i.name === check.index && i.table === check.table);
  const indexState: IndexState = index === undefined ? 'missing' : index.valid ? 'valid' : 'invalid';
  const hints: string[] = [];
  if (indexState === 'missing') hints.push(`${check.index} does not exist: reconcile apply creates it`);
  if (indexState === 'invalid') hints.push(`${check.index} is invalid, so the planner ignores it: reconcile apply rebuilds it`);
  const table = live.tables.get(tableKey(check.schema, check.table));
  if (outcome.kind === 'failed') {
    return {
      check,
      indexState,
      usesIndex: false,
      genericPlan: false,
      error: { message: outcome.message, ...(outcome.code ? { code: outcome.code } : {}) },
      hints,
    };
  }
  const reads = planReads(outcome.plan);
  const family = indexFamily(live, check.schema, check.index);
  const usesIndex = reads.indexes.some((name) => family.has(name));
  const genericPlan = outcome.generic ?? false;
  if (genericPlan) {
    hints.push(`a generic plan, made without values for ${parameterList(check.parameters)}: give params to see the plan the application's values get`);
  }
  if (!usesIndex && table && table.estimatedRows === undefined) {
    hints.push(`${check.schema}.${check.table} was never analyzed, so the planner guesses its size: run ANALYZE ${check.schema}.${check.table}`);
  }
  let timing: Timing | undefined;
  if (outcome.timingsMs.length > 0) {
    const p95Ms = percentile(outcome.timingsMs, 0.95);
    timing = {
      runs: outcome.timingsMs.length,
      p50Ms: percentile(outcome.timingsMs, 0.5),
      p95Ms,
      ...(check.p95Ms === undefined ? {} : { budgetMs: check.p95Ms }),
      overBudget: check.p95Ms !== undefined && p95Ms > check.p95Ms,
    };
  }
  return { check, indexState, usesIndex, reads, shape: planShape(rootPlan(outcome.plan)), ...(timing ? { timing } : {}), genericPlan, hints };
}

export function checkReport(
  manifestFile: string,
  options: { readonly analyze: boolean; readonly runs: number; readonly searchPath?: string },
  results: readonly CheckResult[],
): CheckReport {
  return {
    manifestFile,
    analyze: options.analyze,
    runs: options.runs,
    ...(options.searchPath === undefined ? {} : { searchPath: options.searchPath }),
    results,
    summary: {
      queries: results.length,
      usingIndex: results.filter((r) => r.error === undefined && r.usesIndex).length,
      notUsingIndex: results.filter((r) => r.error === undefined && !r.usesIndex).length,
      overBudget: results.filter((r) => r.timing?.overBudget).length,
      failed: results.filter((r) => r.error !== undefined).length,
    },
  };
}

/** Exit 1 when an index is not used, a budget is exceeded or a query could not run. */
export function checkPassed(report: CheckReport): boolean {
  const s = report.summary;
  return s.notUsingIndex === 0 && s.overBudget === 0 && s.failed === 0;
}

/** The JSON document of `check --format json` (stable: `formatVersion: 1`). */
export function checkDocument(report: CheckReport): unknown {
  return {
    formatVersion: 1,
    manifest: report.manifestFile,
    analyze: report.analyze,
    runs: report.analyze ? report.runs : null,
    searchPath: report.searchPath ?? null,
    queries: report.results.map((r) => ({
      table: { schema: r.check.schema, name: r.check.table },
      index: r.check.index,
      sql: r.check.sql,
      params: r.check.params ?? null,
      genericPlan: r.genericPlan,
      source: { file: r.check.source.file, line: r.check.source.line, column: r.check.source.column, path: r.check.source.path },
      indexState: r.indexState,
      usesIndex: r.usesIndex,
      planIndexes: r.reads?.indexes ?? null,
      planScans: r.reads?.scans ?? null,
      timing: r.timing
        ? { runs: r.timing.runs, p50Ms: r.timing.p50Ms, p95Ms: r.timing.p95Ms, budgetMs: r.timing.budgetMs ?? null, overBudget: r.timing.overBudget }
        : null,
      error: r.error ? { message: r.error.message, code: r.error.code ?? null } : null,
      hints: r.hints,
    })),
    summary: { ...report.summary, passed: checkPassed(report) },
  };
}
