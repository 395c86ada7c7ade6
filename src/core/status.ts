/*
 * Index health of the declared tables (`reconcile status`), computed from the desired state, the live
 * state and a few extra catalog facts (key columns, predicates, on-disk sizes, when statistics were
 * reset). Pure: the reads live in io/status-reader.ts.
 */
import { indexKey, tableKey, type ConstraintType, type DesiredState, type DesiredTable, type LiveIndex, type LiveState, type Maintenance, type TableKind } from './model.js';
import { bloatDocument, bloatOf, isBloated, type BloatFacts, type IndexBloat } from './bloat.js';
import { indexPolicy, isUnmanagedWhenUndeclared } from './policy.js';

/** One key column of a live index, as the catalog describes it. */
export interface LiveIndexKey {
  /** The column or expression, from `pg_get_indexdef(index, k, true)`. */
  readonly expression: string;
  /** Operator class name. */
  readonly opclass: string;
  /** Collation name; empty when the key has none. */
  readonly collation: string;
  /** `pg_index.indoption` bits (DESC, NULLS FIRST). */
  readonly options: number;
}

/** What an index covers: the facts redundancy is judged on. */
export interface LiveIndexShape {
  readonly keys: readonly LiveIndexKey[];
  /** INCLUDE columns. */
  readonly include: readonly string[];
  /** `pg_get_expr(indpred, indrelid, true)`; undefined for a full index. */
  readonly predicate?: string;
}

/** Catalog facts `status` needs beyond LiveState, keyed by `indexKey` / `tableKey`. */
export interface StatusFacts {
  /** When this database's statistics (and so idx_scan) were last reset; undefined: never. */
  readonly statsReset?: string;
  readonly shapes: ReadonlyMap<string, LiveIndexShape>;
  /** On-disk size of each index (`pg_relation_size`, leaves summed for a partitioned index). */
  readonly indexBytes: ReadonlyMap<string, number>;
  /** On-disk size of each table with its TOAST (`pg_table_size`, leaves summed when partitioned). */
  readonly tableBytes: ReadonlyMap<string, number>;
  /** Wasted space of the valid indexes (io/bloat-reader.ts). */
  readonly bloat?: BloatFacts;
}

/**
 * Flags in the order they are shown. `building`, `constraint` and `unmanaged` are informational;
 * `unmanaged` follows the declarable-index policy (core/policy.ts): undeclared, and the manifest's to adopt.
 */
export type IndexFlag = 'invalid' | 'building' | 'bloated' | 'redundant' | 'unused' | 'unmanaged' | 'constraint';

export const FLAG_ORDER: readonly IndexFlag[] = ['invalid', 'building', 'bloated', 'redundant', 'unused', 'unmanaged', 'constraint'];

export interface IndexStatus {
  readonly name: string;
  readonly declared: boolean;
  readonly valid: boolean;
  readonly method: string;
  readonly unique: boolean;
  /** Key columns or expressions; empty when the catalog could not say (the index went away meanwhile). */
  readonly keys: readonly string[];
  readonly include: readonly string[];
  readonly predicate?: string;
  readonly sizeBytes: number;
  /** Index size / table size; undefined when the table has no size yet. */
  readonly ratio?: number;
  readonly scans: number;
  readonly lastScan?: string;
  /** Wasted space, estimated or measured; undefined for an invalid index. */
  readonly bloat?: IndexBloat;
  /** `bloated`: past its table's maintenance.maxBloat and minBloatSize (plan reindexes it). */
  readonly flags: readonly IndexFlag[];
  /** The valid index that covers this one, when `redundant`. */
  readonly redundantTo?: string;
  readonly constraint?: { readonly name: string; readonly type: ConstraintType };
  readonly build?: { readonly pid: number; readonly phase: string };
}

