/*
 * From the manifest object (already valid against schema/indexes.schema.json) to the normalised
 * DesiredState: tables schema-qualified, column entries as objects, defaults applied, units parsed,
 * storage parameters as text. Also the checks the schema cannot express (name lengths, name clashes,
 * INCLUDE vs key columns, SQL fragments), each reported at its place in the manifest.
 */
import type { Problem } from './errors.js';
import { hasUnsafeCharacters, printableName, printableText } from './printable.js';
import { splitQualifiedName } from './qualified-name.js';
import { findControlCharacter } from './control-characters.js';
import { checkFragments, type FragmentKind } from './fragments.js';
import { checkQueries, type QueryCheck } from './query-check.js';
import {
  byteLength,
  DEFAULT_SETTINGS,
  MAX_IDENTIFIER_BYTES,
  type DeclaredQuery,
  type DesiredIndex,
  type DesiredState,
  type DesiredTable,
  type IndexKeyPart,
  type QueryParam,
  type Settings,
  type SourceRef,
  type StorageParameter,
} from './model.js';
import { parseDuration, parseSize, UnitError } from './units.js';
import { truncateToBytes } from './text.js';

// ---- the manifest as written (what the JSON Schema accepts) ------------------------------------

export type Duration = number | string;
export type Size = number | string;

export interface ColumnEntryInput {
  readonly column?: string;
  readonly expression?: string;
  readonly opclass?: string;
  readonly opclassParams?: Readonly<Record<string, string | number | boolean>>;
  readonly collation?: string;
  readonly order?: 'asc' | 'desc';
  readonly nulls?: 'first' | 'last';
}

export interface QueryInput {
  readonly sql: string;
  readonly params?: readonly QueryParam[];
  readonly p95?: Duration;
}

export interface IndexInput {
  readonly columns: readonly (string | ColumnEntryInput)[];
  readonly unique?: boolean;
  readonly method?: string;
  readonly include?: readonly string[];
  readonly where?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  readonly nullsNotDistinct?: boolean;
  readonly tablespace?: string;
  readonly comment?: string;
  readonly queries?: readonly QueryInput[];
}

export interface TableInput {
  readonly prune?: boolean;
  readonly indexes?: Readonly<Record<string, IndexInput>>;
}

export interface ManifestInput {
  readonly version: 1;
  readonly defaults?: { readonly schema?: string; readonly prune?: boolean };
  readonly settings?: {
    readonly concurrency?: number;
    readonly lockTimeout?: Duration;
    readonly buildLockTimeout?: Duration;
    readonly statementTimeout?: Duration;
    readonly maintenanceWorkMem?: Size;
    readonly maxParallelMaintenanceWorkers?: number;
    readonly retries?: number;
    readonly analyzeAfterBuild?: boolean;
    readonly allowLockingDrops?: boolean;
    readonly searchPath?: readonly string[];
  };
  readonly budgets?: { readonly indexToTableRatio?: number };
  readonly tables: Readonly<Record<string, TableInput>>;
}

// ---- locating things in the manifest -------------------------------------------------------------

/** A path into the manifest: mapping keys and list indexes. */
export type ManifestPath = readonly (string | number)[];

export interface LocateOptions {
  /** Point at the mapping key of the last path element rather than at its value. */
  readonly at?: 'key' | 'value';
  /** A UTF-16 offset inside a text value, for errors inside SQL fragments. */
  readonly offset?: number;
}

/** Where a path is in the manifest file; given by the reader of the file (see io/manifest/). */
export type Locate = (path: ManifestPath, options?: LocateOptions) => SourceRef;

/** `tables.users.indexes.idx_x.columns[0]`; a key with a line break or other control character escaped. */
export function formatPath(path: ManifestPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const text = hasUnsafeCharacters(part) ? printableName(part) : part;
      out += out === '' ? text : `.${text}`;
    }
  }
  return out;
}

// ---- table keys ----------------------------------------------------------------------------------

