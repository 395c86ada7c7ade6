/*
 * The queries an index declares it serves (`queries:`), as `reconcile check` runs them: the statement
 * PostgreSQL's parser accepted, its parameters and values, its p95 budget and its category.
 */
import type { QueryInput } from './manifest-input.js';
import type { Locate, ManifestPath, Report } from './manifest-path.js';
import type { DeclaredQuery } from './model.js';
import type { QueryCheck } from './query-check.js';
import { parseDuration, UnitError } from './units.js';

export interface QueryContext {
  readonly locate: Locate;
  readonly report: Report;
  /** Each declared query's text as the parser checked it (checked in one batch for the manifest). */
  readonly queryChecks: ReadonlyMap<string, QueryCheck>;
}

export function buildQueries(given: readonly QueryInput[], path: ManifestPath, { locate, report, queryChecks }: QueryContext): DeclaredQuery[] {
  return given.map((query, i) => {
  const queryPath: ManifestPath = [...path, 'queries', i];
  const checked = queryChecks.get(query.sql) ?? {};
  if (checked.issue) {
    report([...queryPath, 'sql'], checked.issue.message, { offset: checked.issue.offset });
  }
  const parameters = checked.parameters ?? 0;
  if (query.params !== undefined && !checked.issue && query.params.length !== parameters) {
    report([...queryPath, 'params'], paramsMismatch(query.params.length, parameters));
  }
  let p95Ms: number | undefined;
  if (query.p95 !== undefined) {
    try {
      p95Ms = parseDuration(query.p95);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      report([...queryPath, 'p95'], error.message);
    }
  }
  return {
    sql: checked.sql ?? query.sql,
    parameters,
    ...(query.params === undefined ? {} : { params: query.params }),
    ...(p95Ms === undefined ? {} : { p95Ms }),
    ...(query.category === undefined ? {} : { category: query.category }),
    source: locate(queryPath),
  };
  });
}

/** Why a query's `params` do not fit its `$n` parameters: one value for each of `$1…$n`. */
export function paramsMismatch(given: number, parameters: number): string {
  const values = `${given} value${given === 1 ? '' : 's'}`;
  if (parameters === 0) return `params has ${values}, but the query uses no $n parameters: remove params, or write $1… in the query where the values go`;
  const wanted = parameters === 1 ? 'one value, for $1' : `${parameters} values, one for each of $1…$${parameters}`;
  return `params has ${values}, but the query uses parameters up to $${parameters}: give ${wanted}`;
}
