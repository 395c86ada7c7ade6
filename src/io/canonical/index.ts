/*
 * The canonicaliser: turns each desired index into the text PostgreSQL itself would print for it
 * (`pg_get_indexdef`), so that the plan compares like with like.
 *
 * Why build on temporary copies rather than compare parse trees or re-implement the rewrites:
 * - pg_get_indexdef rewrites what was written (casts added, IN lists turned into `= ANY (ARRAY[…])`,
 *   BETWEEN and LIKE expanded, defaults dropped, names qualified by search_path), and the rewrites
 *   depend on column types, operators, collations and the server version. Only the server knows them;
 *   parse trees of `status = 'active'` and its canonical form differ.
 * - `CREATE TEMP TABLE x (LIKE t)` copies the column types and collations, takes only ACCESS SHARE on
 *   the real table, and an index built on the empty copy costs next to nothing. Reading pg_get_indexdef
 *   of it and putting the real names back gave byte-equal output to the live index on every version.
 * - The build also validates, exactly as the real build will: unknown columns, opclasses, collations
 *   and access methods, non-IMMUTABLE functions, gin … DESC, INCLUDE on gin/brin, unique hash, a
 *   unique index on a partitioned table without the partition key. Those come back as per-index errors.
 * - Everything happens in a transaction that is rolled back, so nothing survives, whatever fails.
 *
 * Cost control: an index whose rendered statement is already exactly the live text needs no clone (the
 * fast path). A temporary copy's cost grows with its columns, and what pg_get_indexdef prints (and what
 * the build refuses) depends only on the columns the index uses (key, INCLUDE, and those its expressions
 * and predicate name) and on their type, modifier, collation and NOT NULL. So when the parser can list
 * those columns, a table's copy holds just the ones its indexes use, and every table where they are
 * defined the same way shares it, each statement built once: `(created_at) WHERE status = 'active'` on
 * a thousand tables is one small copy and one build. Otherwise (a whole-row or qualified reference, a
 * generated or system column, a column that does not exist, a materialized view or partitioned table)
 * the table is copied whole (`LIKE`), on its own. Copies go in batches of about 200, each one
 * transaction (each table and index takes a lock slot, and max_locks_per_transaction is shared), and all
 * batches go in one query string, their transactions one after another: with the query for the
 * columns' definitions, two round trips whatever the number of tables and indexes.
 * No savepoint per index (each would take an XID, and past 64 the subtransaction cache overflows): when
 * a statement fails, each batch is done again on its own, and the failing batch is replayed statement
 * by statement to find every failing index (a batch with shared or partial copies is first done again
 * with whole copies of each table, so that messages are exactly those of a copy of the table).
 *
 * Names: the manifest's unqualified names (functions, operators, types, opclasses, collations) resolve
 * through the resolution path (pg_catalog first, then settings.searchPath or the role's own search_path),
 * set for the builds; definitions are then read under search_path = pg_catalog, which prints every other
 * name qualified, as the live definitions are read: the same object compares equal however it was written.
 *
 * Where the parts live: which copies and statements, and the batches' text, in core/canonical-batches.ts;
 * the columns an index uses in core/fragment-columns.ts; running batches in ./batches.ts, reading column
 * definitions in ./columns.ts, rewording refusals in ./errors.ts.
 */
import {
  groupOntoCopies,
  PG_CATALOG_ONLY,
  refuseBeforeBuilding,
  toBatches,
  type BatchSettings,
  type CanonicalDefinition,
  type IndexToClone,
  type TableColumn,
} from '../../core/canonical-batches.js';
import { createIndexSql } from '../../core/sql.js';
import { definitionBody, normaliseStorageParameters, retargetDefinition } from '../../core/definition-text.js';
import { usedColumns } from '../../core/fragment-columns.js';
import { indexKey, tableKey, type DesiredState, type LiveState } from '../../core/model.js';
import type { ResolutionPath } from '../../core/search-path.js';
import type { Session } from '../db.js';
import { runBatch, runBatches } from './batches.js';
import { readColumns, type ColumnCache } from './columns.js';