export type TableKeyResult =
  | { readonly ok: true; readonly schema: string; readonly name: string }
  | { readonly ok: false; readonly message: string };

/**
 * `users` → (defaultSchema, users); `app.users` → (app, users); `"my.schema"."Users"` → (my.schema, Users).
 * Names are literal: no case folding. Double quotes are only needed for a name containing a dot.
 */
export function parseTableKey(key: string, defaultSchema: string): TableKeyResult {
  if (key === '') return { ok: false, message: 'a table key cannot be empty' };
  const split = splitQualifiedName(key);
  if (!split.ok) {
    return {
      ok: false,
      message:
        split.problem === 'unclosed-quote'
          ? `table key ${JSON.stringify(key)} has an unclosed double quote`
          : `table key ${JSON.stringify(key)}: a double quote must wrap a whole name, as in "my.schema".users`,
    };
  }
  const { parts } = split;
  if (parts.length > 2) {
    return {
      ok: false,
      message:
        `table key ${JSON.stringify(key)} has more than one dot: write table or schema.table, ` +
        'and quote a name that contains a dot ("my.schema".users)',
    };
  }
  if (parts.some((p) => p === '')) {
    return { ok: false, message: `table key ${JSON.stringify(key)} has an empty schema or table name` };
  }
  const [first, second] = parts as [string, string | undefined];
  return second === undefined
    ? { ok: true, schema: defaultSchema, name: first }
    : { ok: true, schema: first, name: second };
}

// ---- building ------------------------------------------------------------------------------------

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

const BUILTIN_METHODS = ['btree', 'hash', 'gist', 'spgist', 'gin', 'brin'];

/**
 * Builds the DesiredState. The SQL parser must be loaded (`loadSqlParser()` in ./fragments.js).
 * Does not mutate `input`.
 */
