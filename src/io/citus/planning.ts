/*
 * The Citus part of planning and status: reads what the coordinator knows of the declared tables and gives
 * the live state as the shards have it, the refusals Citus would make, and what to warn about. Nothing
 * changes on a database without Citus.
 */
import { citusWarnings, withCitus } from '../../core/citus/live.js';
import type { CitusState } from '../../core/citus/model.js';
import { citusRefusals, withCitusRefusals } from '../../core/citus/refusals.js';
import { indexKey, tableKey, type DesiredState, type LiveState } from '../../core/model.js';
import type { CanonicalForms } from '../../core/plan-classify.js';
import type { Session } from '../db.js';
import { readCitusState } from './catalog.js';

export interface CitusView {
  readonly citus?: CitusState;
  /** The live state with sizes, rows, scans and validity from the shards. */
  readonly live: LiveState;
  readonly refuse: (canonical: CanonicalForms) => CanonicalForms;
  readonly warnings: readonly string[];
}

function declaredKeys(desired: DesiredState): Set<string> {
  return new Set(desired.tables.flatMap((table) => table.indexes.map((index) => indexKey(index.schema, index.name))));
}

/**
 * For the plan, only declared indexes are judged by their shards (an undeclared one is warned about, never
 * dropped for it); for status, every index.
 */
export async function readCitusView(session: Session, desired: DesiredState, live: LiveState, judge: 'declared' | 'all'): Promise<CitusView> {
  const existing = desired.tables.filter((table) => live.tables.has(tableKey(table.schema, table.name)));
  const citus = existing.length === 0 ? undefined : await readCitusState(session, existing);
  if (!citus) return { live, refuse: (canonical) => canonical, warnings: [] };
  const declared = declaredKeys(desired);
  const refusals = citusRefusals(desired, citus);
  return {
    citus,
    live: withCitus(live, citus, { judge: judge === 'all' ? () => true : (index) => declared.has(indexKey(index.schema, index.name)) }),
    refuse: (canonical) => withCitusRefusals(canonical, refusals),
    warnings: citusWarnings(live, citus, declared),
  };
}
