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
 */
import {
  indexKey,
  tableKey,
  type DesiredIndex,
  type DesiredState,
  type LiveState,
  type TableKind,
} from '../core/model.js';
import { parseSync } from 'libpg-query';
import { isSqlParserLoaded, loadSqlParser } from '../core/fragments.js';
import { createIndexSql, definitionBody, qualify, quoteLiteral } from '../core/sql.js';
import { isLockTimeout, lockTimeoutError, type TableName } from './catalog.js';
import type { Session } from './db.js';
import { describeResolutionPath, resolutionPath, searchPathValue, type ResolutionPath } from '../core/search-path.js';

export type CanonicalDefinition =
  | { readonly ok: true; readonly definition: string }
  | { readonly ok: false; readonly message: string; readonly code?: string };

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
}

export const DEFAULT_CANONICAL_LOCK_TIMEOUT_MS = 3_000;
const DEFAULT_MAX_TABLES_PER_BATCH = 200;
const DEFAULT_MAX_INDEXES_PER_BATCH = 1_000;

/** Prefix of the temporary tables and indexes; the number makes names unique within a call. */
const CLONE_PREFIX = 'reconcile_canon_';

/** An index to build on a temporary copy of its table. */
interface IndexToClone {
  /** indexKey of the real index: results are keyed by it. */
  readonly key: string;
  readonly schema: string;
  readonly name: string;
  readonly table: string;
  /** The CREATE INDEX statement for a given index name and (temporary) table reference. */
  readonly sql: (name: string, tableSql: string) => string;
  /** The table's columns the statement uses, sorted, when the parser can tell; undefined when not. */
  readonly columns?: () => readonly string[] | undefined;
}

interface CloneJob {
  /**
   * The indexes this build answers for: one, or (when copies are shared) every index with the same
   * statement on a table of the same shape.
   */
  readonly users: IndexToClone[];
  /** Name of the index on the copy. */
  readonly clone: string;
  readonly sql: string;
}

interface CloneTable {
  /** The table copied. */
  readonly schema: string;
  readonly name: string;
  /** Name of the temporary copy. */
  readonly clone: string;
  readonly sql: string;
  readonly jobs: CloneJob[];
  /** tableKeys of the tables whose indexes are built on this copy. */
  readonly members: Set<string>;
  /** A copy of some columns only (not `LIKE` the table). */
  readonly partial: boolean;
}

interface DefinitionRow {
  /** indexKey of the index the row answers for. */
  readonly key: string;
  readonly clone: string;
  readonly quoted_name: string;
  readonly quoted_table: string;
  readonly definition: string | null;
}