export function buildDesiredState(
  input: ManifestInput,
  file: string,
  locate: Locate,
  options: BuildOptions = {},
): BuildResult {
  const problems: Problem[] = [];
  const report = (path: ManifestPath, message: string, at: LocateOptions = {}): void => {
    const ref = locate(path, at);
    problems.push({ file: ref.file, line: ref.line, column: ref.column, path: ref.path, message });
  };
  const crossChecks = options.crossChecks ?? true;
  const placeholders = options.placeholders ?? new Set<string>();

  const defaultSchema = input.defaults?.schema ?? 'public';
  const defaultPrune = input.defaults?.prune ?? false;
  if (input.defaults?.schema !== undefined) {
    checkNameLength('schema name', input.defaults.schema, ['defaults', 'schema'], {}, report);
    checkNoControl('the schema name', input.defaults.schema, ['defaults', 'schema'], {}, report);
  }

  const settings = buildSettings(input, report);
  checkSearchPath(input, report);
  const budgets = input.budgets?.indexToTableRatio === undefined ? {} : { indexToTableRatio: input.budgets.indexToTableRatio };

  // SQL is checked in batches, which the parser is much faster at: queries first (their text is
  // needed to build the model), fragments at the end.
  const queryTexts = Object.values(input.tables).flatMap((table) =>
    Object.values(table.indexes ?? {}).flatMap((index) => (index.queries ?? []).map((query) => query.sql)),
  );
  const queryResults = checkQueries(queryTexts);
  const queryChecks = new Map(queryTexts.map((text, i) => [text, queryResults[i] ?? {}]));

  const tables: DesiredTable[] = [];
  const fragments: Fragment[] = [];
  const tableByQualified = new Map<string, { key: string; source: SourceRef }>();
  // schema → index name → where it was first declared
  const indexNames = new Map<string, Map<string, { table: string; source: SourceRef }>>();

  for (const [key, table] of Object.entries(input.tables)) {
    const tablePath: ManifestPath = ['tables', key];
    const source = locate(tablePath, { at: 'key' });
    const parsed = parseTableKey(key, defaultSchema);
    if (!parsed.ok) {
      report(tablePath, parsed.message, { at: 'key' });
      continue;
    }
    const { schema, name } = parsed;
    checkNoControl('the table key', key, tablePath, { at: 'key' }, report);
    // A too-long default schema is reported once, at defaults.schema.
    if (schema !== defaultSchema) checkNameLength('schema name', schema, tablePath, { at: 'key' }, report);
    checkNameLength('table name', name, tablePath, { at: 'key' }, report);

    const qualified = `${schema}.${name}`;
    const earlier = tableByQualified.get(qualified);
    if (earlier && crossChecks) {
      report(
        tablePath,
        `${JSON.stringify(key)} is the same table as ${JSON.stringify(earlier.key)} at line ${earlier.source.line}: ` +
          'declare each table once',
        { at: 'key' },
      );
    } else if (!earlier) {
      tableByQualified.set(qualified, { key, source });
    }

    const indexes: DesiredIndex[] = [];
    for (const [indexName, index] of Object.entries(table.indexes ?? {})) {
      const indexPath: ManifestPath = [...tablePath, 'indexes', indexName];
      const built = buildIndex(index, indexName, schema, name, indexPath, { locate, report, fragments, queryChecks, placeholders });
      indexes.push(built);

      let names = indexNames.get(schema);
      if (!names) indexNames.set(schema, (names = new Map()));
      const clash = names.get(indexName);
      if (clash && crossChecks) {
        report(
          indexPath,
          `index name ${JSON.stringify(indexName)} is already used by table ${JSON.stringify(clash.table)} ` +
            `at line ${clash.source.line}: index names must be unique within schema ${JSON.stringify(schema)}`,
          { at: 'key' },
        );
      } else if (!clash) {
        names.set(indexName, { table: key, source: built.source });
      }
    }

    tables.push({
      schema,
      name,
      key,
      prune: table.prune ?? defaultPrune,
      indexes,
      source,
    });
  }

  // Indexes and tables share one namespace (pg_class) per schema.
  if (crossChecks) {
    for (const table of tables) {
      for (const index of table.indexes) {
        const sameName = tableByQualified.get(`${index.schema}.${index.name}`);
        if (sameName) {
          report(
            ['tables', table.key, 'indexes', index.name],
            `index name ${JSON.stringify(index.name)} is also the name of table ${JSON.stringify(sameName.key)}: ` +
              'indexes and tables share one namespace in a schema',
            { at: 'key' },
          );
        }
      }
    }
  }

  const issues = checkFragments(fragments);
  fragments.forEach((fragment, i) => {
    const issue = issues[i];
    if (issue) report(fragment.path, issue.message, { offset: issue.offset });
  });

  if (problems.length > 0) return { problems };
  return { state: { file, tables, settings, budgets }, problems };
}

type Report = (path: ManifestPath, message: string, at?: LocateOptions) => void;

interface BuildContext {
  readonly locate: Locate;
  readonly report: Report;
  /** Collects the SQL fragments to check. */
  readonly fragments: Fragment[];
  readonly queryChecks: ReadonlyMap<string, QueryCheck>;
  readonly placeholders: ReadonlySet<string>;
}

interface Fragment {
  readonly text: string;
  readonly kind: FragmentKind;
  readonly path: ManifestPath;
}

