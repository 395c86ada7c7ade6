/*
 * What the plan finds on one declared table, before it decides anything: each declared index and each
 * live index of the table sorted into one case of a literal union. plan-table.ts turns each case into
 * actions, problems or nothing, in an exhaustive switch.
 */
import { definitionBody } from './definition-text.js';
import type { Problem } from './errors.js';
import { indexKey, type DesiredIndex, type DesiredTable, type LiveIndex } from './model.js';
import { indexPolicy, mayDeclare } from './policy.js';
import { isReindexLeftoverName, isTemporaryName } from './sql.js';

export type CanonicalForm = { readonly ok: true; readonly definition: string } | { readonly ok: false; readonly message: string };

export interface CanonicalForms {
  /** canon(desired), keyed by indexKey(schema, name). */
  readonly desired: ReadonlyMap<string, CanonicalForm>;
  /** canon(live) where re-feeding a live definition prints differently, keyed by indexKey. */
  readonly live: ReadonlyMap<string, string>;
}

type Running = NonNullable<LiveIndex['build']>;

/** A declared index, by what the database has under its name. */
export type DeclaredCase = { readonly index: DesiredIndex } & (
  | /** It failed a plan-time check, reported already: left out of the plan. */ { readonly kind: 'unchecked' }
  | { readonly kind: 'no-canonical-form' }
  | /** The server refused its definition. */ { readonly kind: 'refused'; readonly message: string }
  | /** A constraint, partitioned index or extension owns the live index of that name. */ { readonly kind: 'owned'; readonly reason: string }
  | { readonly kind: 'building'; readonly live: LiveIndex; readonly build: Running }
  | /** Foreign keys or the replica identity need it, and it is invalid or differs: it cannot be dropped to change it. */ {
      readonly kind: 'kept-changed';
      readonly live: LiveIndex;
      readonly reason: string;
      readonly change: 'invalid' | 'definition' | 'tablespace';
    }
  | /** Invalid on a plain table: dropped and built again. */ {
      readonly kind: 'invalid';
      readonly live: LiveIndex;
      readonly definition: string;
      /** What left it invalid, as far as its name and state tell. */
      readonly reason: string;
    }
  | /** Invalid on a partitioned table with the declared definition: an interrupted build, to be finished. */ {
      readonly kind: 'half-built';
      readonly live: LiveIndex;
      readonly definition: string;
    }
  | /** Invalid on a partitioned table, and declared differently now: built anew. */ {
      readonly kind: 'invalid-changed';
      readonly live: LiveIndex;
      readonly definition: string;
    }
  | { readonly kind: 'same'; readonly live: LiveIndex }
  | { readonly kind: 'comment-only'; readonly live: LiveIndex }
  | {
      readonly kind: 'changed';
      readonly live: LiveIndex;
      readonly definition: string;
      readonly change: 'definition' | 'tablespace';
    }
  | /** Missing under its name, but an undeclared index has its definition: renamed. */ { readonly kind: 'twin-for-rename'; readonly twin: LiveIndex }
  | { readonly kind: 'missing'; readonly definition: string }
);

/** A live index of the declared table that the manifest does not declare under its name. */
export type LiveCase = { readonly live: LiveIndex } & (
  | /** Declared under its name: its DeclaredCase says what happens. */ { readonly kind: 'declared' }
  | /** Taken over by a declared index's rename. */ { readonly kind: 'twin-for-rename' }
  | { readonly kind: 'owned' }
  | /** Foreign keys or the replica identity need it: never dropped. */ { readonly kind: 'kept' }
  | { readonly kind: 'building'; readonly build: Running }
  | /** Invalid, or under one of our temporary names: what an interrupted run left. */ { readonly kind: 'leftover'; readonly reason: string }
  | { readonly kind: 'prune' }
  | { readonly kind: 'unmanaged' }
);

/** What classification looks at besides the declared table and its live indexes. */
export interface ClassifyInputs {
  readonly canonical: CanonicalForms;
  /** Problems of single declared indexes, by name. */
  readonly failedChecks: ReadonlyMap<string, readonly Problem[]>;
  /** Declared name → the undeclared index a rename takes over. */
  readonly twins: ReadonlyMap<string, LiveIndex>;
  readonly partitioned: boolean;
}

export function sameDefinition(canonical: string, live: LiveIndex, canonicalLive: ReadonlyMap<string, string>): boolean {
  const wanted = definitionBody(canonical);
  if (wanted === definitionBody(live.definition)) return true;
  const refed = canonicalLive.get(indexKey(live.schema, live.name));
  return refed !== undefined && wanted === definitionBody(refed);
}