interface PgErrorLike {
  readonly code?: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export async function canonicalise(
  session: Session,
  desired: DesiredState,
  live: LiveState,
  options: CanonicalOptions = {},
): Promise<CanonicalResults> {
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
  const columns: ColumnCache = new Map();
  const copies = { tables: 0, indexes: 0 };
  const clone = (indexes: readonly IndexToClone[]): Promise<Map<string, CanonicalDefinition>> =>
    cloneAndRead(counted, indexes, live, options, columns, copies);

  // 1. Desired indexes: what the server would not refuse, the fast path, else a build on a copy.
  const results = new Map<string, CanonicalDefinition>();
  const liveByKey = new Map(live.indexes.map((index) => [indexKey(index.schema, index.name), index] as const));
  const toClone: IndexToClone[] = [];
  const declared = new Set<string>();
  let fastPath = 0;
  for (const desiredTable of desired.tables) {
    const liveTable = live.tables.get(tableKey(desiredTable.schema, desiredTable.name));
    if (!liveTable) continue;
    declared.add(tableKey(desiredTable.schema, desiredTable.name));
    for (const index of desiredTable.indexes) {
      const key = indexKey(index.schema, index.name);
      const refused = refuseBeforeBuilding(index, live);
      if (refused) {
        results.set(key, { ok: false, message: refused });
        continue;
      }
      const rendered = createIndexSql(index, { concurrently: false, omitTablespace: true, only: liveTable.kind === 'partitioned' });
      const same = liveByKey.get(key);
      if (same?.table === index.table && same.definition === rendered) {
        results.set(key, { ok: true, definition: normaliseStorageParameters(rendered) });
        fastPath += 1;
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
  for (const [key, result] of await clone(toClone)) results.set(key, result);

  // 2. canon(live) for the live indexes that match no desired canonical definition.
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
  const liveToClone: IndexToClone[] = [];
  const liveCanonical = new Map<string, string>();
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
      // Only the spelling of a boolean storage parameter differs: that spelling is canon(live), no build needed.
      liveCanonical.set(key, normalised);
      continue;
    }
    const sql = retargetDefinition(index.definition);
    if (sql) liveToClone.push({ key, schema: index.schema, name: index.name, table: index.table, sql });
  }
  for (const [key, result] of await clone(liveToClone)) {
    // A live definition that does not build again has no canon(live): the plan compares with its text.
    if (result.ok) liveCanonical.set(key, result.definition);
  }
  return { desired: results, live: liveCanonical, roundTrips, fastPath, cloned: { desired: toClone.length, live: liveToClone.length }, copies };
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
  const tables = new Map<string, CloneTable>();
  const jobs = new Map<string, CloneJob>();
  let counter = 0;
  for (const index of indexes) {
    const key = tableKey(index.schema, index.table);
    const partial = used.get(key);
    const group = partial ? `columns\u0000${partial.map((c) => `${c.quoted} ${c.key}`).join(', ')}` : `table\u0000${key}`;
    let table = tables.get(group);
    if (!table) {
      const clone = `${CLONE_PREFIX}t${++counter}`;
      const sql = partial ? partialTableSql(clone, partial) : cloneTableSql(index.schema, index.table, live.tables.get(key)?.kind ?? 'table', clone);
      table = { schema: index.schema, name: index.table, clone, sql, jobs: [], members: new Set(), partial: partial !== undefined };
      tables.set(group, table);
    }
    table.members.add(key);
    // The statement with fixed names stands for what is built: the same text builds the same index.
    const same = share ? `${table.clone}\u0000${index.sql(TEMPLATE_NAME, `pg_temp.${TEMPLATE_NAME}`)}` : undefined;
    const existing = same === undefined ? undefined : jobs.get(same);
    if (existing) {
      existing.users.push(index);
      continue;
    }
    const clone = `${CLONE_PREFIX}i${++counter}`;
    const job: CloneJob = { users: [index], clone, sql: index.sql(clone, `pg_temp.${table.clone}`) };
    table.jobs.push(job);
    if (same !== undefined) jobs.set(same, job);
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_CANONICAL_LOCK_TIMEOUT_MS;
  const run: BatchSettings = { lockTimeoutMs, path: options.resolutionPath ?? PG_CATALOG_ONLY };
  const batches = toBatches(
    [...tables.values()],
    options.maxTablesPerBatch ?? DEFAULT_MAX_TABLES_PER_BATCH,
    options.maxIndexesPerBatch ?? DEFAULT_MAX_INDEXES_PER_BATCH,
  );
  const results = new Map<string, CanonicalDefinition>();
  const settle = (users: readonly IndexToClone[], byKey: ReadonlyMap<string, CanonicalDefinition>): void => {
    for (const user of users) {
      results.set(user.key, byKey.get(user.key) ?? { ok: false, message: 'The index was not built on the temporary copy.' });
    }
  };
  copies.tables += tables.size;
  copies.indexes += [...tables.values()].reduce((n, table) => n + table.jobs.length, 0);
  // Every batch in one round trip; when a statement fails, each batch again on its own.
  const together = batches.length > 1 ? await runBatches(session, batches, run) : undefined;
  if (together) {
    settle(indexes, together);
    return results;
  }
  for (const batch of batches) {
    const users = batch.flatMap((table) => table.jobs.flatMap((job) => job.users));
    const byKey =
      (await runBatch(session, batch, run)) ?? (await cloneAndRead(session, users, live, { ...options, shareCopies: false }, columns, copies));
    settle(users, byKey);
  }
  return results;
}

/** A valid identifier no real name can be confused with: stands for the names in a statement. */
const TEMPLATE_NAME = `${CLONE_PREFIX}x`;

/** A column of a plain table, as a partial copy needs it. */
interface TableColumn {
  /** quote_ident(attname). */
  readonly quoted: string;
  /** format_type(atttypid, atttypmod): user types come schema-qualified under search_path pg_catalog. */
  readonly type: string;
  /** The qualified collation when it is not the type's own. */
  readonly collation: string | null;
  readonly not_null: boolean;
  readonly generated: boolean;
  /** Type, modifier, collation and NOT NULL by oid: equal keys, equal columns for an index. */
  readonly key: string;
}

/** By tableKey, then column name; null when a column is missing from the table (or not a plain table). */
type ColumnCache = Map<string, Map<string, TableColumn | null>>;

const COLUMNS_SQL = `
SELECT w.schema, w.tab, w.col, quote_ident(a.attname) AS quoted, format_type(a.atttypid, a.atttypmod) AS type,
  CASE WHEN a.attcollation <> ty.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
  a.attnotnull AS not_null, a.attgenerated <> '' AS generated,
  concat_ws(' ', a.atttypid, a.atttypmod, a.attcollation, a.attnotnull) AS key
FROM unnest($1::text[], $2::text[], $3::text[]) AS w(schema, tab, col)
JOIN pg_namespace n ON n.nspname = w.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tab AND c.relkind = 'r'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = w.col AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace`;

/**
 * For each plain table among `indexes`, the columns its indexes use together (by name), read from the
 * catalog (one query, for the columns not read yet): the columns of its partial copy, one per table at
 * most, so never more than a whole copy. A table is left out (copied whole) when one of its indexes
 * uses columns the parser cannot list, or a column that is missing or generated. Only when at least two
 * indexes need copies. Never fatal: without it, tables are copied whole.
 */
async function readColumns(
  session: Session,
  indexes: readonly IndexToClone[],
  live: LiveState,
  cache: ColumnCache,
): Promise<Map<string, readonly TableColumn[]>> {
  if (indexes.length < 2) return new Map();
  await loadSqlParser();
  const used = new Map<string, { schema: string; table: string; names: Set<string> } | null>();
  for (const index of indexes) {
    const key = tableKey(index.schema, index.table);
    if (used.get(key) === null) continue;
    const names = live.tables.get(key)?.kind === 'table' ? index.columns?.() : undefined;
    if (!names || names.length === 0) {
      used.set(key, null);
      continue;
    }
    let entry = used.get(key);
    if (!entry) used.set(key, (entry = { schema: index.schema, table: index.table, names: new Set() }));
    for (const name of names) entry.names.add(name);
  }
  const wanted: [string, string, string][] = [];
  for (const [key, entry] of used) {
    if (!entry) continue;
    let known = cache.get(key);
    if (!known) cache.set(key, (known = new Map()));
    for (const name of entry.names) {
      if (known.has(name)) continue;
      known.set(name, null);
      wanted.push([entry.schema, entry.table, name]);
    }
  }
  if (wanted.length > 0) {
    try {
      const { rows } = await session.query<TableColumn & { schema: string; tab: string; col: string }>(COLUMNS_SQL, [
        wanted.map((w) => w[0]),
        wanted.map((w) => w[1]),
        wanted.map((w) => w[2]),
      ]);
      for (const { schema, tab, col, ...column } of rows) cache.get(tableKey(schema, tab))?.set(col, column);
    } catch {
      // A partial copy is only a saving: without it, tables are copied whole.
      for (const [schema, tab] of wanted) cache.delete(tableKey(schema, tab));
    }
  }
  const result = new Map<string, readonly TableColumn[]>();
  for (const [key, entry] of used) {
    if (!entry) continue;
    const known = cache.get(key);
    const found = [...entry.names].sort().map((name) => known?.get(name));
    if (found.every((c): c is TableColumn => c !== undefined && c !== null && !c.generated)) result.set(key, found);
  }
  return result;
}

function partialTableSql(clone: string, columns: readonly TableColumn[]): string {
  const list = columns.map((c) => `${c.quoted} ${c.type}${c.collation ? ` COLLATE ${c.collation}` : ''}${c.not_null ? ' NOT NULL' : ''}`);
  return `CREATE TEMP TABLE ${clone} (${list.join(', ')})`;
}

/**
 * The columns an index uses, sorted: key columns, INCLUDE columns, and every column its expressions
 * and predicate name, as the parser reads them. Undefined when that cannot be told for sure: a
 * reference that is qualified or whole-row (`t.a`, `t.*`), or text the parser does not take as one
 * expression.
 */
function usedColumns(index: DesiredIndex): readonly string[] | undefined {
  if (!isSqlParserLoaded()) return undefined; // readColumns loads it
  const names = new Set<string>(index.include);
  for (const part of index.columns) {
    if (part.kind === 'column') {
      names.add(part.column);
      continue;
    }
    const refs = fragmentColumns(part.expression);
    if (!refs) return undefined;
    for (const name of refs) names.add(name);
  }
  if (index.where !== undefined) {
    const refs = fragmentColumns(index.where);
    if (!refs) return undefined;
    for (const name of refs) names.add(name);
  }
  return [...names].sort();
}

const fragmentColumnCache = new Map<string, readonly string[] | null>();

function fragmentColumns(fragment: string): readonly string[] | undefined {
  const cached = fragmentColumnCache.get(fragment);
  if (cached !== undefined) return cached ?? undefined;
  let found: readonly string[] | null = null;
  try {
    const tree = parseSync(`SELECT ${fragment}`) as { stmts?: unknown[] };
    if (tree.stmts?.length === 1) {
      const names = new Set<string>();
      found = collectColumnRefs(tree.stmts[0], names) ? [...names] : null;
    }
  } catch {
    found = null;
  }
  if (fragmentColumnCache.size >= 20_000) fragmentColumnCache.clear();
  fragmentColumnCache.set(fragment, found);
  return found ?? undefined;
}

/** Adds every ColumnRef's name under `node`; false when one is not a single plain name. */
function collectColumnRefs(node: unknown, names: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((item) => collectColumnRefs(item, names));
  if (node === null || typeof node !== 'object') return true;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'ColumnRef') {
      const fields = (value as { fields?: unknown[] }).fields ?? [];
      const only = fields.length === 1 ? (fields[0] as { String?: { sval?: unknown } }).String?.sval : undefined;
      if (typeof only !== 'string') return false;
      names.add(only);
      continue;
    }
    if (!collectColumnRefs(value, names)) return false;
  }
  return true;
}

/** What the server would accept silently or cannot be asked without building: refused here. */
function refuseBeforeBuilding(index: DesiredIndex, live: LiveState): string | undefined {
  if (index.nullsNotDistinct && live.serverVersionNum < 150000) {
    return `nullsNotDistinct needs PostgreSQL 15 or later (server is ${live.serverVersion})`;
  }
  if (index.nullsNotDistinct && !index.unique) {
    // PostgreSQL records and prints it on a non-unique index, where it means nothing.
    return 'nullsNotDistinct applies only to unique indexes: add unique: true or remove nullsNotDistinct';
  }
  return undefined;
}

function cloneTableSql(schema: string, name: string, kind: TableKind, clone: string): string {
  // INCLUDING GENERATED keeps generated columns generated (PostgreSQL 18 refuses indexes on virtual ones).
  const like = `LIKE ${qualify(schema, name)} INCLUDING GENERATED`;
  if (kind !== 'partitioned') return `CREATE TEMP TABLE ${clone} (${like})`;
  // A partitioned copy prints `ON ONLY` and refuses what the real one would (a unique index without the
  // partition key). Its partition key is known only to the server: build the statement there.
  const ref = quoteLiteral(qualify(schema, name));
  const body =
    `BEGIN EXECUTE format('CREATE TEMP TABLE ${clone} (LIKE %s INCLUDING GENERATED) PARTITION BY %s', ` +
    `${ref}::regclass, pg_get_partkeydef(${ref}::regclass)); END`;
  return `DO ${quoteLiteral(body)}`;
}

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s".]+)`;
const LIVE_HEAD = new RegExp(String.raw`^CREATE (UNIQUE )?INDEX ${IDENT} ON (ONLY )?${IDENT}\.${IDENT} USING `);

/** A live definition rewritten to build under another name on another table, or undefined if unparsable. */
function retargetDefinition(definition: string): IndexToClone['sql'] | undefined {
  const match = LIVE_HEAD.exec(definition);
  if (!match) return undefined;
  const rest = definition.slice(match[0].length);
  return (name, tableSql) => `CREATE ${match[1] ?? ''}INDEX ${name} ON ${match[2] ?? ''}${tableSql} USING ${rest}`;
}

const CLONE_HEAD = /^CREATE (UNIQUE )?INDEX (\S+) ON (ONLY )?\S+\.(\S+) USING /;

/** The clone's definition with the real index name and table put back (quoted by the server). */
function restoreNames(row: DefinitionRow, table: CloneTable): string {
  const definition = row.definition ?? '';
  const match = CLONE_HEAD.exec(definition);
  if (!match || match[2] !== row.clone || match[4] !== table.clone) {
    throw new Error(`unexpected definition of a temporary index: ${definition}`);
  }
  const head = `CREATE ${match[1] ?? ''}INDEX ${row.quoted_name} ON ${match[3] ?? ''}${row.quoted_table} USING `;
  return normaliseStorageParameters(head + definition.slice(match[0].length));
}

function toBatches(tables: readonly CloneTable[], maxTables: number, maxIndexes: number): CloneTable[][] {
  const batches: CloneTable[][] = [];
  let current: CloneTable[] = [];
  let indexes = 0;
  for (const table of tables) {
    if (current.length > 0 && (current.length >= maxTables || indexes + table.jobs.length > maxIndexes)) {
      batches.push(current);
      current = [];
      indexes = 0;
    }
    current.push(table);
    indexes += table.jobs.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

type Query = <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

// Classes of errors that say nothing about the index itself: connection, transaction state, deadlock
// or serialization, resources (lock slots), object in use / lock not available, cancel, system.
const ENVIRONMENT_CLASSES = new Set(['08', '25', '40', '53', '55', '57', '58', 'XX', 'F0']);

function isEnvironmental(error: unknown): boolean {
  const code = (error as PgErrorLike | null)?.code;
  return typeof code !== 'string' || ENVIRONMENT_CLASSES.has(code.slice(0, 2));
}

/**
 * A batch as one transaction: BEGIN; SET LOCAL lock_timeout; the copies and their indexes; one SELECT
 * of every definition; ROLLBACK.
 */
interface BatchText {
  readonly begin: string;
  readonly built: readonly { job: CloneJob; table: CloneTable }[];
  readonly sql: string;
  /** Results the server sends for it: BEGIN, SET LOCAL, the statements, the SELECT (next to last), ROLLBACK. */
  readonly results: number;
}

function batchText(batch: readonly CloneTable[], run: BatchSettings): BatchText {
  // The manifest's names resolve through the resolution path; definitions are read under pg_catalog
  // alone, which qualifies every other name, as the live definitions are read.
  const begin = `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(run.lockTimeoutMs))}; SET LOCAL search_path = ${searchPathValue(run.path)}`;
  const statements = batch.flatMap((table) => [table.sql, ...table.jobs.map((job) => job.sql)]);
  const built = batch.flatMap((table) => table.jobs.map((job) => ({ job, table })));
  const sql = [begin, ...statements, READ_QUALIFIED, definitionsSql(built.map((b) => b.job)), 'ROLLBACK'].join(';\n');
  return { begin, built, sql, results: statements.length + 6 };
}

/** Settings of every canonicalisation transaction. */
interface BatchSettings {
  readonly lockTimeoutMs: number;
  readonly path: ResolutionPath;
}

const PG_CATALOG_ONLY = resolutionPath([], 'settings.searchPath');

/** Before reading definitions: every name outside pg_catalog printed qualified. */
const READ_QUALIFIED = 'SET LOCAL search_path = pg_catalog';

/** The definitions the SELECT read, names restored, into `results` by index key. */
function recordDefinitions(results: Map<string, CanonicalDefinition>, rows: readonly DefinitionRow[], built: BatchText['built']): void {
  const byClone = new Map(built.map((b) => [b.job.clone, b.table] as const));
  for (const row of rows) {
    const table = byClone.get(row.clone)!;
    results.set(row.key, row.definition === null ? { ok: false, message: 'The index was not built on the temporary copy.' } : { ok: true, definition: restoreNames(row, table) });
  }
}

/**
 * Every batch in one round trip: their transactions one after another in one query string, so that
 * the round trips do not grow with the number of tables while each transaction holds the locks of one
 * batch only. When a statement fails, the server skips the rest of the string: the open transaction is
 * rolled back, and undefined asks for each batch to be done on its own (runBatch), which finds the
 * failing index. A lock timeout or a broken connection is reported at once.
 */
async function runBatches(session: Session, batches: readonly (readonly CloneTable[])[], run: BatchSettings): Promise<Map<string, CanonicalDefinition> | undefined> {
  const texts = batches.map((batch) => batchText(batch, run));
  const expected = texts.reduce((n, text) => n + text.results, 0);
  try {
    const answers = await session.queryAll(texts.map((text) => text.sql).join(';\n'));
    if (answers.length !== expected) throw new Error(`expected ${expected} results from canonicalisation batches, got ${answers.length}`);
    const results = new Map<string, CanonicalDefinition>();
    let at = 0;
    for (const text of texts) {
      at += text.results;
      recordDefinitions(results, answers[at - 2]!.rows as unknown as DefinitionRow[], text.built);
    }
    return results;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    if (!isEnvironmental(error)) return undefined;
    if (isLockTimeout(error)) {
      const tables = batches.flat().map((table): TableName => ({ schema: table.schema, name: table.name }));
      throw await lockTimeoutError(session, tables, 'Canonicalising index definitions', run.lockTimeoutMs);
    }
    throw error;
  }
}

/**
 * One batch on its own, one round trip (batchText sent as one string). When a statement fails, the
 * server skips the rest of the string (the ROLLBACK too) and leaves the transaction open and aborted:
 * it is rolled back, and the batch is replayed piece by piece to find every failing index; a batch with
 * shared or partial copies is not replayed here: undefined asks for it to be done again with whole
 * copies and no sharing. Returns results by index key.
 */
async function runBatch(session: Session, batch: readonly CloneTable[], run: BatchSettings): Promise<Map<string, CanonicalDefinition> | undefined> {
  const query: Query = async <R,>(sql: string, params?: readonly unknown[]) => (await session.query<R>(sql, params)).rows;
  const { begin, built: all, sql, results: count } = batchText(batch, run);
  const tables = batch.map((table): TableName => ({ schema: table.schema, name: table.name }));
  const results = new Map<string, CanonicalDefinition>();
  const record = (rows: readonly DefinitionRow[], built: BatchText['built']): void => recordDefinitions(results, rows, built);
  const fail = async (error: unknown): Promise<never> => {
    await query('ROLLBACK').catch(() => undefined);
    if (isLockTimeout(error)) throw await lockTimeoutError(session, tables, 'Canonicalising index definitions', run.lockTimeoutMs);
    throw error;
  };

  let failed: unknown;
  try {
    const answers = await session.queryAll(sql);
    if (answers.length !== count) throw new Error(`expected ${count} results from a canonicalisation batch, got ${answers.length}`);
    record(answers[count - 2]!.rows as unknown as DefinitionRow[], all);
    return results;
  } catch (error) {
    failed = error;
  }

  // The error path: extra round trips only here.
  const shared = batch.some((table) => table.partial || table.members.size > 1 || table.jobs.some((job) => job.users.length > 1));
  try {
    if (isEnvironmental(failed)) await fail(failed);
    await query('ROLLBACK');
    if (shared) return undefined;
    const byClone = new Map<string, CanonicalDefinition>();
    const names = new Map<string, string>();
    for (const table of batch) {
      names.set(table.clone, qualify(table.schema, table.name));
      for (const job of table.jobs) names.set(job.clone, job.users[0]!.name);
    }
    await replayOneByOne(query, batch, begin, byClone, names, fail, run.path);
    for (const { job } of all) {
      const result = byClone.get(job.clone);
      if (result) results.set(job.users[0]!.key, result);
    }
    const built = all.filter((b) => !byClone.has(b.job.clone));
    if (built.length > 0) {
      await query(READ_QUALIFIED);
      record(await query<DefinitionRow>(definitionsSql(built.map((b) => b.job))), built);
    }
  } finally {
    // Whatever happened, nothing of the batch survives and the session is usable again.
    await query('ROLLBACK').catch(() => undefined);
  }
  return results;
}

/**
 * The error path: rerun the batch table by table and, within a failing table, statement by statement,
 * recording each failure and restarting the transaction without it (replaying what succeeded).
 */
async function replayOneByOne(
  query: Query,
  batch: readonly CloneTable[],
  begin: string,
  results: Map<string, CanonicalDefinition>,
  names: ReadonlyMap<string, string>,
  fail: (error: unknown) => Promise<never>,
  path: ResolutionPath,
): Promise<void> {
  const done: string[] = [];
  const restart = async (error: unknown): Promise<void> => {
    await query('ROLLBACK');
    if (isEnvironmental(error)) await fail(error);
    await query([begin, ...done].join(';\n')).catch(fail);
  };
  await query(begin).catch(fail);
  for (const table of batch) {
    const statements = [table.sql, ...table.jobs.map((job) => job.sql)];
    try {
      await query(statements.join(';\n'));
      done.push(...statements);
      continue;
    } catch (error) {
      await restart(error);
    }
    try {
      await query(table.sql);
      done.push(table.sql);
    } catch (error) {
      await restart(error);
      const result = await failure(query, error, names, path);
      for (const job of table.jobs) results.set(job.clone, result);
      continue;
    }
    for (const job of table.jobs) {
      try {
        await query(job.sql);
        done.push(job.sql);
      } catch (error) {
        await restart(error);
        results.set(job.clone, await failure(query, error, names, path));
      }
    }
  }
}

/** One row per index a build answers for: its key, the build's definition and its own names, quoted. */
function definitionsSql(jobs: readonly CloneJob[]): string {
  const values = jobs
    .flatMap((job) => job.users.map((user) => `(${[user.key, job.clone, user.name, user.schema, user.table].map(quoteLiteral).join(', ')})`))
    .join(',\n  ');
  return `SELECT m.key, m.clone, quote_ident(m.name) AS quoted_name, quote_ident(m.schema) || '.' || quote_ident(m.tab) AS quoted_table,
  pg_get_indexdef(c.oid) AS definition
FROM (VALUES ${values}) AS m(key, clone, name, schema, tab)
LEFT JOIN pg_class c ON c.relname = m.clone AND c.relnamespace = pg_my_temp_schema()`;
}

const CLONE_NAME = new RegExp(String.raw`(?:pg_temp(?:_\d+)?\.)?${CLONE_PREFIX}[ti]\d+`, 'g');

/** PostgreSQL's message (with its detail and hint), our temporary names replaced by the real ones. */
async function failure(query: Query, error: unknown, names: ReadonlyMap<string, string>, path: ResolutionPath): Promise<CanonicalDefinition> {
  const e = error as PgErrorLike;
  const realNames = (text: string): string => text.replace(CLONE_NAME, (found) => names.get(found.replace(/^.*\./, '')) ?? found);
  const parts = [e.message, e.detail, (await qualifyHint(query, e, path)) ?? e.hint]
    .filter((part): part is string => Boolean(part))
    .map((part) => realNames(part).replace(/\.$/, ''));
  return { ok: false, message: parts.join('. '), ...(e.code ? { code: e.code } : {}) };
}

const UNQUALIFIED = [
  { pattern: /^function ([^.(\s]+)\(/, kind: 'function', catalog: `SELECT DISTINCT pronamespace::regnamespace::text AS schema FROM pg_proc WHERE proname = $1` },
  { pattern: /^operator class "([^".]+)" does not exist/, kind: 'operator class', catalog: `SELECT DISTINCT opcnamespace::regnamespace::text AS schema FROM pg_opclass WHERE opcname = $1` },
  { pattern: /^type "([^".]+)" does not exist/, kind: 'type', catalog: `SELECT DISTINCT typnamespace::regnamespace::text AS schema FROM pg_type WHERE typname = $1` },
  { pattern: /^collation "([^".]+)" for encoding "[^"]*" does not exist/, kind: 'collation', catalog: `SELECT DISTINCT collnamespace::regnamespace::text AS schema FROM pg_collation WHERE collname = $1` },
  // `operator does not exist: text % unknown` (types may contain spaces; the operator is the symbol)
  { pattern: /^operator does not exist: (?:.*? )?([+\-*/<>=~!@#%^&|`?]+)(?: |$)/, kind: 'operator', catalog: `SELECT DISTINCT oprnamespace::regnamespace::text AS schema FROM pg_operator WHERE oprname = $1` },
] as const;

/**
 * An unqualified name that does not resolve: say which search path was used, and where the name
 * exists, if anywhere.
 */
async function qualifyHint(query: Query, error: PgErrorLike, path: ResolutionPath): Promise<string | undefined> {
  if (error.code !== '42883' && error.code !== '42704') return undefined;
  for (const { pattern, kind, catalog } of UNQUALIFIED) {
    const name = pattern.exec(error.message)?.[1];
    if (name === undefined) continue;
    const schemas = (await query<{ schema: string }>(catalog, [name]).catch(() => []))
      .map((row) => row.schema)
      .filter((schema) => schema !== 'pg_catalog')
      .sort();
    const rule = `Unqualified names resolve through search_path ${describeResolutionPath(path)}`;
    const spell = (schema: string): string => (kind === 'operator' ? `OPERATOR(${schema}.${name})` : `${schema}.${name}`);
    if (schemas.length > 0) {
      return `${rule}; ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} of that name is in ${schemas.join(', ')}: add the schema to settings.searchPath, or write ${schemas.map(spell).join(' or ')}`;
    }
    return `${rule}${error.hint ? `. ${error.hint}` : ''}`;
  }
  return undefined;
}

// ---- storage parameters ----

// Boolean storage parameters of the built-in access methods. PostgreSQL prints them as written
// (`off`, `'false'`, `'0'` are the same setting); we print them as it prints `on` / `off`.
const BOOLEAN_PARAMETERS = new Set(['fastupdate', 'deduplicate_items', 'autosummarize']);

function parseBool(value: string): boolean | undefined {
  // PostgreSQL's parse_bool: case-insensitive, unique prefixes of true/false/yes/no, on/off, 1/0.
  const v = value.trim().toLowerCase();
  if (v.length === 0) return undefined;
  if ('true'.startsWith(v) || 'yes'.startsWith(v) || v === 'on' || v === '1') return true;
  if ('false'.startsWith(v) || 'no'.startsWith(v) || (v.length >= 2 && 'off'.startsWith(v)) || v === '0') return false;
  return undefined;
}

/** `name=value` items of a printed WITH list: raw text, name and unquoted value. */
function splitOptions(list: string): { raw: string; name: string; value: string }[] | undefined {
  const items: { raw: string; name: string; value: string }[] = [];
  const re = /([^=,\s]+)=(?:'((?:[^']|'')*)'|([^,'\s]*))(, |$)/y;
  let at = 0;
  while (at < list.length) {
    re.lastIndex = at;
    const match = re.exec(list);
    if (!match) return undefined;
    items.push({
      raw: match[0].slice(0, match[0].length - match[4]!.length),
      name: match[1]!,
      value: match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3]!,
    });
    at = re.lastIndex;
  }
  return items;
}