export type { CanonicalDefinition } from '../../core/canonical-batches.js';


export interface CanonicalResults {
  /** Keyed by indexKey(schema, name), for desired indexes on tables that exist. */
  readonly desired: ReadonlyMap<string, CanonicalDefinition>;
  /**
   * canon(live), keyed by indexKey: for valid, not constraint-backed live indexes on declared tables
   * whose text matches no desired canonical definition on the same table.
   */
  readonly live: ReadonlyMap<string, string>;
  /** Queries sent to the server. */
  readonly roundTrips: number;
  /** Desired indexes settled without a build: their rendered statement is exactly the live text. */
  readonly fastPath: number;
  /** Indexes that needed a build on a temporary copy: desired ones, and live ones for canon(live). */
  readonly cloned: { readonly desired: number; readonly live: number };
  /** Temporary tables and indexes created for them (fewer when tables of one shape share a copy). */
  readonly copies: { readonly tables: number; readonly indexes: number };
}

export interface CanonicalOptions {
  /** How long `CREATE TEMP TABLE (LIKE t)` may wait for its ACCESS SHARE lock; default 3 s. */
  readonly lockTimeoutMs?: number;
  /** Resolves the manifest's unqualified names; default pg_catalog alone. */
  readonly resolutionPath?: ResolutionPath;
  readonly maxTablesPerBatch?: number;
  readonly maxIndexesPerBatch?: number;
  /**
   * Copy only the columns an index uses, shared by every table where they are defined the same way,
   * and build an identical statement once for all of them; default true. False: a whole copy of each
   * table, each index built on its own.
   */
  readonly shareCopies?: boolean;
  /**
   * Results shared with other databases alike (a fleet's targets): asked before building, told after.
   * See io/fleet/canonical-share.ts for what a result is keyed on.
   */
  readonly share?: CanonicalShare;
}

/** What a fleet shares between its targets' canonicalisations. */
export interface CanonicalShare {
  claim(session: Session, indexes: readonly IndexToClone[], live: LiveState, path: ResolutionPath): Promise<SharedClaim>;
}

export interface SharedClaim {
  /** The indexes this session builds: no other target has, or is building, them. */
  readonly build: readonly IndexToClone[];
  /** Told what was built (undefined: the build failed, and others build for themselves). */
  settle(results: ReadonlyMap<string, CanonicalDefinition> | undefined): void;
  /** The others' results by index key, once settled; missing ones this session builds itself. */
  known(): Promise<ReadonlyMap<string, CanonicalDefinition>>;
}

export const DEFAULT_CANONICAL_LOCK_TIMEOUT_MS = 3_000;
const DEFAULT_MAX_TABLES_PER_BATCH = 200;
const DEFAULT_MAX_INDEXES_PER_BATCH = 1_000;

/** The session, counting its round trips (reported by the plan's timing line). */
function countingSession(session: Session): { session: Session; roundTrips: () => number } {
  let roundTrips = 0;
  const counted: Session = {
    pid: session.pid,
    query: (sql, params) => {
      roundTrips += 1;
      return session.query(sql, params);
    },
    queryAll: (sql) => {
      roundTrips += 1;
      return session.queryAll(sql);
    },
    cancel: () => session.cancel(),
    end: () => session.end(),
    onError: (listener) => session.onError(listener),
  };
  return { session: counted, roundTrips: () => roundTrips };
}

interface DesiredSorted {
  /** Refusals, and the fast path: a live index of that name whose text is already what would be built. */
  readonly settled: Map<string, CanonicalDefinition>;
  readonly toClone: IndexToClone[];
  /** The declared tables that exist. */
  readonly declared: Set<string>;
}

