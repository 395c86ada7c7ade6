/*
 * The canonicaliser's pure half: which temporary copies to make and which statements to build on them,
 * and the text of each batch. The server half (running batches, reading columns, rewording errors) is in
 * src/io/canonical/; why copies at all is explained there.
 */
import { tableKey, type DesiredIndex, type LiveState, type TableKind } from './model.js';
import { resolutionPath, searchPathValue, type ResolutionPath } from './search-path.js';
import { normaliseStorageParameters, parseDefinitionHead } from './definition-text.js';
import { qualify, quoteLiteral } from './sql.js';

export type CanonicalDefinition =
  | { readonly ok: true; readonly definition: string }
  | { readonly ok: false; readonly message: string; readonly code?: string };

/** Prefix of the temporary tables and indexes; the number makes names unique within a call. */
export const CLONE_PREFIX = 'reconcile_canon_';

/** An index to build on a temporary copy of its table. */
export interface IndexToClone {
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

export interface CloneJob {
  /**
   * The indexes this build answers for: one, or (when copies are shared) every index with the same
   * statement on a table of the same shape.
   */
  readonly answersFor: IndexToClone[];
  /** Name of the index on the copy. */
  readonly clone: string;
  readonly sql: string;
}

export interface CloneTable {
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

export interface DefinitionRow {
  /** indexKey of the index the row answers for. */
  readonly key: string;
  readonly clone: string;
  readonly quoted_name: string;
  readonly quoted_table: string;
  readonly definition: string | null;
}

/** A valid identifier no real name can be confused with: stands for the names in a statement. */
export const TEMPLATE_NAME = `${CLONE_PREFIX}x`;

/** A column of a plain table, as a partial copy needs it. */
export interface TableColumn {
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


export function partialTableSql(clone: string, columns: readonly TableColumn[]): string {
  const list = columns.map((c) => `${c.quoted} ${c.type}${c.collation ? ` COLLATE ${c.collation}` : ''}${c.not_null ? ' NOT NULL' : ''}`);
  return `CREATE TEMP TABLE ${clone} (${list.join(', ')})`;
}

/** What the server would accept silently or cannot be asked without building: refused here. */
export function refuseBeforeBuilding(index: DesiredIndex, live: LiveState): string | undefined {
  if (index.nullsNotDistinct && live.serverVersionNum < 150000) {
    return `nullsNotDistinct needs PostgreSQL 15 or later (server is ${live.serverVersion})`;
  }
  if (index.nullsNotDistinct && !index.unique) {
    // PostgreSQL records and prints it on a non-unique index, where it means nothing.
    return 'nullsNotDistinct applies only to unique indexes: add unique: true or remove nullsNotDistinct';
  }
  return undefined;
}

export function cloneTableSql(schema: string, name: string, kind: TableKind, clone: string): string {
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

/** The clone's definition with the real index name and table put back (quoted by the server). */
export function restoreNames(row: DefinitionRow, table: CloneTable): string {
  const definition = row.definition ?? '';
  const head = parseDefinitionHead(definition);
  if (!head || head.schema === undefined || head.name !== row.clone || head.table !== table.clone) {
    throw new Error(`unexpected definition of a temporary index: ${definition}`);
  }
  return normaliseStorageParameters(`CREATE ${head.unique ? 'UNIQUE ' : ''}INDEX ${row.quoted_name} ON ${head.only ? 'ONLY ' : ''}${row.quoted_table} USING ${head.rest}`);
}

export function toBatches(tables: readonly CloneTable[], maxTables: number, maxIndexes: number): CloneTable[][] {
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

/**
 * A batch as one transaction: BEGIN; SET LOCAL lock_timeout; the copies and their indexes; one SELECT
 * of every definition; ROLLBACK.
 */
export interface BatchText {
  readonly begin: string;
  readonly built: readonly { job: CloneJob; table: CloneTable }[];
  readonly sql: string;
  /** Results the server sends for it: BEGIN, SET LOCAL, the statements, the SELECT (next to last), ROLLBACK. */
  readonly results: number;
}

export function batchText(batch: readonly CloneTable[], run: BatchSettings): BatchText {
  // The manifest's names resolve through the resolution path; definitions are read under pg_catalog
  // alone, which qualifies every other name, as the live definitions are read.
  const begin = `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(run.lockTimeoutMs))}; SET LOCAL search_path = ${searchPathValue(run.path)}`;
  const statements = batch.flatMap((table) => [table.sql, ...table.jobs.map((job) => job.sql)]);
  const built = batch.flatMap((table) => table.jobs.map((job) => ({ job, table })));
  const sql = [begin, ...statements, READ_QUALIFIED, definitionsSql(built.map((b) => b.job)), 'ROLLBACK'].join(';\n');
  return { begin, built, sql, results: statements.length + 6 };
}

/** Settings of every canonicalisation transaction. */
export interface BatchSettings {
  readonly lockTimeoutMs: number;
  readonly path: ResolutionPath;
}

export const PG_CATALOG_ONLY = resolutionPath([], 'settings.searchPath');

/** Before reading definitions: every name outside pg_catalog printed qualified. */
export const READ_QUALIFIED = 'SET LOCAL search_path = pg_catalog';

/** One row per index a build answers for: its key, the build's definition and its own names, quoted. */
export function definitionsSql(jobs: readonly CloneJob[]): string {
  const values = jobs
    .flatMap((job) => job.answersFor.map((user) => `(${[user.key, job.clone, user.name, user.schema, user.table].map(quoteLiteral).join(', ')})`))
    .join(',\n  ');
  return `SELECT m.key, m.clone, quote_ident(m.name) AS quoted_name, quote_ident(m.schema) || '.' || quote_ident(m.tab) AS quoted_table,
  pg_get_indexdef(c.oid) AS definition
FROM (VALUES ${values}) AS m(key, clone, name, schema, tab)
LEFT JOIN pg_class c ON c.relname = m.clone AND c.relnamespace = pg_my_temp_schema()`;
}

export const CLONE_NAME = new RegExp(String.raw`(?:pg_temp(?:_\d+)?\.)?${CLONE_PREFIX}[ti]\d+`, 'g');

/**
 * The copies to make for `indexes`, each with the statements to build on it. With `share`, a table whose
 * used columns are known (`used`) gets a copy of just those columns, shared by every table where they
 * are defined the same way, and the same statement on it is built once for all; the others get a whole
 * copy of their own.
 */
export function groupOntoCopies(
  indexes: readonly IndexToClone[],
  used: ReadonlyMap<string, readonly TableColumn[]>,
  kindOf: (tableKey: string) => TableKind,
  share: boolean,
): CloneTable[] {
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
      const sql = partial ? partialTableSql(clone, partial) : cloneTableSql(index.schema, index.table, kindOf(key), clone);
      table = { schema: index.schema, name: index.table, clone, sql, jobs: [], members: new Set(), partial: partial !== undefined };
      tables.set(group, table);
    }
    table.members.add(key);
    // The statement with fixed names stands for what is built: the same text builds the same index.
    const same = share ? `${table.clone}\u0000${index.sql(TEMPLATE_NAME, `pg_temp.${TEMPLATE_NAME}`)}` : undefined;
    const existing = same === undefined ? undefined : jobs.get(same);
    if (existing) {
      existing.answersFor.push(index);
      continue;
    }
    const clone = `${CLONE_PREFIX}i${++counter}`;
    const job: CloneJob = { answersFor: [index], clone, sql: index.sql(clone, `pg_temp.${table.clone}`) };
    table.jobs.push(job);
    if (same !== undefined) jobs.set(same, job);
  }
  return [...tables.values()];
}
