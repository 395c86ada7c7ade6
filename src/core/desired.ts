/*
 * From the manifest object (already valid against schema/indexes.schema.json) to the normalised
 * DesiredState: tables schema-qualified, column entries as objects, defaults applied, units parsed,
 * storage parameters as text. Also the checks the schema cannot express across tables and indexes (name
 * clashes) and the SQL fragments, checked in one batch; each problem is reported at its place.
 */
import type { Problem } from './errors.js';
import { buildIndex, type BuildContext, type Fragment } from './desired-index.js';
import { buildSettings, checkSearchPath } from './desired-settings.js';
import { checkFragments } from './fragments.js';
import { buildMaintenance, checkTopMaintenance } from './maintenance.js';
import type { ManifestInput } from './manifest-input.js';
import { checkNameLength, checkNoControl } from './manifest-names.js';
import type { Locate, ManifestPath, Report } from './manifest-path.js';
import { tableKey, type DesiredIndex, type DesiredState, type DesiredTable, type SourceRef } from './model.js';
import { checkQueries } from './query-check.js';
import { parseTableKey } from './table-key.js';

export interface BuildOptions {
  /**
   * Check clashes between tables (index names in a schema, two keys for one table, an index named like
   * a table). Off when `defaults` could not be read: which schema a bare table key names is unknown.
   */
  readonly crossChecks?: boolean;
  /**
   * Paths (as formatPath writes them) of stand-ins for list entries that failed the schema: already
   * reported, so never checked again.
   */
  readonly placeholders?: ReadonlySet<string>;
}

export interface BuildResult {
  /** Set only when there were no problems. */
  readonly state?: DesiredState;
  readonly problems: Problem[];
}

/** Where each table and index name was first declared, to name the earlier one in a clash. */
interface Declared {
  readonly tables: Map<string, { key: string; source: SourceRef }>;
  /** schema → index name → the table key that declared it first */
  readonly indexNames: Map<string, Map<string, { table: string; source: SourceRef }>>;
}

/**
 * Builds the DesiredState. The SQL parser must be loaded (`loadSqlParser()` in ./parse-tree.js).
 * Does not mutate `input`.
 */
export function buildDesiredState(
  input: ManifestInput,
  file: string,
  locate: Locate,
  options: BuildOptions = {},
): BuildResult {
  const problems: Problem[] = [];
  const report: Report = (path, message, at = {}) => {
    const ref = locate(path, at);
    problems.push({ file: ref.file, line: ref.line, column: ref.column, path: ref.path, message });
  };
  const crossChecks = options.crossChecks ?? true;

  const defaultSchema = input.defaults?.schema ?? 'public';
  if (input.defaults?.schema !== undefined) {
    checkNameLength('schema name', input.defaults.schema, ['defaults', 'schema'], {}, report);
    checkNoControl('the schema name', input.defaults.schema, ['defaults', 'schema'], {}, report);
  }
  const settings = buildSettings(input, report);
  checkSearchPath(input, report);
  const budgets = input.budgets?.indexToTableRatio === undefined ? {} : { indexToTableRatio: input.budgets.indexToTableRatio };
  checkTopMaintenance(input.maintenance, report);

  // SQL is checked in batches, which the parser is much faster at: queries first (their text is
  // needed to build the model), fragments at the end.
  const queryTexts = Object.values(input.tables).flatMap((table) =>
    Object.values(table.indexes ?? {}).flatMap((index) => (index.queries ?? []).map((query) => query.sql)),
  );
  const queryResults = checkQueries(queryTexts);
  const context: BuildContext = {
    locate,
    report,
    fragments: [],
    queryChecks: new Map(queryTexts.map((text, i) => [text, queryResults[i] ?? {}])),
    placeholders: options.placeholders ?? new Set<string>(),
  };
  const declared: Declared = { tables: new Map(), indexNames: new Map() };
  const tables: DesiredTable[] = [];
  for (const key of Object.keys(input.tables)) {
    const table = buildTable(input, key, defaultSchema, context, crossChecks ? declared : undefined);
    if (table) tables.push(table);
  }
  if (crossChecks) checkIndexTableNames(tables, declared, report);
  checkCollectedFragments(context.fragments, report);

  if (problems.length > 0) return { problems };
  return { state: { file, tables, settings, budgets }, problems };
}