/** 1. Desired indexes: what the server would not refuse, the fast path, else a build on a copy. */
function sortDesired(desired: DesiredState, live: LiveState): DesiredSorted {
  const settled = new Map<string, CanonicalDefinition>();
  const liveByKey = new Map(live.indexes.map((index) => [indexKey(index.schema, index.name), index] as const));
  const toClone: IndexToClone[] = [];
  const declared = new Set<string>();
  for (const desiredTable of desired.tables) {
    const liveTable = live.tables.get(tableKey(desiredTable.schema, desiredTable.name));
    if (!liveTable) continue;
    declared.add(tableKey(desiredTable.schema, desiredTable.name));
    for (const index of desiredTable.indexes) {
      const key = indexKey(index.schema, index.name);
      const refused = refuseBeforeBuilding(index, live);
      if (refused) {
        settled.set(key, { ok: false, message: refused });
        continue;
      }
      const rendered = createIndexSql(index, { concurrently: false, omitTablespace: true, only: liveTable.kind === 'partitioned' });
      const same = liveByKey.get(key);
      if (same?.table === index.table && same.definition === rendered) {
        settled.set(key, { ok: true, definition: normaliseStorageParameters(rendered) });
        continue;
      }
      toClone.push({
        key,
        schema: index.schema,
        name: index.name,
        table: index.table,
        sql: (name, tableSql) => createIndexSql(index, { concurrently: false, name, tableSql, omitTablespace: true }),
        columns: () => usedColumns(index),
      });
    }
  }
  return { settled, toClone, declared };
}

interface LiveSorted {
  /** canon(live) known without a build: only a boolean storage parameter's spelling differed. */
  readonly canonical: Map<string, string>;
  readonly toClone: IndexToClone[];
}

/** 2. canon(live) is needed only for the live indexes that match no desired canonical definition. */
function sortLive(desired: DesiredState, live: LiveState, results: ReadonlyMap<string, CanonicalDefinition>, declared: ReadonlySet<string>): LiveSorted {
  const bodies = new Map<string, Set<string>>();
  const tableOf = new Map<string, string>();
  for (const desiredTable of desired.tables) {
    for (const index of desiredTable.indexes) {
      const result = results.get(indexKey(index.schema, index.name));
      if (!result?.ok) continue;
      const table = tableKey(index.schema, index.table);
      tableOf.set(indexKey(index.schema, index.name), table);
      if (!bodies.has(table)) bodies.set(table, new Set());
      bodies.get(table)!.add(definitionBody(result.definition));
    }
  }
  const toClone: IndexToClone[] = [];
  const canonical = new Map<string, string>();
  for (const index of live.indexes) {
    const table = tableKey(index.schema, index.table);
    if (!declared.has(table) || !index.valid || index.constraint) continue;
    const key = indexKey(index.schema, index.name);
    const own = results.get(key);
    // Its own declaration decides when there is one; else any declared index on the table may match it.
    const matches = (definition: string): boolean | undefined => {
      const body = definitionBody(definition);
      return own?.ok && tableOf.get(key) === table ? definitionBody(own.definition) === body : bodies.get(table)?.has(body);
    };
    if (matches(index.definition)) continue;
    const normalised = normaliseStorageParameters(index.definition);
    if (normalised !== index.definition && matches(normalised)) {
      canonical.set(key, normalised);
      continue;
    }
    const sql = retargetDefinition(index.definition);
    if (sql) toClone.push({ key, schema: index.schema, name: index.name, table: index.table, sql });
  }
  return { canonical, toClone };
}

/**
 * Building with a fleet's share: what another target has built (or is building) is taken from it, the
 * rest is built here and told to the others; what a failed build of another left open is built here.
 */
async function cloneShared(
  session: Session,
  indexes: readonly IndexToClone[],
  live: LiveState,
  options: CanonicalOptions,
  share: CanonicalShare,
  build: (indexes: readonly IndexToClone[]) => Promise<Map<string, CanonicalDefinition>>,
): Promise<Map<string, CanonicalDefinition>> {
  const claim = await share.claim(session, indexes, live, options.resolutionPath ?? PG_CATALOG_ONLY);
  let built: Map<string, CanonicalDefinition>;
  try {
    built = await build(claim.build);
  } catch (error) {
    claim.settle(undefined);
    throw error;
  }
  claim.settle(built);
  for (const [key, result] of await claim.known()) if (!built.has(key)) built.set(key, result);
  for (const [key, result] of await build(indexes.filter((index) => !built.has(index.key)))) built.set(key, result);
  return built;
}