/** Finds the top-level ` WITH (` of a definition (outside quotes and parentheses). */
function withClause(definition: string): { start: number; end: number } | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < definition.length; i += 1) {
    const ch = definition[i]!;
    if (quote) {
      if (ch === quote) quote = undefined; // a doubled quote closes and reopens: same state
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (depth === 0 && definition.startsWith(' WITH (', i)) {
      const open = i + ' WITH '.length;
      let level = 0;
      let inQuote = false;
      for (let j = open; j < definition.length; j += 1) {
        const c = definition[j]!;
        if (inQuote) {
          if (c === "'") inQuote = false;
        } else if (c === "'") inQuote = true;
        else if (c === '(') level += 1;
        else if (c === ')' && --level === 0) return { start: open + 1, end: j };
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * Rewrites boolean storage parameters of the built-in access methods to one spelling, so that
 * `fastupdate=off` and `fastupdate='false'` compare equal. Everything else is left as printed.
 */
export function normaliseStorageParameters(definition: string): string {
  // Most definitions have no storage parameters: skip the scan.
  if (!definition.includes(' WITH (')) return definition;
  const clause = withClause(definition);
  if (!clause) return definition;
  const items = splitOptions(definition.slice(clause.start, clause.end));
  if (!items || !items.some((item) => BOOLEAN_PARAMETERS.has(item.name))) return definition;
  const printed = items.map(({ raw, name, value }) => {
    const bool = BOOLEAN_PARAMETERS.has(name) ? parseBool(value) : undefined;
    return bool === undefined ? raw : `${name}=${bool ? "'on'" : 'off'}`;
  });
  return definition.slice(0, clause.start) + printed.join(', ') + definition.slice(clause.end);
}
