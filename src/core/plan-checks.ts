/*
 * Plan-time checks of a declared table against the live one, before anything is planned on it: the
 * table exists and can have indexes, the role may build there, and each declared index names columns,
 * an access method, a tablespace and a name that the database has (or leaves free).
 */
import type { Problem } from './errors.js';
import type { DesiredIndex, DesiredTable, LiveState, LiveTable, SourceRef } from './model.js';
import { notIndexableMessage } from './policy.js';
import { printableName } from './printable.js';
import { quoteIdent } from './sql.js';

export function problemAt(source: SourceRef, message: string): Problem {
  return { file: source.file, line: source.line, column: source.column, path: source.path, message };
}

export interface TableChecks {
  /** Problems with the table itself: nothing on it can be planned. */
  readonly table: Problem[];
  /** Problems of single indexes, by index name: those indexes are left out of the plan. */
  readonly indexes: Map<string, Problem[]>;
}

/** The problem of a declared table that is not there to be indexed: missing, or a relation without indexes. */
export function absentTableProblem(table: DesiredTable, relkind: string | undefined): Problem {
  const name = `${table.schema}.${table.name}`;
  return problemAt(table.source, relkind === undefined ? `table ${name} does not exist` : notIndexableMessage(name, relkind));
}

export function checkTable(table: DesiredTable, liveTable: LiveTable, live: LiveState): TableChecks {
  const checks: TableChecks = { table: tablePrivilegeProblems(table, liveTable, live), indexes: new Map() };
  for (const index of table.indexes) {
    const problems = [...columnProblems(index, `${table.schema}.${table.name}`, liveTable), ...indexProblems(index, live)];
    if (problems.length > 0) checks.indexes.set(index.name, problems);
  }
  return checks;
}

/** CREATE INDEX needs the table's owner (or a member of its role) with CREATE on the schema. */
function tablePrivilegeProblems(table: DesiredTable, liveTable: LiveTable, live: LiveState): Problem[] {
  const name = `${table.schema}.${table.name}`;
  if (!liveTable.ownedByCurrentRole) {
    return [
      problemAt(
        table.source,
        `role "${live.currentRole}" does not own table ${name} (owner: "${liveTable.owner}"); CREATE INDEX needs the owner or a member of its role`,
      ),
    ];
  }
  if (!liveTable.canCreateInSchema) {
    return [
      problemAt(
        table.source,
        `role "${live.currentRole}" may not create in schema ${table.schema}, which CREATE INDEX needs besides owning ${name}; GRANT CREATE ON SCHEMA ${quoteIdent(table.schema)} TO ${quoteIdent(live.currentRole)}`,
      ),
    ];
  }
  return [];
}

/** Key and INCLUDE columns the table does not have. */
function columnProblems(index: DesiredIndex, name: string, liveTable: LiveTable): Problem[] {
  const problems: Problem[] = [];
  const columns = new Set(liveTable.columns.map((c) => c.name));
  // Names from the database, printed escaped: a column called "a\nb" cannot forge a line of the message.
  const columnList = liveTable.columns.map((c) => printableName(c.name)).join(', ');
  for (const part of index.columns) {
    if (part.kind === 'column' && !columns.has(part.column)) {
      problems.push(problemAt(part.source, `column "${part.column}" does not exist in ${name} (it has: ${columnList})`));
    }
  }
  index.include.forEach((column, i) => {
    if (!columns.has(column)) {
      problems.push(
        problemAt({ ...index.source, path: `${index.source.path}.include[${i}]` }, `column "${column}" does not exist in ${name} (it has: ${columnList})`),
      );
    }
  });
  return problems;
}

/** What the server must offer the index: its access method, NULLS NOT DISTINCT, a place and a free name. */
function indexProblems(index: DesiredIndex, live: LiveState): Problem[] {
  const problems: Problem[] = [];
  if (!live.accessMethods.includes(index.method)) {
    problems.push(
      problemAt(
        index.source,
        `access method "${index.method}" does not exist in this database (it has: ${live.accessMethods.join(', ')}); is its extension installed?`,
      ),
    );
  }
  if (index.nullsNotDistinct && live.serverVersionNum < 150000) {
    problems.push(problemAt(index.source, `nullsNotDistinct needs PostgreSQL 15 or later (the server is ${live.serverVersion})`));
  }
  return [...problems, ...tablespaceProblems(index, live), ...nameProblems(index, live)];
}

/**
 * An index declared in the database's default tablespace is placed like one declared in none: PostgreSQL
 * records both as reltablespace 0 (so the plan would otherwise never converge), and refuses the default
 * named explicitly on a partitioned table ("cannot specify default tablespace for partitioned relations").
 */
export function withoutDefaultTablespace(table: DesiredTable, defaultTablespace: string): DesiredTable {
  if (!table.indexes.some((index) => index.tablespace === defaultTablespace)) return table;
  return {
    ...table,
    indexes: table.indexes.map((index) => {
      if (index.tablespace !== defaultTablespace) return index;
      const { tablespace: _, ...placed } = index;
      return placed;
    }),
  };
}

/** A tablespace that exists and takes the index. */
function tablespaceProblems(index: DesiredIndex, live: LiveState): Problem[] {
  const tablespace = index.tablespace;
  if (tablespace === undefined || tablespace === live.defaultTablespace) return [];
  const at = { ...index.source, path: `${index.source.path}.tablespace` };
  const found = live.tablespaces.find((t) => t.name === tablespace);
  if (!found) {
    const names = live.tablespaces.filter((t) => t.name !== 'pg_global').map((t) => t.name);
    return [problemAt(at, `tablespace "${tablespace}" does not exist (this database has: ${names.join(', ')})`)];
  }
  if (found.name === 'pg_global') {
    return [problemAt(at, 'tablespace "pg_global" holds only shared system catalogs; no index can be placed there')];
  }
  if (!found.canCreate) {
    return [
      problemAt(
        at,
        `role "${live.currentRole}" may not create in tablespace "${tablespace}", which CREATE INDEX … TABLESPACE needs; GRANT CREATE ON TABLESPACE ${quoteIdent(tablespace)} TO ${quoteIdent(live.currentRole)}`,
      ),
    ];
  }
  return [];
}

/** A name no other relation of the index's schema has. */
function nameProblems(index: DesiredIndex, live: LiveState): Problem[] {
  const taken = live.namesInUse.find((use) => use.schema === index.schema && use.name === index.name);
  if (!taken) return [];
  const holder = taken.table ? `the ${taken.kind} ${index.name} on ${taken.table.schema}.${taken.table.name}` : `the ${taken.kind} ${taken.schema}.${taken.name}`;
  return [
    problemAt(
      index.source,
      `the name ${index.name} is already taken in schema ${index.schema} by ${holder} (index names share one namespace with tables, sequences and views); choose another name${taken.table ? ', or rename or drop that index' : ''}`,
    ),
  ];
}