export async function canonicalise(
  session: Session,
  desired: DesiredState,
  live: LiveState,
  options: CanonicalOptions = {},
): Promise<CanonicalResults> {
  const counted = countingSession(session);
  const columns: ColumnCache = new Map();
  const copies = { tables: 0, indexes: 0 };
  const build = (indexes: readonly IndexToClone[]): Promise<Map<string, CanonicalDefinition>> =>
    indexes.length === 0 ? Promise.resolve(new Map()) : cloneAndRead(counted.session, indexes, live, options, columns, copies);
  const clone = (indexes: readonly IndexToClone[]): Promise<Map<string, CanonicalDefinition>> =>
    options.share && indexes.length > 0 ? cloneShared(counted.session, indexes, live, options, options.share, build) : build(indexes);

  const sorted = sortDesired(desired, live);
  const fastPath = [...sorted.settled.values()].filter((result) => result.ok).length;
  const results = new Map(sorted.settled);
  for (const [key, result] of await clone(sorted.toClone)) results.set(key, result);

  const liveSorted = sortLive(desired, live, results, sorted.declared);
  const liveCanonical = liveSorted.canonical;
  for (const [key, result] of await clone(liveSorted.toClone)) {
    // A live definition that does not build again has no canon(live): the plan compares with its text.
    if (result.ok) liveCanonical.set(key, result.definition);
  }
  return {
    desired: results,
    live: liveCanonical,
    roundTrips: counted.roundTrips(),
    fastPath,
    cloned: { desired: sorted.toClone.length, live: liveSorted.toClone.length },
    copies,
  };
}

/**
 * Builds each index on a temporary copy, in batches; results by index key. With shared copies (the
 * default), a table whose indexes' used columns are known gets a copy of just those columns, shared by
 * every table where they are defined the same way, and the same statement on it is built once for all;
 * the others get a whole copy of their own. A batch that fails is done again with whole copies and no
 * sharing, so that each failure is reported exactly as for a copy of its own table.
 */
async function cloneAndRead(
  session: Session,
  indexes: readonly IndexToClone[],
  live: LiveState,
  options: CanonicalOptions,
  columns: ColumnCache,
  copies: { tables: number; indexes: number },
): Promise<Map<string, CanonicalDefinition>> {
  const share = options.shareCopies !== false;
  const used = share ? await readColumns(session, indexes, live, columns) : new Map<string, readonly TableColumn[]>();
  const tables = groupOntoCopies(indexes, used, (key) => live.tables.get(key)?.kind ?? 'table', share);
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_CANONICAL_LOCK_TIMEOUT_MS;
  const run: BatchSettings = { lockTimeoutMs, path: options.resolutionPath ?? PG_CATALOG_ONLY };
  const batches = toBatches(
    tables,
    options.maxTablesPerBatch ?? DEFAULT_MAX_TABLES_PER_BATCH,
    options.maxIndexesPerBatch ?? DEFAULT_MAX_INDEXES_PER_BATCH,
  );
  const results = new Map<string, CanonicalDefinition>();
  const settle = (users: readonly IndexToClone[], byKey: ReadonlyMap<string, CanonicalDefinition>): void => {
    for (const user of users) {
      results.set(user.key, byKey.get(user.key) ?? { ok: false, message: 'The index was not built on the temporary copy.' });
    }
  };
  copies.tables += tables.length;
  copies.indexes += tables.reduce((n, table) => n + table.jobs.length, 0);
  // Every batch in one round trip; when a statement fails, each batch again on its own.
  const together = batches.length > 1 ? await runBatches(session, batches, run) : undefined;
  if (together) {
    settle(indexes, together);
    return results;
  }
  for (const batch of batches) {
    const users = batch.flatMap((table) => table.jobs.flatMap((job) => job.answersFor));
    const byKey =
      (await runBatch(session, batch, run)) ?? (await cloneAndRead(session, users, live, { ...options, shareCopies: false }, columns, copies));
    settle(users, byKey);
  }
  return results;
}