export interface TableStatus {
  readonly schema: string;
  readonly name: string;
  /** The key as written in the manifest. */
  readonly key: string;
  readonly exists: boolean;
  readonly kind?: TableKind;
  readonly sizeBytes: number;
  /** Sum of the sizes of every index on the table, invalid ones included: they take space too. */
  readonly indexBytes: number;
  /** indexBytes / sizeBytes; undefined when the table has no size yet. */
  readonly ratio?: number;
  readonly overBudget: boolean;
  readonly indexes: readonly IndexStatus[];
  /** Declared indexes that do not exist (yet): `reconcile plan` would create them. */
  readonly missing: readonly string[];
}

export interface StatusSummary {
  readonly tables: number;
  readonly missingTables: number;
  readonly indexes: number;
  readonly invalid: number;
  readonly building: number;
  readonly redundant: number;
  readonly unused: number;
  readonly unmanaged: number;
  /** Declared indexes past their table's maintenance thresholds. */
  readonly bloated: number;
  readonly missingIndexes: number;
  readonly tablesOverBudget: number;
}

export interface StatusReport {
  readonly manifestFile: string;
  readonly serverVersion: string;
  readonly statsReset?: string;
  /** `budgets.indexToTableRatio`, when the manifest sets one. */
  readonly budget?: number;
  readonly tables: readonly TableStatus[];
  readonly summary: StatusSummary;
}

/** The categories `status --fail-on` can fail on. */
export type StatusCategory = 'budget' | 'invalid' | 'redundant' | 'unused' | 'bloat';

export const STATUS_CATEGORIES: readonly StatusCategory[] = ['budget', 'invalid', 'redundant', 'unused', 'bloat'];

/** How many of each category the report holds, in STATUS_CATEGORIES order, zeros left out. */
export function categoriesPresent(report: StatusReport): { readonly category: StatusCategory; readonly count: number }[] {
  const counts: Record<StatusCategory, number> = {
    budget: report.summary.tablesOverBudget,
    invalid: report.summary.invalid,
    redundant: report.summary.redundant,
    unused: report.summary.unused,
    bloat: report.summary.bloated,
  };
  return STATUS_CATEGORIES.filter((c) => counts[c] > 0).map((category) => ({ category, count: counts[category] }));
}

// ---- redundancy ----

export interface RedundancyCandidate {
  readonly index: LiveIndex;
  readonly shape: LiveIndexShape;
  readonly declared: boolean;
}

function sameKey(a: LiveIndexKey, b: LiveIndexKey): boolean {
  return a.expression === b.expression && a.opclass === b.opclass && a.collation === b.collation && a.options === b.options;
}

/**
 * Whether `wide` answers every lookup `narrow` answers: same access method, same predicate, and
 * `narrow`'s keys a leading prefix of `wide`'s (btree; other methods only when the keys are equal, since
 * a leading prefix means nothing to gin or brin), each key with the same opclass, collation and order,
 * and `narrow`'s INCLUDE columns among `wide`'s columns (so index-only scans still work).
 */
export function covers(wide: LiveIndexShape & { readonly method: string }, narrow: LiveIndexShape & { readonly method: string }): boolean {
  if (wide.method !== narrow.method) return false;
  if ((wide.predicate ?? null) !== (narrow.predicate ?? null)) return false;
  if (narrow.keys.length === 0 || narrow.keys.length > wide.keys.length) return false;
  if (wide.method !== 'btree' && narrow.keys.length !== wide.keys.length) return false;
  if (!narrow.keys.every((key, i) => sameKey(key, wide.keys[i]!))) return false;
  const wideColumns = new Set([...wide.keys.map((k) => k.expression), ...wide.include]);
  return narrow.include.every((column) => wideColumns.has(column));
}

/** An index enforces something (uniqueness, a constraint): it is never redundant, whatever else covers it. */
function enforces(index: LiveIndex): boolean {
  return index.unique || index.constraint !== undefined;
}

function isTwin(a: RedundancyCandidate, b: RedundancyCandidate): boolean {
  return covers({ ...a.shape, method: a.index.method }, { ...b.shape, method: b.index.method }) && a.shape.keys.length === b.shape.keys.length;
}

/** Of two identical indexes, the one to keep: a declared one, else the first by name. */
function keeps(a: RedundancyCandidate, b: RedundancyCandidate): boolean {
  if (a.declared !== b.declared) return a.declared;
  return a.index.name < b.index.name;
}