function buildSettings(input: ManifestInput, report: Report): Settings {
  const given = input.settings ?? {};
  const duration = (field: 'lockTimeout' | 'buildLockTimeout' | 'statementTimeout', fallback: number): number => {
    const value = given[field];
    if (value === undefined) return fallback;
    try {
      return parseDuration(value);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      report(['settings', field], error.message);
      return fallback;
    }
  };
  let maintenanceWorkMemBytes: number | undefined;
  if (given.maintenanceWorkMem !== undefined) {
    try {
      maintenanceWorkMemBytes = parseSize(given.maintenanceWorkMem);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      report(['settings', 'maintenanceWorkMem'], error.message);
    }
  }
  return {
    concurrency: given.concurrency ?? DEFAULT_SETTINGS.concurrency,
    lockTimeoutMs: duration('lockTimeout', DEFAULT_SETTINGS.lockTimeoutMs),
    buildLockTimeoutMs: duration('buildLockTimeout', DEFAULT_SETTINGS.buildLockTimeoutMs),
    statementTimeoutMs: duration('statementTimeout', DEFAULT_SETTINGS.statementTimeoutMs),
    ...(maintenanceWorkMemBytes === undefined ? {} : { maintenanceWorkMemBytes }),
    ...(given.maxParallelMaintenanceWorkers === undefined
      ? {}
      : { maxParallelMaintenanceWorkers: given.maxParallelMaintenanceWorkers }),
    retries: given.retries ?? DEFAULT_SETTINGS.retries,
    analyzeAfterBuild: given.analyzeAfterBuild ?? DEFAULT_SETTINGS.analyzeAfterBuild,
    allowLockingDrops: given.allowLockingDrops ?? DEFAULT_SETTINGS.allowLockingDrops,
    ...(given.searchPath === undefined ? {} : { searchPath: given.searchPath }),
  };
}

function checkSearchPath(input: ManifestInput, report: Report): void {
  (input.settings?.searchPath ?? []).forEach((schema, i) => {
    checkNoControl('the schema name', schema, ['settings', 'searchPath', i], {}, report);
  });
}