export function sameTablespace(desired: DesiredIndex, live: LiveIndex): boolean {
  return (desired.tablespace ?? undefined) === (live.tablespace ?? undefined);
}

export function classifyDeclared(index: DesiredIndex, existing: LiveIndex | undefined, inputs: ClassifyInputs): DeclaredCase {
  if (inputs.failedChecks.has(index.name)) return { index, kind: 'unchecked' };
  const form = inputs.canonical.desired.get(indexKey(index.schema, index.name));
  if (!form) return { index, kind: 'no-canonical-form' };
  if (!form.ok) return { index, kind: 'refused', message: form.message };
  const definition = form.definition;
  if (!existing) {
    const twin = inputs.twins.get(index.name);
    return twin ? { index, kind: 'twin-for-rename', twin } : { index, kind: 'missing', definition };
  }
  const live = existing;
  const policy = indexPolicy(live);
  if (policy.kind === 'owned') return { index, kind: 'owned', reason: policy.reason };
  if (!live.valid && live.build) return { index, kind: 'building', live, build: live.build };
  const placed = sameTablespace(index, live);
  const same = sameDefinition(definition, live, inputs.canonical.live) && placed;
  if (policy.kind === 'kept' && (!live.valid || !same)) {
    return { index, kind: 'kept-changed', live, reason: policy.reason, change: !live.valid ? 'invalid' : placed ? 'definition' : 'tablespace' };
  }
  if (!live.valid) {
    if (!inputs.partitioned) return { index, kind: 'invalid', live, definition, reason: invalidReason(live) };
    return { index, kind: same ? 'half-built' : 'invalid-changed', live, definition };
  }
  if (!same) return { index, kind: 'changed', live, definition, change: placed ? 'definition' : 'tablespace' };
  return { index, kind: (index.comment ?? undefined) !== (live.comment ?? undefined) ? 'comment-only' : 'same', live };
}

export function classifyLive(live: LiveIndex, table: DesiredTable, declaredNames: ReadonlySet<string>, claimed: ReadonlySet<string>): LiveCase {
  if (declaredNames.has(live.name)) return { live, kind: 'declared' };
  if (claimed.has(live.name)) return { live, kind: 'twin-for-rename' };
  const policy = indexPolicy(live);
  if (policy.kind === 'owned') return { live, kind: 'owned' };
  if (policy.kind === 'kept') return { live, kind: 'kept' };
  if (!live.valid && live.build) return { live, kind: 'building', build: live.build };
  if (!live.valid || isTemporaryName(live.name)) return { live, kind: 'leftover', reason: live.valid ? 'left by an interrupted replace' : invalidReason(live) };
  return { live, kind: table.prune ? 'prune' : 'unmanaged' };
}

function invalidReason(index: LiveIndex): string {
  // Citus: valid on the coordinator, but not on every shard.
  if (index.shardProblem !== undefined) return index.shardProblem;
  if (isTemporaryName(index.name)) return 'invalid: left by an interrupted replace';
  if (isReindexLeftoverName(index.name)) return 'invalid: left by an interrupted REINDEX CONCURRENTLY';
  return index.ready ? 'invalid: left by a concurrent build that failed or was cancelled' : 'invalid: left by a failed concurrent build';
}

/**
 * For each declared index missing under its name, the undeclared valid index of the table with the same
 * definition, which a rename takes over (each twin once, in manifest order).
 */
export function findTwins(
  table: DesiredTable,
  liveIndexes: readonly LiveIndex[],
  canonical: CanonicalForms,
  failedChecks: ReadonlyMap<string, readonly Problem[]>,
): Map<string, LiveIndex> {
  const declaredNames = new Set(table.indexes.map((index) => index.name));
  const onTable = liveIndexes.filter((index) => index.schema === table.schema && index.table === table.name);
  const present = new Set(onTable.map((index) => index.name));
  // Renaming does not drop: an index foreign keys or the replica identity rely on may be taken over too.
  const candidates = onTable.filter((index) => !declaredNames.has(index.name) && index.valid && !isTemporaryName(index.name) && mayDeclare(indexPolicy(index)));
  const twins = new Map<string, LiveIndex>();
  const claimed = new Set<string>();
  for (const index of table.indexes) {
    if (failedChecks.has(index.name) || present.has(index.name)) continue;
    const form = canonical.desired.get(indexKey(index.schema, index.name));
    if (!form?.ok) continue;
    const twin = candidates.find((candidate) => !claimed.has(candidate.name) && sameDefinition(form.definition, candidate, canonical.live) && sameTablespace(index, candidate));
    if (!twin) continue;
    claimed.add(twin.name);
    twins.set(index.name, twin);
  }
  return twins;
}