/** One table entry; `declared` collects names for the clash checks (undefined: no cross checks). */
function buildTable(
  input: ManifestInput,
  key: string,
  defaultSchema: string,
  context: BuildContext,
  declared: Declared | undefined,
): DesiredTable | undefined {
  const { locate, report } = context;
  const table = input.tables[key]!;
  const tablePath: ManifestPath = ['tables', key];
  const source = locate(tablePath, { at: 'key' });
  const parsed = parseTableKey(key, defaultSchema);
  if (!parsed.ok) {
    report(tablePath, parsed.message, { at: 'key' });
    return undefined;
  }
  const { schema, name } = parsed;
  checkNoControl('the table key', key, tablePath, { at: 'key' }, report);
  // A too-long default schema is reported once, at defaults.schema.
  if (schema !== defaultSchema) checkNameLength('schema name', schema, tablePath, { at: 'key' }, report);
  checkNameLength('table name', name, tablePath, { at: 'key' }, report);
  if (declared) checkTableDeclaredOnce(tableKey(schema, name), key, source, declared, report);

  const indexes: DesiredIndex[] = [];
  for (const [indexName, index] of Object.entries(table.indexes ?? {})) {
    const indexPath: ManifestPath = [...tablePath, 'indexes', indexName];
    const built = buildIndex(index, indexName, schema, name, indexPath, context);
    indexes.push(built);
    if (declared) checkIndexNameUnique(built, key, indexPath, declared, report);
  }
  const maintenance = buildMaintenance(input.maintenance, table.maintenance, tablePath, report);
  return { schema, name, key, prune: table.prune ?? input.defaults?.prune ?? false, ...(maintenance === undefined ? {} : { maintenance }), indexes, source };
}

function checkTableDeclaredOnce(qualified: string, key: string, source: SourceRef, declared: Declared, report: Report): void {
  const earlier = declared.tables.get(qualified);
  if (!earlier) {
    declared.tables.set(qualified, { key, source });
    return;
  }
  report(
    ['tables', key],
    `${JSON.stringify(key)} is the same table as ${JSON.stringify(earlier.key)} at line ${earlier.source.line}: ` +
      'declare each table once',
    { at: 'key' },
  );
}

function checkIndexNameUnique(index: DesiredIndex, tableKey: string, path: ManifestPath, declared: Declared, report: Report): void {
  let names = declared.indexNames.get(index.schema);
  if (!names) declared.indexNames.set(index.schema, (names = new Map()));
  const clash = names.get(index.name);
  if (!clash) {
    names.set(index.name, { table: tableKey, source: index.source });
    return;
  }
  report(
    path,
    `index name ${JSON.stringify(index.name)} is already used by table ${JSON.stringify(clash.table)} ` +
      `at line ${clash.source.line}: index names must be unique within schema ${JSON.stringify(index.schema)}`,
    { at: 'key' },
  );
}

/** Indexes and tables share one namespace (pg_class) per schema. */
function checkIndexTableNames(tables: readonly DesiredTable[], declared: Declared, report: Report): void {
  for (const table of tables) {
    for (const index of table.indexes) {
      const sameName = declared.tables.get(tableKey(index.schema, index.name));
      if (!sameName) continue;
      report(
        ['tables', table.key, 'indexes', index.name],
        `index name ${JSON.stringify(index.name)} is also the name of table ${JSON.stringify(sameName.key)}: ` +
          'indexes and tables share one namespace in a schema',
        { at: 'key' },
      );
    }
  }
}

function checkCollectedFragments(fragments: readonly Fragment[], report: Report): void {
  const issues = checkFragments(fragments);
  fragments.forEach((fragment, i) => {
    const issue = issues[i];
    if (issue) report(fragment.path, issue.message, { offset: issue.offset });
  });
}

