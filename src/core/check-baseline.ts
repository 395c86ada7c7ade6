/*
 * The guide's "performance_before.txt", as data: what `check --analyze --out before.json` saves (per query
 * p50, p95, runs, the plan's shape and the indexes it read) and when a saved baseline may be compared with
 * the queries measured now (`--baseline`). Both sides of a comparison are this document, so one made now
 * can itself be saved as the next baseline. schema/check-baseline.schema.json describes it.
 *
 * What identifies a baseline:
 * - the database: its name and the server's system identifier (`pg_control_system()`, the same on a
 *   primary and its streaming replicas, different on any other cluster, a restored dump included). A
 *   baseline from another database measured other data, so its times compare with nothing here.
 * - the manifest's declared queries: each query's table, index, SQL (whitespace aside) and params. Not
 *   the manifest's bytes: index definitions, budgets, categories and comments may change between before
 *   and after (changing an index and measuring again against the same baseline is the point).
 */
import { oneLine } from './text.js';
import { categoryOf } from './check-categories.js';
import type { CheckReport, CheckResult, DeclaredCheck, IndexState } from './explain.js';
import type { QueryCategory, QueryParam } from './model.js';

export const BASELINE_FORMAT_VERSION = 1;

export interface DatabaseIdentity {
  /** current_database() */
  readonly name: string;
  /** pg_control_system().system_identifier as text (a 64-bit number); null where the server does not say. */
  readonly systemIdentifier: string | null;
}

export interface BaselineDatabase extends DatabaseIdentity {
  readonly serverVersion: string;
}

export interface BaselineQuery {
  readonly table: { readonly schema: string; readonly name: string };
  readonly index: string;
  readonly sql: string;
  readonly params: readonly QueryParam[] | null;
  readonly category: QueryCategory | null;
  readonly budgetMs: number | null;
  /** Timed runs; 0 when the query could not run. */
  readonly runs: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly planShape: string | null;
  readonly planScans: readonly string[] | null;
  readonly planIndexes: readonly string[] | null;
  readonly usesIndex: boolean;
  readonly indexState: IndexState;
  readonly error: { readonly message: string; readonly code: string | null } | null;
}

export interface BaselineDocument {
  readonly formatVersion: typeof BASELINE_FORMAT_VERSION;
  readonly kind: 'check-baseline';
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** The manifest file as it was given. */
  readonly manifest: string;
  readonly database: BaselineDatabase;
  /** Timed runs asked for per query. */
  readonly runs: number;
  readonly searchPath: string | null;
  readonly queries: readonly BaselineQuery[];
}

/** Timings to the microsecond, as EXPLAIN prints them: a sum of planning and execution time carries float noise. */
function microseconds(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 1000) / 1000;
}

function baselineQuery(result: CheckResult): BaselineQuery {
  const { check, timing } = result;
  return {
    table: { schema: check.schema, name: check.table },
    index: check.index,
    sql: check.sql,
    params: check.params ?? null,
    category: categoryOf(check) ?? null,
    budgetMs: check.p95Ms ?? null,
    runs: timing?.runs ?? 0,
    p50Ms: microseconds(timing?.p50Ms),
    p95Ms: microseconds(timing?.p95Ms),
    planShape: result.shape ?? null,
    planScans: result.reads?.scans ?? null,
    planIndexes: result.reads?.indexes ?? null,
    usesIndex: result.usesIndex,
    indexState: result.indexState,
    error: result.error ? { message: result.error.message, code: result.error.code ?? null } : null,
  };
}

/** A `check --analyze` report as a baseline document. */
export function baselineDocument(report: CheckReport, made: { readonly createdAt: string; readonly database: BaselineDatabase }): BaselineDocument {
  return {
    formatVersion: BASELINE_FORMAT_VERSION,
    kind: 'check-baseline',
    createdAt: made.createdAt,
    manifest: report.manifestFile,
    database: made.database,
    runs: report.runs,
    searchPath: report.searchPath ?? null,
    queries: report.results.map(baselineQuery),
  };
}

/** What makes a declared query the same query before and after: where it is declared, its SQL and its values. */
export function queryIdentity(query: Pick<BaselineQuery, 'table' | 'index' | 'sql' | 'params'>): string {
  const params = query.params === null ? '' : ` params ${JSON.stringify(query.params)}`;
  return `${query.table.schema}.${query.table.name} ${query.index}: ${oneLine(query.sql)}${params}`;
}

/** Keys that tell repeated declarations of one query apart: the identity and its occurrence. */
export function queryKeys(queries: MeasurementIdentity['queries']): string[] {
  const seen = new Map<string, number>();
  return queries.map((query) => {
    const identity = queryIdentity(query);
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    return n === 1 ? identity : `${identity} (#${n})`;
  });
}

export interface BaselineMismatch {
  readonly cause: 'database' | 'queries';
  readonly reason: string;
}

function databaseText(database: DatabaseIdentity): string {
  const cluster = database.systemIdentifier === null ? '' : ` on the server with system identifier ${database.systemIdentifier}`;
  return `database ${JSON.stringify(database.name)}${cluster}`;
}

function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.name !== b.name) return false;
  return a.systemIdentifier === null || b.systemIdentifier === null || a.systemIdentifier === b.systemIdentifier;
}

/** What identifies the measurement to compare with: the database, and which queries (see queryIdentity). */
export interface MeasurementIdentity {
  readonly database: DatabaseIdentity;
  readonly queries: readonly Pick<BaselineQuery, 'table' | 'index' | 'sql' | 'params'>[];
}

/** The identity of the queries a manifest declares, before any of them runs. */
export function declaredIdentity(database: DatabaseIdentity, checks: readonly DeclaredCheck[]): MeasurementIdentity {
  return {
    database,
    queries: checks.map((check) => ({ table: { schema: check.schema, name: check.table }, index: check.index, sql: check.sql, params: check.params ?? null })),
  };
}

/**
 * Why `before` cannot be compared with `now`, or undefined when it can: another database, or other
 * declared queries (the first difference named, and how many there are).
 */
export function baselineMismatch(before: MeasurementIdentity, now: MeasurementIdentity, names: { readonly baseline: string; readonly manifest: string }): BaselineMismatch | undefined {
  if (!sameDatabase(before.database, now.database)) {
    return {
      cause: 'database',
      reason: `${names.baseline} was measured on another database: ${databaseText(before.database)}, and this is ${databaseText(now.database)}.`,
    };
  }
  const beforeKeys = queryKeys(before.queries);
  const nowKeys = queryKeys(now.queries);
  const had = new Set(beforeKeys);
  const has = new Set(nowKeys);
  const added = nowKeys.filter((key) => !had.has(key));
  const removed = beforeKeys.filter((key) => !has.has(key));
  const differences = added.length + removed.length;
  if (differences === 0) return undefined;
  const first = added.length > 0
    ? `${names.manifest} declares a query ${names.baseline} does not have: ${added[0]}`
    : `${names.baseline} has a query ${names.manifest} does not declare: ${removed[0]}`;
  const more = differences === 1 ? '' : ` (and ${differences - 1} more difference${differences === 2 ? '' : 's'})`;
  return { cause: 'queries', reason: `${names.baseline} was saved for other queries than ${names.manifest} declares: ${first}${more}.` };
}