function buildIndex(
  index: IndexInput,
  name: string,
  schema: string,
  table: string,
  path: ManifestPath,
  { locate, report, fragments, queryChecks, placeholders }: BuildContext,
): DesiredIndex {
  const source = locate(path, { at: 'key' });
  // Most manifests have no stand-ins: then no path needs formatting.
  const isPlaceholder = (at: ManifestPath): boolean => placeholders.size > 0 && placeholders.has(formatPath(at));
  if (name === '') report(path, 'an index name cannot be empty', { at: 'key' });
  else if (!checkNoControl('the index name', name, path, { at: 'key' }, report)) {
    checkNameLength('index name', name, path, { at: 'key' }, report);
  }

  const unique = index.unique ?? false;
  const method = index.method ?? 'btree';
  const builtin = BUILTIN_METHODS.find((m) => m === method.toLowerCase());
  if (builtin !== undefined && builtin !== method) {
    report(
      [...path, 'method'],
      `access method names are case-sensitive: write ${builtin}, not ${JSON.stringify(method)}`,
    );
  }
  if (index.method !== undefined) checkNoControl('the access method', index.method, [...path, 'method'], {}, report);
  if (index.tablespace !== undefined) {
    checkNoControl('the tablespace name', index.tablespace, [...path, 'tablespace'], {}, report);
  }

  const columns: IndexKeyPart[] = index.columns.map((entry, i) => {
    const entryPath: ManifestPath = [...path, 'columns', i];
    const entrySource = locate(entryPath);
    if (typeof entry === 'string') {
      if (isPlaceholder(entryPath)) return { kind: 'column', column: entry, source: entrySource };
      if (entry.includes('(')) {
        report(
          entryPath,
          `${JSON.stringify(entry)} is taken as a column name; for an expression write { expression: ${printableText(entry)} }`,
        );
      }
      checkNoControl('the column name', entry, entryPath, {}, report);
      return { kind: 'column', column: entry, source: entrySource };
    }
    if (entry.column !== undefined) checkNoControl('the column name', entry.column, [...entryPath, 'column'], {}, report);
    if (entry.opclass !== undefined) checkDottedName('opclass', entry.opclass, [...entryPath, 'opclass'], report);
    if (entry.collation !== undefined) checkDottedName('collation', entry.collation, [...entryPath, 'collation'], report);
    const opclassParams = buildOpclassParams(entry, entryPath, report);
    const options = {
      ...(entry.opclass === undefined ? {} : { opclass: entry.opclass }),
      ...(opclassParams === undefined ? {} : { opclassParams }),
      ...(entry.collation === undefined ? {} : { collation: entry.collation }),
      ...(entry.order === undefined ? {} : { order: entry.order }),
      ...(entry.nulls === undefined ? {} : { nulls: entry.nulls }),
      source: entrySource,
    };
    if (entry.expression !== undefined) {
      fragments.push({ text: entry.expression, kind: 'expression', path: [...entryPath, 'expression'] });
      return { kind: 'expression', expression: entry.expression.trim(), ...options };
    }
    return { kind: 'column', column: entry.column ?? '', ...options };
  });

  const include = index.include ?? [];
  const keyColumns = new Set(columns.flatMap((c) => (c.kind === 'column' ? [c.column] : [])));
  include.forEach((column, i) => {
    if (isPlaceholder([...path, 'include', i])) return;
    if (checkNoControl('the column name', column, [...path, 'include', i], {}, report)) return;
    if (keyColumns.has(column)) {
      report(
        [...path, 'include', i],
        `${JSON.stringify(column)} is already a key column of this index: a column is either a key column or included, not both`,
      );
    } else if (include.indexOf(column) !== i) {
      report([...path, 'include', i], `${JSON.stringify(column)} is listed twice in include`);
    }
  });

  let where: string | undefined;
  if (index.where !== undefined) {
    fragments.push({ text: index.where, kind: 'where', path: [...path, 'where'] });
    where = index.where.trim();
  }

  if (index.comment !== undefined) {
    // Line breaks and tabs are fine in a comment; NUL cannot be stored, and the rest would garble logs.
    const control = findControlCharacter(index.comment, true);
    if (control) {
      report(
        [...path, 'comment'],
        `the comment contains a control character (${control.description}): a comment may hold line breaks and tabs, no other control characters`,
        { offset: control.offset },
      );
    }
  }

  const nullsNotDistinct = index.nullsNotDistinct ?? false;
  if (nullsNotDistinct && !unique) {
    report(
      [...path, 'nullsNotDistinct'],
      'nullsNotDistinct needs unique: true (it only changes how a unique index treats NULLs)',
      { at: 'key' },
    );
  }

  const storage = buildParameters(
    index.with ?? {},
    [...path, 'with'],
    'storage parameter',
    'e.g. fillfactor, fastupdate, pages_per_range',
    report,
  );

  const queries: DeclaredQuery[] = (index.queries ?? []).map((query, i) => {
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
      source: locate(queryPath),
    };
  });

  return {
    name,
    schema,
    table,
    unique,
    method,
    columns,
    include,
    ...(where === undefined ? {} : { where }),
    with: storage,
    nullsNotDistinct,
    ...(index.tablespace === undefined ? {} : { tablespace: index.tablespace }),
    // COMMENT ON … IS '' removes the comment: treat an empty one as none, or plans would never converge.
    ...(index.comment === undefined || index.comment === '' ? {} : { comment: index.comment }),
    queries,
    source,
  };
}

/**
 * Storage parameters or operator class parameters: lower-case names, values kept as the text written
 * (PostgreSQL stores `fillfactor=90`, `siglen=32` verbatim), in manifest order.
 */
function buildParameters(
  given: Readonly<Record<string, string | number | boolean>>,
  path: ManifestPath,
  what: string,
  examples: string,
  report: Report,
): StorageParameter[] {
  const parameters: StorageParameter[] = [];
  for (const [param, value] of Object.entries(given)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(param)) {
      const lower = param.toLowerCase();
      report(
        [...path, param],
        /^[a-z_][a-z0-9_]*$/.test(lower)
          ? `${what} names are lower case: write ${lower}`
          : `${JSON.stringify(param)} is not a ${what} name (${examples})`,
        { at: 'key' },
      );
    }
    const text = String(value);
    const control = findControlCharacter(text);
    if (control) {
      report(
        [...path, param],
        `the value of ${what} ${printableName(param)} contains a control character (${control.description}): write the value without it`,
        { offset: control.offset },
      );
    }
    parameters.push({ name: param, value: text });
  }
  return parameters;
}

