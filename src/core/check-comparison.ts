/*
 * The guide's "diff performance_before.txt performance_after.txt", as data: each declared query's p95
 * before and after and the change, its budget verdict now, and a summary by the guide's categories
 * (common < 50 ms, search < 200 ms, analytics < 500 ms). Pure: both sides are baseline documents that
 * baselineMismatch has already accepted as the same database and the same queries.
 */
import { CATEGORY_BUDGET_MS, QUERY_CATEGORIES } from './check-categories.js';
import { queryKeys, type BaselineDocument, type BaselineQuery } from './check-baseline.js';
import type { QueryCategory } from './model.js';

/** A change within this share either way is reported as about the same: sub-millisecond timings jitter that much. */
export const SAME_WITHIN = 0.1;

export type Trend = 'faster' | 'slower' | 'same';

export type BudgetVerdict = 'within' | 'over' | 'none';

export interface QueryComparison {
  readonly before: BaselineQuery;
  /** The query as measured now, with the budget and category the manifest gives it now. */
  readonly after: BaselineQuery;
  /** (after p95 − before p95) / before p95; undefined when either side has no timing. */
  readonly change?: number;
  readonly trend?: Trend;
  readonly budget: BudgetVerdict;
  /** Now: it ran, uses its index and is within its budget (what `check` passes). */
  readonly passed: boolean;
}

export interface CategoryComparison {
  /** null: queries with no category (no budget, or one above 500 ms). */
  readonly category: QueryCategory | null;
  readonly budgetMs: number | null;
  readonly queries: number;
  readonly faster: number;
  readonly slower: number;
  readonly same: number;
  /** Queries without a timing on one side or the other. */
  readonly unmeasured: number;
  readonly medianChange: number | null;
  readonly worstBeforeMs: number | null;
  readonly worstAfterMs: number | null;
  /** The slowest p95 now against the category's budget; null when there is no budget or no timing. */
  readonly withinBudget: boolean | null;
}

export interface ComparisonSummary {
  readonly queries: number;
  readonly faster: number;
  readonly slower: number;
  readonly same: number;
  readonly unmeasured: number;
  readonly usingIndex: number;
  readonly overBudget: number;
  readonly failed: number;
  readonly passed: boolean;
}

export interface Comparison {
  /** The baseline file as given; undefined when both sides were measured in one run (apply --check). */
  readonly baselineFile?: string;
  readonly before: BaselineDocument;
  readonly after: BaselineDocument;
  readonly queries: readonly QueryComparison[];
  readonly categories: readonly CategoryComparison[];
  readonly summary: ComparisonSummary;
}

function budgetVerdict(query: BaselineQuery): BudgetVerdict {
  if (query.budgetMs === null || query.p95Ms === null) return 'none';
  return query.p95Ms > query.budgetMs ? 'over' : 'within';
}

function trendOf(change: number): Trend {
  if (change < -SAME_WITHIN) return 'faster';
  if (change > SAME_WITHIN) return 'slower';
  return 'same';
}

function compareQuery(before: BaselineQuery, after: BaselineQuery): QueryComparison {
  const budget = budgetVerdict(after);
  const passed = after.error === null && after.usesIndex && budget !== 'over';
  if (before.p95Ms === null || after.p95Ms === null || before.p95Ms <= 0) return { before, after, budget, passed };
  const change = (after.p95Ms - before.p95Ms) / before.p95Ms;
  return { before, after, change, trend: trendOf(change), budget, passed };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function worst(values: readonly (number | null)[]): number | null {
  const measured = values.filter((v): v is number => v !== null);
  return measured.length === 0 ? null : Math.max(...measured);
}

function count(queries: readonly QueryComparison[], trend: Trend): number {
  return queries.filter((q) => q.trend === trend).length;
}

function summariseCategory(category: QueryCategory | null, queries: readonly QueryComparison[]): CategoryComparison {
  const budgetMs = category === null ? null : CATEGORY_BUDGET_MS[category];
  const worstAfterMs = worst(queries.map((q) => q.after.p95Ms));
  return {
    category,
    budgetMs,
    queries: queries.length,
    faster: count(queries, 'faster'),
    slower: count(queries, 'slower'),
    same: count(queries, 'same'),
    unmeasured: queries.filter((q) => q.trend === undefined).length,
    medianChange: median(queries.flatMap((q) => (q.change === undefined ? [] : [q.change]))) ?? null,
    worstBeforeMs: worst(queries.map((q) => q.before.p95Ms)),
    worstAfterMs,
    withinBudget: budgetMs === null || worstAfterMs === null ? null : worstAfterMs <= budgetMs,
  };
}

/** Compares two measurements of the same queries on the same database (see baselineMismatch). */
export function compareBaselines(before: BaselineDocument, after: BaselineDocument, baselineFile?: string): Comparison {
  const beforeByKey = new Map(queryKeys(before.queries).map((key, i) => [key, before.queries[i]!]));
  const queries = queryKeys(after.queries).map((key, i) => {
    const measured = beforeByKey.get(key);
    if (measured === undefined) throw new Error(`the baseline has no query ${key}: compare only baselines that baselineMismatch accepts`);
    return compareQuery(measured, after.queries[i]!);
  });
  const groups: (QueryCategory | null)[] = [...QUERY_CATEGORIES, null];
  const categories = groups
    .map((category) => summariseCategory(category, queries.filter((q) => q.after.category === category)))
    .filter((c) => c.queries > 0);
  return {
    ...(baselineFile === undefined ? {} : { baselineFile }),
    before,
    after,
    queries,
    categories,
    summary: {
      queries: queries.length,
      faster: count(queries, 'faster'),
      slower: count(queries, 'slower'),
      same: count(queries, 'same'),
      unmeasured: queries.filter((q) => q.trend === undefined).length,
      usingIndex: queries.filter((q) => q.after.error === null && q.after.usesIndex).length,
      overBudget: queries.filter((q) => q.budget === 'over').length,
      failed: queries.filter((q) => q.after.error !== null).length,
      passed: queries.every((q) => q.passed),
    },
  };
}

/** The JSON document of `check --baseline --format json` (stable: `formatVersion: 1`). */
export function comparisonDocument(comparison: Comparison): unknown {
  return {
    formatVersion: 1,
    kind: 'check-comparison',
    manifest: comparison.after.manifest,
    baseline: { file: comparison.baselineFile ?? null, createdAt: comparison.before.createdAt, runs: comparison.before.runs },
    measuredAt: comparison.after.createdAt,
    runs: comparison.after.runs,
    database: comparison.after.database,
    queries: comparison.queries.map((q) => ({
      table: q.after.table,
      index: q.after.index,
      sql: q.after.sql,
      params: q.after.params,
      category: q.after.category,
      budgetMs: q.after.budgetMs,
      before: side(q.before),
      after: side(q.after),
      change: q.change ?? null,
      trend: q.trend ?? null,
      budget: q.budget,
      passed: q.passed,
    })),
    categories: comparison.categories,
    summary: comparison.summary,
  };
}

function side(query: BaselineQuery): unknown {
  return {
    runs: query.runs,
    p50Ms: query.p50Ms,
    p95Ms: query.p95Ms,
    planShape: query.planShape,
    planScans: query.planScans,
    usesIndex: query.usesIndex,
    indexState: query.indexState,
    error: query.error,
  };
}