/** For each index on one table, the index that makes it redundant, if any. */
export function findRedundant(candidates: readonly RedundancyCandidate[]): Map<string, string> {
  const result = new Map<string, string>();
  const usable = candidates.filter((c) => c.index.valid && c.index.build === undefined);
  for (const narrow of usable) {
    if (enforces(narrow.index)) continue;
    const coverers = usable.filter((wide) => {
      if (wide === narrow) return false;
      if (!covers({ ...wide.shape, method: wide.index.method }, { ...narrow.shape, method: narrow.index.method })) return false;
      // Two identical plain indexes cover each other: only one of them is redundant.
      if (!enforces(wide.index) && isTwin(narrow, wide) && isTwin(wide, narrow) && keeps(narrow, wide)) return false;
      return true;
    });
    coverers.sort((a, b) => a.shape.keys.length - b.shape.keys.length || Number(b.declared) - Number(a.declared) || (a.index.name < b.index.name ? -1 : 1));
    const by = coverers[0];
    if (by) result.set(narrow.index.name, by.index.name);
  }
  return result;
}

// ---- the report ----

export function ratioOf(part: number, whole: number): number | undefined {
  return whole > 0 ? part / whole : undefined;
}

function indexStatus(
  index: LiveIndex,
  tableBytes: number,
  context: {
    readonly declared: ReadonlySet<string>;
    readonly redundant: ReadonlyMap<string, string>;
    readonly facts: StatusFacts;
    readonly maintenance: Maintenance | undefined;
  },
): IndexStatus {
  const { declared, redundant, facts, maintenance } = context;
  const shape = facts.shapes.get(indexKey(index.schema, index.name));
  const size = facts.indexBytes.get(indexKey(index.schema, index.name)) ?? index.sizeBytes;
  const isDeclared = declared.has(index.name);
  const redundantTo = redundant.get(index.name);
  const flags = new Set<IndexFlag>();
  if (!index.valid) flags.add(index.build ? 'building' : 'invalid');
  const bloat = index.valid && facts.bloat ? bloatOf(facts.bloat, index) : undefined;
  if (isDeclared && bloat && maintenance?.maxBloat !== undefined && isBloated(bloat, maintenance.maxBloat, maintenance.minBloatBytes)) flags.add('bloated');
  if (redundantTo !== undefined) flags.add('redundant');
  // A unique index is used by every insert, which idx_scan does not count: zero scans says nothing.
  if (index.valid && index.scans === 0 && !enforces(index)) flags.add('unused');
  // Unmanaged means the manifest could adopt it: not an index a constraint, partitioned index or extension owns.
  if (!isDeclared && isUnmanagedWhenUndeclared(indexPolicy(index))) flags.add('unmanaged');
  if (index.constraint) flags.add('constraint');
  const ratio = ratioOf(size, tableBytes);
  return {
    name: index.name,
    declared: isDeclared,
    valid: index.valid,
    method: index.method,
    unique: index.unique,
    keys: shape ? shape.keys.map((k) => k.expression) : [],
    include: shape ? shape.include : [],
    ...(shape?.predicate === undefined ? {} : { predicate: shape.predicate }),
    sizeBytes: size,
    ...(ratio === undefined ? {} : { ratio }),
    scans: index.scans,
    ...(index.lastScan === undefined ? {} : { lastScan: index.lastScan }),
    ...(bloat === undefined ? {} : { bloat }),
    flags: FLAG_ORDER.filter((f) => flags.has(f)),
    ...(redundantTo === undefined ? {} : { redundantTo }),
    ...(index.constraint ? { constraint: index.constraint } : {}),
    ...(index.build ? { build: index.build } : {}),
  };
}

