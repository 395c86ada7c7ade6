/*
 * The deployment guide's "Success Criteria" checklist, answered from what the tool measured: the
 * declared indexes (status), the plan after the apply, the query timings before and after (check
 * --baseline) and the index size budget. Each item says whether it was met, or why it was not checked.
 */
import { QUERY_CATEGORIES, CATEGORY_BUDGET_MS } from './check-categories.js';
import type { Comparison } from './check-comparison.js';
import type { QueryCategory } from './model.js';
import type { StatusReport } from './status.js';

export type CriterionVerdict = 'met' | 'not-met' | 'not-checked';

export interface Criterion {
  /** The guide's item, in its words where they still apply. */
  readonly item: string;
  readonly verdict: CriterionVerdict;
  /** What was measured, or why it could not be. */
  readonly detail: string;
}

export interface CriteriaFacts {
  readonly status: StatusReport;
  /** Whether `plan` found nothing left to do after the apply. */
  readonly inSync: boolean;
  readonly comparison?: Comparison;
}

const CATEGORY_TITLE: Readonly<Record<QueryCategory, string>> = { common: 'Common', search: 'Search', analytics: 'Analytics' };

function msText(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)}ms` : ms < 100 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

function plural(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

function indexesCreated({ status, inSync }: CriteriaFacts): Criterion {
  const declared = status.tables.reduce((sum, t) => sum + t.indexes.filter((i) => i.declared).length + t.missing.length, 0);
  const missing = status.summary.missingIndexes;
  const met = missing === 0 && status.summary.missingTables === 0 && inSync;
  const plan = inSync ? 'plan reports no changes' : 'plan still has changes';
  return { item: `All ${declared} declared indexes created successfully`, verdict: met ? 'met' : 'not-met', detail: `${declared - missing} of ${declared} exist; ${plan}` };
}

function noneInvalid({ status }: CriteriaFacts): Criterion {
  const invalid = status.summary.invalid;
  const tables = plural(status.tables.length, 'declared table', 'declared tables');
  return { item: 'No invalid indexes (pg_index.indisvalid)', verdict: invalid === 0 ? 'met' : 'not-met', detail: `${invalid} invalid on the ${tables}` };
}

function categoryCriterion(category: QueryCategory, comparison: Comparison | undefined): Criterion {
  const item = `${CATEGORY_TITLE[category]} queries < ${CATEGORY_BUDGET_MS[category]}ms p95`;
  const summary = comparison?.categories.find((c) => c.category === category);
  if (summary === undefined || summary.worstAfterMs === null) {
    return { item, verdict: 'not-checked', detail: comparison === undefined ? 'the queries were not timed' : `no ${category} query declared and timed` };
  }
  const before = summary.worstBeforeMs === null ? '' : ` (${msText(summary.worstBeforeMs)} before the indexes)`;
  return {
    item,
    verdict: summary.withinBudget ? 'met' : 'not-met',
    detail: `${plural(summary.queries, 'query', 'queries')}, slowest p95 ${msText(summary.worstAfterMs)}${before}`,
  };
}

function sizeBudget({ status }: CriteriaFacts): Criterion {
  if (status.budget === undefined) {
    return { item: 'Index size < budget share of table size', verdict: 'not-checked', detail: 'the manifest sets no budgets.indexToTableRatio' };
  }
  const item = `Index size < ${Math.round(status.budget * 100)}% of table size`;
  const over = status.tables.filter((t) => t.overBudget);
  if (over.length === 0) return { item, verdict: 'met', detail: `${status.tables.length} of ${plural(status.tables.length, 'table', 'tables')} within it` };
  const largest = [...over].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0]!;
  const share = largest.ratio === undefined ? '' : `, largest ${largest.schema}.${largest.name} at ${Math.round(largest.ratio * 100)}%`;
  return { item, verdict: 'not-met', detail: `${over.length} of ${plural(status.tables.length, 'table', 'tables')} over it${share}` };
}

function queriesPassing({ comparison }: CriteriaFacts): Criterion {
  const item = 'All performance tests passing';
  if (comparison === undefined) return { item, verdict: 'not-checked', detail: 'the queries were not timed' };
  const s = comparison.summary;
  const passing = comparison.queries.filter((q) => q.passed).length;
  return { item, verdict: s.passed ? 'met' : 'not-met', detail: `${passing} of ${s.queries} declared queries use their index within their p95 budget` };
}

export const ZERO_DOWNTIME: Criterion = {
  item: 'Zero downtime during deployment',
  verdict: 'not-checked',
  detail:
    'needs live traffic during the apply, which a demo has none of; apply is built for it: CREATE INDEX CONCURRENTLY, short retried lock timeouts for the brief statements, a failed build’s index dropped',
};

/** The guide's checklist in its order. */
export function successCriteria(facts: CriteriaFacts): Criterion[] {
  return [
    indexesCreated(facts),
    noneInvalid(facts),
    ...QUERY_CATEGORIES.map((category) => categoryCriterion(category, facts.comparison)),
    sizeBudget(facts),
    ZERO_DOWNTIME,
    queriesPassing(facts),
  ];
}