export const OPCLASS_PARAMS_NEED_OPCLASS =
  'opclassParams needs an opclass beside it: parameters belong to an operator class, as in ' +
  '{ column: title, opclass: gist_trgm_ops, opclassParams: { siglen: 32 } }';

/** `opclassParams: { siglen: 32 }`, which only means something beside an `opclass`. */
function buildOpclassParams(
  entry: ColumnEntryInput,
  entryPath: ManifestPath,
  report: Report,
): StorageParameter[] | undefined {
  if (entry.opclassParams === undefined) return undefined;
  const paramsPath: ManifestPath = [...entryPath, 'opclassParams'];
  if (entry.opclass === undefined) {
    report(paramsPath, OPCLASS_PARAMS_NEED_OPCLASS, { at: 'key' });
  }
  const params = buildParameters(entry.opclassParams, paramsPath, 'operator class parameter', 'e.g. siglen', report);
  return params.length === 0 ? undefined : params;
}

const DOTTED_EXAMPLES: Readonly<Record<'opclass' | 'collation', string>> = {
  opclass: '"my.schema".my_ops',
  collation: 'pg_catalog."C"',
};

/** An opclass or collation: `name` or `schema.name`, a part in double quotes where it holds a dot or quote. */
function checkDottedName(field: 'opclass' | 'collation', text: string, path: ManifestPath, report: Report): void {
  if (checkNoControl(`the ${field}`, text, path, {}, report)) return;
  const split = splitQualifiedName(text);
  const named = `"${field}" ${JSON.stringify(text)}`;
  if (!split.ok) {
    report(
      path,
      split.problem === 'unclosed-quote'
        ? `${named} has an unclosed double quote`
        : `${named}: a double quote must wrap a whole name, as in ${DOTTED_EXAMPLES[field]}`,
    );
  } else if (split.parts.length > 2) {
    report(
      path,
      `${named} has more than one dot: write name or schema.name, and quote a name that contains a dot (${DOTTED_EXAMPLES[field]})`,
    );
  } else if (split.parts.some((part) => part === '')) {
    report(path, `${named} has an empty schema or name`);
  }
}

/**
 * Reports a control character in a name (a line break, a tab, NUL, an escape…): no such name can be
 * meant, it could only garble the logs it is printed in. True when one was found.
 */
function checkNoControl(what: string, name: string, path: ManifestPath, at: LocateOptions, report: Report): boolean {
  const found = findControlCharacter(name);
  if (!found) return false;
  // A key's position is its start: say where in it; a value's position is the character itself.
  const where = at.at === 'key' ? ` at character ${found.offset + 1}` : '';
  report(
    path,
    `${what} contains a control character (${found.description})${where}: names in the manifest cannot hold control characters`,
    at.at === 'key' ? at : { ...at, offset: found.offset },
  );
  return true;
}

function checkNameLength(what: string, name: string, path: ManifestPath, at: LocateOptions, report: Report): void {
  const bytes = byteLength(name);
  if (bytes <= MAX_IDENTIFIER_BYTES) return;
  report(
    path,
    `${what} is ${bytes} bytes, over PostgreSQL's limit of ${MAX_IDENTIFIER_BYTES}: ` +
      `PostgreSQL would truncate it to ${JSON.stringify(truncateToBytes(name, MAX_IDENTIFIER_BYTES))} ` +
      'and the plan would never converge',
    at,
  );
}

export { truncateToBytes } from './text.js';

/** Why a query's `params` do not fit its `$n` parameters: one value for each of `$1…$n`. */
export function paramsMismatch(given: number, parameters: number): string {
  const values = `${given} value${given === 1 ? '' : 's'}`;
  if (parameters === 0) return `params has ${values}, but the query uses no $n parameters: remove params, or write $1… in the query where the values go`;
  const wanted = parameters === 1 ? 'one value, for $1' : `${parameters} values, one for each of $1…$${parameters}`;
  return `params has ${values}, but the query uses parameters up to $${parameters}: give ${wanted}`;
}