function tableStatus(table: DesiredTable, live: LiveState, facts: StatusFacts, budget: number | undefined): TableStatus {
  const liveTable = live.tables.get(tableKey(table.schema, table.name));
  const declared = new Set(table.indexes.map((i) => i.name));
  const identity = { schema: table.schema, name: table.name, key: table.key };
  if (!liveTable) {
    return { ...identity, exists: false, sizeBytes: 0, indexBytes: 0, overBudget: false, indexes: [], missing: table.indexes.map((i) => i.name) };
  }
  // Only the table's own indexes: a partition's child indexes are part of the partitioned index.
  const own = live.indexes.filter((i) => i.schema === table.schema && i.table === table.name);
  const sizeBytes = facts.tableBytes.get(tableKey(table.schema, table.name)) ?? liveTable.sizeBytes;
  const candidates: RedundancyCandidate[] = own.flatMap((index) => {
    const shape = facts.shapes.get(indexKey(index.schema, index.name));
    return shape ? [{ index, shape, declared: declared.has(index.name) }] : [];
  });
  const redundant = findRedundant(candidates);
  const indexes = own.map((index) => indexStatus(index, sizeBytes, { declared, redundant, facts, maintenance: table.maintenance }));
  const indexBytes = indexes.reduce((sum, i) => sum + i.sizeBytes, 0);
  const ratio = ratioOf(indexBytes, sizeBytes);
  const present = new Set(own.map((i) => i.name));
  return {
    ...identity,
    exists: true,
    kind: liveTable.kind,
    sizeBytes,
    indexBytes,
    ...(ratio === undefined ? {} : { ratio }),
    overBudget: budget !== undefined && ratio !== undefined && ratio > budget,
    indexes,
    missing: table.indexes.map((i) => i.name).filter((name) => !present.has(name)),
  };
}

export function computeStatus(desired: DesiredState, live: LiveState, facts: StatusFacts): StatusReport {
  const budget = desired.budgets.indexToTableRatio;
  const tables = desired.tables.map((table) => tableStatus(table, live, facts, budget));
  const all = tables.flatMap((t) => t.indexes);
  const count = (flag: IndexFlag): number => all.filter((i) => i.flags.includes(flag)).length;
  return {
    manifestFile: desired.file,
    serverVersion: live.serverVersion,
    ...(facts.statsReset === undefined ? {} : { statsReset: facts.statsReset }),
    ...(budget === undefined ? {} : { budget }),
    tables,
    summary: {
      tables: tables.length,
      missingTables: tables.filter((t) => !t.exists).length,
      indexes: all.length,
      invalid: count('invalid'),
      building: count('building'),
      redundant: count('redundant'),
      unused: count('unused'),
      unmanaged: count('unmanaged'),
      bloated: count('bloated'),
      missingIndexes: tables.reduce((sum, t) => sum + t.missing.length, 0),
      tablesOverBudget: tables.filter((t) => t.overBudget).length,
    },
  };
}

/** The JSON document of `status --format json` (stable: `formatVersion: 1`). */
export function statusDocument(report: StatusReport): unknown {
  return {
    formatVersion: 1,
    manifest: report.manifestFile,
    serverVersion: report.serverVersion,
    statsReset: report.statsReset ?? null,
    budget: report.budget === undefined ? null : { indexToTableRatio: report.budget },
    tables: report.tables.map((t) => ({
      schema: t.schema,
      name: t.name,
      exists: t.exists,
      kind: t.kind ?? null,
      sizeBytes: t.sizeBytes,
      indexBytes: t.indexBytes,
      ratio: t.ratio ?? null,
      overBudget: t.overBudget,
      indexes: t.indexes.map((i) => ({
        name: i.name,
        declared: i.declared,
        valid: i.valid,
        method: i.method,
        unique: i.unique,
        keys: i.keys,
        include: i.include,
        predicate: i.predicate ?? null,
        sizeBytes: i.sizeBytes,
        ratio: i.ratio ?? null,
        scans: i.scans,
        lastScan: i.lastScan ?? null,
        bloat: bloatDocument(i.bloat),
        flags: i.flags,
        redundantTo: i.redundantTo ?? null,
        constraint: i.constraint ?? null,
        build: i.build ?? null,
      })),
      missingIndexes: t.missing,
    })),
    summary: report.summary,
  };
}
