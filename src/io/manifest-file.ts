/*
 * Reading indexes.yaml: YAML (with positions) → JSON Schema (ajv) → DesiredState (core/desired.ts).
 * Every problem is reported at once, at `file:line:column` and manifest path, in plain words: ajv's
 * messages and branch noise never reach the user.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLError,
} from 'yaml';
import {
  buildDesiredState,
  formatPath,
  OPCLASS_PARAMS_NEED_OPCLASS,
  type Locate,
  type LocateOptions,
  type ManifestInput,
  type ManifestPath,
} from '../core/desired.js';
import { sortProblems, UserError, type Problem } from '../core/errors.js';
import { isSqlParserLoaded, loadSqlParser } from '../core/fragments.js';
import type { DesiredState, SourceRef } from '../core/model.js';
import { parseDuration, parseSize, UnitError } from '../core/units.js';

export interface ManifestCheck {
  /** Set only when the manifest has no problems. */
  readonly state?: DesiredState;
  readonly problems: Problem[];
  /** What the manifest declares, counted even when it has problems. */
  readonly tableCount: number;
  readonly indexCount: number;
}

/** Reads and checks a manifest; throws UserError listing every problem. */
export async function loadManifest(file: string): Promise<DesiredState> {
  const read = await readManifest(file);
  if (read.unreadable !== undefined) {
    throw new UserError(`Cannot read ${file}: ${read.unreadable}.`, 'Pass the manifest with -f FILE.');
  }
  const { check } = read;
  if (check.state) return check.state;
  const count = check.problems.length;
  throw new UserError(`${file} has ${count} problem${count === 1 ? '' : 's'}`, undefined, check.problems);
}

/**
 * Reads the file and checks it; never throws for bad input. A file that cannot be read is one problem
 * at 1:1, so `validate --format json` has one shape for every failure.
 */
export async function checkManifestFile(file: string): Promise<ManifestCheck> {
  const read = await readManifest(file);
  if (read.unreadable === undefined) return read.check;
  return {
    problems: [{ file, line: 1, column: 1, path: '', message: `cannot read the file: ${read.unreadable}` }],
    tableCount: 0,
    indexCount: 0,
  };
}

type ReadResult = { readonly unreadable: string; readonly check?: never } | { readonly unreadable?: never; readonly check: ManifestCheck };

async function readManifest(file: string): Promise<ReadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { unreadable: describeReadError(error) };
  }
  let text: string;
  try {
    // Decode strictly: a lenient decode would turn bad bytes into U+FFFD and report nonsense later.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at).toString('utf8');
    const { line, column } = lineAndColumn(before, before.length);
    const message = `not a text file: invalid UTF-8 at byte ${at}; a manifest is a YAML text file in UTF-8`;
    return { check: { problems: [{ file, line, column, path: '', message }], tableCount: 0, indexCount: 0 } };
  }
  await loadSqlParser();
  return { check: checkManifestText(text, file) };
}

/**
 * Checks manifest text; `displayName` is the file as the user named it, used in every problem.
 * Needs the SQL parser loaded (`await loadSqlParser()` from core/fragments.js) for the fragment checks.
 */
export function checkManifestText(text: string, displayName: string): ManifestCheck {
  if (!isSqlParserLoaded()) {
    throw new Error('checkManifestText needs the SQL parser: await loadSqlParser() from core/fragments.js first');
  }
  const file = displayName;
  const none = (line: number, column: number, message: string): ManifestCheck => ({
    problems: [{ file, line, column, path: '', message }],
    tableCount: 0,
    indexCount: 0,
  });

  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    const { line, column } = lineAndColumn(text, nul);
    return none(line, column, 'not a text file: it contains NUL bytes; a manifest is a YAML text file');
  }
  // The YAML parser skips a byte-order mark itself.
  const source = text; // kept as is: node ranges are offsets into it
  const lineCounter = new LineCounter();
  // Duplicate keys are found by duplicateKeys() below: the parser's own check is quadratic per mapping.
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false, merge: true, prettyErrors: false });
  // Columns count characters a person sees: not a leading byte-order mark.
  const bom = source.startsWith('\uFEFF') ? 1 : 0;
  const position: Position = (offset) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.line === 1 ? Math.max(1, pos.col - bom) : pos.col };
  };

  // A syntax error makes everything after it doubtful: report the first one only.
  if (doc.errors.length > 0) {
    const first = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0] as YAMLError;
    const { line, column } = position(first.pos[0]);
    return none(line, column, describeYamlError(first));
  }

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && !contents.source)) {
    return none(1, 1, 'the file is empty: a manifest starts with "version: 1" and declares "tables:"');
  }
  if (!isMap(contents)) {
    const { line, column } = position(contents.range?.[0] ?? 0);
    const what = isSeq(contents) ? 'a list' : describeValue(isScalar(contents) ? contents.value : contents);
    return none(
      line,
      column,
      `the file holds ${what}, not a manifest: a manifest is a mapping with "version: 1" and "tables:"`,
    );
  }

  const locate = makeLocator(doc, source, position, file);
  const problems: Problem[] = [];
  const report = (path: ManifestPath, message: string, options: LocateOptions = {}): void => {
    const ref = locate(path, options);
    problems.push({ file, line: ref.line, column: ref.column, path: ref.path, message });
  };

  problems.push(...duplicateKeys(contents, [], file, position));
  for (const warning of doc.warnings) {
    const { line, column } = position(warning.pos[0]);
    problems.push({ file, line, column, path: '', message: lowerFirst(warning.message) });
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return none(1, 1, `the YAML cannot be read: ${lowerFirst(error instanceof Error ? error.message : String(error))}`);
  }
  const { tableCount, indexCount } = countDeclared(data);

  const validate = validator();
  const valid = validate(data);
  const errors = valid ? [] : (validate.errors ?? []);
  for (const problem of describeSchemaErrors(errors, data)) report(problem.path, problem.message, problem.at);

  const { input, crossChecks, placeholders } = withoutInvalidParts(data, errors);
  const built = buildDesiredState(input, file, locate, { crossChecks, placeholders });
  problems.push(...built.problems);

  const unique = dedupe(problems);
  if (unique.length > 0 || !built.state) return { problems: sortProblems(unique), tableCount, indexCount };
  return { state: built.state, problems: [], tableCount, indexCount };
}

// ---- JSON Schema ---------------------------------------------------------------------------------

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // Shipped next to dist/ (package.json "files"): ../../schema from both src/io and dist/io.
    const schema = JSON.parse(readFileSync(new URL('../../schema/indexes.schema.json', import.meta.url), 'utf8'));
    compiled = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(schema);
  }
  return compiled;
}

interface Described {
  readonly path: ManifestPath;
  readonly message: string;
  readonly at?: LocateOptions;
}

const ROOT_FIELDS = ['version', 'defaults', 'settings', 'budgets', 'tables'];
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  root: ROOT_FIELDS,
  defaults: ['schema', 'prune'],
  settings: [
    'concurrency',
    'lockTimeout',
    'buildLockTimeout',
    'statementTimeout',
    'maintenanceWorkMem',
    'maxParallelMaintenanceWorkers',
    'retries',
    'analyzeAfterBuild',
    'allowLockingDrops',
    'searchPath',
  ],
  budgets: ['indexToTableRatio'],
  table: ['prune', 'indexes'],
  index: ['columns', 'unique', 'method', 'include', 'where', 'with', 'nullsNotDistinct', 'tablespace', 'comment', 'queries'],
  column: ['column', 'expression', 'opclass', 'opclassParams', 'collation', 'order', 'nulls'],
  query: ['sql', 'params', 'p95'],
};

// Storage parameters of the built-in access methods (and pgvector's), for a hint when one is misplaced.
const STORAGE_PARAMETERS = [
  'fillfactor',
  'deduplicate_items',
  'fastupdate',
  'gin_pending_list_limit',
  'buffering',
  'pages_per_range',
  'autosummarize',
  'lists',
  'm',
  'ef_construction',
];

const DURATION_SETTINGS = new Set(['lockTimeout', 'buildLockTimeout', 'statementTimeout']);

/** What kind of thing lives at a path; decides allowed fields and which errors are collapsed. */
function shapeAt(path: readonly string[]): string | undefined {
  const [section, name, tableField, , indexField, , queryField] = path;
  if (path.length === 0) return 'root';
  if (path.length === 1) return section;
  if (section === 'settings' && path.length === 2) {
    if (DURATION_SETTINGS.has(name ?? '')) return 'duration';
    return name === 'maintenanceWorkMem' ? 'size' : undefined;
  }
  if (section !== 'tables') return undefined;
  if (path.length === 2) return 'table';
  if (tableField !== 'indexes') return undefined;
  if (path.length === 4) return 'index';
  if (indexField === 'columns' && path.length >= 6) return 'column';
  if (indexField === 'queries' && path.length === 6) return 'query';
  if (indexField === 'queries' && queryField === 'p95' && path.length === 7) return 'duration';
  return undefined;
}

function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): Described[] {
  const out: Described[] = [];
  // Column entries, durations and sizes are unions: ajv reports every branch; say what is wrong instead.
  const collapsed = new Set<string>();
  // `colums: [a]` is one problem (a typo), not also a missing "columns".
  const typos = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'additionalProperties') continue;
    const name = String((error.params as Record<string, unknown>)['additionalProperty']);
    const suggestion = closest(name, FIELDS[shapeAt(decodePointer(error.instancePath)) ?? 'root'] ?? []);
    if (suggestion !== undefined) typos.add(`${error.instancePath}\u0000${suggestion}`);
  }
  for (const error of errors) {
    if (
      error.keyword === 'required' &&
      typos.has(`${error.instancePath}\u0000${String((error.params as Record<string, unknown>)['missingProperty'])}`)
    ) {
      continue;
    }
    const path = decodePointer(error.instancePath);
    const columnAt = path.length >= 6 && shapeAt(path.slice(0, 6)) === 'column' ? path.slice(0, 6) : undefined;
    const union = columnAt ?? (['duration', 'size'].includes(shapeAt(path) ?? '') ? path : undefined);
    if (union) {
      const key = union.join('/');
      if (collapsed.has(key)) continue;
      collapsed.add(key);
      const value = valueAt(data, union);
      if (columnAt) out.push(...describeColumnEntry(value, toManifestPath(union)));
      else out.push(describeQuantity(value, toManifestPath(union), shapeAt(union) === 'size' ? 'size' : 'duration'));
      continue;
    }
    const described = describeError(error, path);
    if (described) out.push(described);
  }
  return out;
}

function describeError(error: ErrorObject, path: string[]): Described | undefined {
  const at = toManifestPath(path);
  const field = fieldName(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const shape = shapeAt(path) ?? 'root';
      return { path: [...at, name], message: unknownField(name, FIELDS[shape] ?? [], shape), at: { at: 'key' } };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      const message =
        missing === 'version'
          ? 'missing "version: 1" (the manifest format version) at the top of the file'
          : missing === 'tables'
            ? 'missing "tables": the tables and the indexes they should have'
            : missing === 'columns'
              ? 'missing "columns": an index needs at least one column'
              : `missing required field "${missing}"`;
      return { path: at, message, at: { at: 'key' } };
    }
    case 'type': {
      const expected = String(params['type']).split(',');
      const listOfNames = ['columns', 'include'].includes(path[path.length - 1] ?? '');
      return { path: at, message: typeMessage(field, expected, error.data, listOfNames) };
    }
    case 'const':
      if (path.length === 1 && path[0] === 'version') {
        return {
          path: at,
          message:
            typeof error.data === 'number'
              ? `unsupported manifest version ${error.data}: this reconcile reads version 1`
              : `"version" must be the number 1, not ${describeValue(error.data)}`,
        };
      }
      return { path: at, message: `${field} must be ${JSON.stringify(params['allowedValue'])}, not ${describeValue(error.data)}` };
    case 'enum':
      return { path: at, message: enumMessage(field, params['allowedValues'] as unknown[], error.data) };
    case 'minItems':
      return path[path.length - 1] === 'columns'
        ? { path: at, message: 'an index needs at least one column' }
        : { path: at, message: `${field} needs at least ${String(params['limit'])} item(s)` };
    case 'minLength':
      return { path: at, message: `${field} cannot be empty` };
    case 'minimum':
      return { path: at, message: `${field} must be at least ${String(params['limit'])}, not ${String(error.data)}` };
    case 'exclusiveMinimum':
      return {
        path: at,
        message: `${field} must be greater than ${String(params['limit'])}, not ${String(error.data)}`,
      };
    // Branch summaries: their branches were reported (or collapsed) already.
    case 'anyOf':
    case 'oneOf':
      return undefined;
    default:
      return { path: at, message: `${field}: ${error.message ?? 'is not valid'}` };
  }
}

function describeColumnEntry(value: unknown, path: ManifestPath): Described[] {
  const shapeHelp = 'a column name or { column: … } / { expression: … }';
  if (typeof value === 'string') {
    return value === '' ? [{ path, message: 'a column name cannot be empty' }] : [];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path, message: `expected ${shapeHelp}, found ${describeValue(value)}` }];
  }
  const entry = value as Record<string, unknown>;
  const out: Described[] = [];
  const allowed = FIELDS['column'] ?? [];
  let typoOfKey = false;
  for (const key of Object.keys(entry)) {
    if (allowed.includes(key)) continue;
    const suggestion = closest(key, allowed);
    if (suggestion === 'column' || suggestion === 'expression') typoOfKey = true;
    out.push({ path: [...path, key], message: unknownField(key, allowed, 'column'), at: { at: 'key' } });
  }
  const hasColumn = 'column' in entry;
  const hasExpression = 'expression' in entry;
  if (hasColumn && hasExpression) {
    out.push({ path, message: 'a column entry needs exactly one of "column" or "expression", not both' });
  } else if (!hasColumn && !hasExpression && !typoOfKey) {
    out.push({ path, message: 'a column entry needs exactly one of "column" or "expression"' });
  }
  for (const key of ['column', 'expression', 'opclass', 'collation']) {
    if (!(key in entry)) continue;
    const v = entry[key];
    if (typeof v !== 'string') out.push({ path: [...path, key], message: typeMessage(`"${key}"`, ['string'], v) });
    else if (v === '') out.push({ path: [...path, key], message: `"${key}" cannot be empty` });
  }
  if ('opclassParams' in entry) {
    const params = entry['opclassParams'];
    if (!isPlainObject(params)) {
      out.push({ path: [...path, 'opclassParams'], message: typeMessage('"opclassParams"', ['object'], params) });
    } else {
      for (const [name, v] of Object.entries(params)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') continue;
        out.push({
          path: [...path, 'opclassParams', name],
          message: typeMessage(`"${name}"`, ['string', 'number', 'boolean'], v),
        });
      }
    }
    if (!('opclass' in entry)) {
      out.push({ path: [...path, 'opclassParams'], message: OPCLASS_PARAMS_NEED_OPCLASS, at: { at: 'key' } });
    }
  }
  const enums: readonly (readonly [string, readonly string[]])[] = [
    ['order', ['asc', 'desc']],
    ['nulls', ['first', 'last']],
  ];
  for (const [key, values] of enums) {
    if (key in entry && !values.includes(entry[key] as string)) {
      out.push({ path: [...path, key], message: enumMessage(`"${key}"`, values, entry[key]) });
    }
  }
  return out;
}

function describeQuantity(value: unknown, path: ManifestPath, kind: 'duration' | 'size'): Described {
  if (typeof value !== 'number' && typeof value !== 'string') {
    const expected =
      kind === 'duration'
        ? 'a duration (milliseconds, or a value like 500ms, 5s, 2min)'
        : 'a size (bytes, or a value like 64kB, 512MB, 1GB)';
    return { path, message: `expected ${expected}, found ${describeValue(value)}` };
  }
  try {
    if (kind === 'duration') parseDuration(value);
    else parseSize(value);
  } catch (error) {
    if (error instanceof UnitError) return { path, message: error.message };
    throw error;
  }
  return { path, message: `${JSON.stringify(value)} is not a ${kind}` };
}

function unknownField(name: string, allowed: readonly string[], shape: string): string {
  const suggestion = closest(name, allowed);
  if (suggestion !== undefined) return `unknown field "${name}" — did you mean "${suggestion}"?`;
  if (shape === 'index' && STORAGE_PARAMETERS.includes(name)) {
    return `unknown field "${name}": it is a storage parameter, write with: { ${name}: … }`;
  }
  const where: Readonly<Record<string, string>> = {
    root: 'the top level takes',
    defaults: '"defaults" takes',
    settings: '"settings" takes',
    budgets: '"budgets" takes',
    table: 'a table takes',
    index: 'an index takes',
    column: 'a column entry takes',
    query: 'a query takes',
  };
  const hint =
    shape === 'table' && (FIELDS['index'] ?? []).includes(name) ? ' (index fields go under indexes.<index name>)' : '';
  return `unknown field "${name}"; ${where[shape] ?? 'allowed are'}: ${allowed.join(', ')}${hint}`;
}

/** The allowed name nearest to a mistyped one, if it is near enough to be a typo. */
function closest(name: string, allowed: readonly string[]): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    if (squash(candidate) === squash(name)) return candidate;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3;
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`uniuqe`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

const EXPECTED: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  null: 'nothing',
};

function fieldName(path: readonly string[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the manifest';
  return /^\d+$/.test(last) && ['columns', 'include', 'queries', 'params'].includes(path[path.length - 2] ?? '')
    ? 'the entry'
    : `"${last}"`;
}

function typeMessage(field: string, expected: readonly string[], found: unknown, listOfNames = false): string {
  const words = expected.map((t) => (expected.length > 1 && t === 'boolean' ? 'true/false' : (EXPECTED[t] ?? t)));
  const list = words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
  let hint = '';
  // `columns: email` or `include: id, title`: the list brackets were forgotten.
  if (expected.includes('array') && typeof found === 'string' && listOfNames && /^[\w$". ]+(,[\w$". ]+)*$/.test(found)) {
    hint = ` (write [${found}])`;
  }
  if (expected.includes('boolean') && typeof found === 'string' && /^(yes|no|on|off|y|n)$/i.test(found)) {
    hint = ' (YAML 1.2 reads yes/no/on/off as text)';
  }
  return `${field} must be ${list}, found ${describeValue(found)}${hint}`;
}

function enumMessage(field: string, allowed: readonly unknown[], found: unknown): string {
  const words = allowed.map(String);
  const list = words.length === 2 ? `${words[0]} or ${words[1]}` : `one of ${words.join(', ')}`;
  return `${field} must be ${list}, not ${typeof found === 'string' ? JSON.stringify(found) : describeValue(found)}`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

/**
 * Takes out of (a copy of) the object what failed the schema, so the rest can still be built and
 * checked: all problems come out in one run, none twice. List entries are replaced by a harmless
 * placeholder rather than removed, so the paths of the entries after them stay right.
 */
function withoutInvalidParts(
  data: unknown,
  errors: readonly ErrorObject[],
): { input: ManifestInput; crossChecks: boolean; placeholders: ReadonlySet<string> } {
  const placeholders = new Set<string>();
  if (errors.length === 0) return { input: data as ManifestInput, crossChecks: true, placeholders };
  const root = (isPlainObject(data) ? structuredClone(data) : {}) as Record<string, unknown>;
  let crossChecks = true;
  for (const error of errors) {
    const path = decodePointer(error.instancePath);
    const columnAt = path.length >= 6 && shapeAt(path.slice(0, 6)) === 'column' ? path.slice(0, 6) : undefined;
    const target =
      columnAt ??
      (error.keyword === 'additionalProperties'
        ? [...path, String((error.params as Record<string, unknown>)['additionalProperty'])]
        : error.keyword === 'required'
          ? [...path, String((error.params as Record<string, unknown>)['missingProperty'])]
          : path);
    // Without a trustworthy default schema (`defualts:` counts), clashes between tables cannot be told.
    if (closest(target[0] ?? '', ['defaults']) === 'defaults' && target[1] !== 'prune') crossChecks = false;
    for (const at of replaceWithPlaceholder(root, target)) placeholders.add(formatPath(toManifestPath(at)));
  }
  if (root['version'] !== 1) root['version'] = 1;
  if (!isPlainObject(root['tables'])) root['tables'] = {};
  return { input: root as unknown as ManifestInput, crossChecks, placeholders };
}

/**
 * Removes the value at `path` or, where something must be there, puts a valid stand-in. Returns the
 * paths of the stand-in list entries, which the later checks must leave alone.
 */
function replaceWithPlaceholder(root: Record<string, unknown>, path: readonly string[]): string[][] {
  const last = path[path.length - 1];
  if (last === undefined) return [];
  const parent = valueAt(root, path.slice(0, -1));
  if (Array.isArray(parent)) {
    parent[Number(last)] = structuredClone(ENTRY_PLACEHOLDERS[path[path.length - 2] ?? ''] ?? null);
    return [[...path]];
  }
  if (isPlainObject(parent)) {
    const placeholder = FIELD_PLACEHOLDERS[`${shapeAt(path.slice(0, -1)) ?? ''}.${last}`];
    if (placeholder === undefined) delete parent[last];
    else parent[last] = structuredClone(placeholder);
    if (Array.isArray(placeholder)) return placeholder.map((_, i) => [...path, String(i)]);
  }
  return [];
}

// Stand-ins for required fields and for list entries; they only keep paths right and are never reported.
const FIELD_PLACEHOLDERS: Readonly<Record<string, unknown>> = {
  'root.version': 1,
  'root.tables': {},
  'index.columns': ['\u0000column'],
  'query.sql': 'SELECT 1',
};
const ENTRY_PLACEHOLDERS: Readonly<Record<string, unknown>> = {
  columns: '\u0000column',
  include: '\u0000include',
  queries: { sql: 'SELECT 1' },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function countDeclared(data: unknown): { tableCount: number; indexCount: number } {
  if (!isPlainObject(data) || !isPlainObject(data['tables'])) return { tableCount: 0, indexCount: 0 };
  let indexCount = 0;
  const tables = Object.values(data['tables']);
  for (const table of tables) {
    if (isPlainObject(table) && isPlainObject(table['indexes'])) indexCount += Object.keys(table['indexes']).length;
  }
  return { tableCount: tables.length, indexCount };
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const part of path) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isPlainObject(current)) current = current[part];
    else return undefined;
  }
  return current;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** JSON Pointer segments → manifest path, with list positions as numbers. */
function toManifestPath(path: readonly string[]): ManifestPath {
  return path.map((part, i) => {
    const parent = path[i - 1];
    const numeric = /^\d+$/.test(part) && (parent === 'columns' || parent === 'include' || parent === 'queries' || parent === 'params');
    return numeric ? Number(part) : part;
  });
}

// ---- YAML positions ------------------------------------------------------------------------------

function makeLocator(doc: Document, text: string, position: Position, file: string): Locate {
  const find = makeFinder(doc);
  return (path, options = {}) => {
    const found = find(path);
    let offset: number;
    const node = found.node;
    const pointAtKey =
      options.at === 'key' || !node || (isScalar(node) && node.value === null && !node.source && found.pair !== undefined);
    if (pointAtKey && found.pair && isNodeWithRange(found.pair.key)) {
      offset = found.pair.key.range[0];
    } else if (node?.range) {
      offset = node.range[0];
      if (options.offset !== undefined && isScalar(node)) {
        offset = scalarSourceOffset(node, text, options.offset) ?? offset;
      }
    } else {
      offset = found.nearest?.range?.[0] ?? 0;
    }
    const { line, column } = position(offset);
    const ref: SourceRef = { file, line, column, path: formatPath(path) };
    return ref;
  };
}

interface Found {
  readonly node?: Node;
  readonly pair?: Pair;
  /** The deepest node found on the way, for paths that do not exist (a missing field). */
  readonly nearest?: Node;
}

interface Step {
  readonly value: unknown;
  readonly pair?: Pair;
  readonly nearest?: Node;
  /** The path leaves the document here; deeper paths stop at the same place. */
  readonly end?: boolean;
}

/** Path → node; remembers every prefix, since thousands of paths share them. */
function makeFinder(doc: Document): (path: ManifestPath) => Found {
  const root: Step = { value: doc.contents, ...(isNodeWithRange(doc.contents) ? { nearest: doc.contents } : {}) };
  const memo = new Map<string, Step>();
  const step = (path: ManifestPath): Step => {
    if (path.length === 0) return root;
    const key = path.join('\u0000');
    const known = memo.get(key);
    if (known) return known;
    const result = stepInto(doc, step(path.slice(0, -1)), path[path.length - 1] as string | number);
    memo.set(key, result);
    return result;
  };
  return (path) => {
    const { value, pair, nearest, end } = step(path);
    const resolved = isAlias(value) ? (value.resolve(doc) ?? value) : value;
    return {
      ...(!end && isNodeWithRange(resolved) ? { node: resolved } : {}),
      ...(pair ? { pair } : {}),
      ...(nearest ? { nearest } : {}),
    };
  };
}

function stepInto(doc: Document, parent: Step, part: string | number): Step {
  if (parent.end) return parent;
  const nearest = parent.nearest ? { nearest: parent.nearest } : {};
  const current = isAlias(parent.value) ? parent.value.resolve(doc) : parent.value;
  let value: unknown;
  let pair: Pair | undefined;
  if (isMap(current)) {
    pair = findPair(doc, current.items, String(part));
    if (!pair) return { value: undefined, end: true, ...nearest };
    value = pair.value;
  } else if (isSeq(current) && typeof part === 'number') {
    value = current.items[part];
  } else {
    return { value: undefined, end: true, ...nearest };
  }
  const withPair = pair ? { pair } : {};
  // An empty value (`indexes:`): point at its key, for this path and any below it.
  if (value === undefined || value === null) return { value: undefined, end: true, ...withPair, ...nearest };
  return { value, ...withPair, ...(isNodeWithRange(value) ? { nearest: value } : nearest) };
}

// Key → first pair of that key, per mapping: a manifest is looked up thousands of times.
const pairIndexes = new WeakMap<readonly unknown[], Map<string, Pair>>();

function findPair(doc: Document, items: readonly unknown[], key: string): Pair | undefined {
  let index = pairIndexes.get(items);
  if (!index) {
    index = new Map();
    for (const item of items) {
      if (isPair(item) && !index.has(keyText(item.key))) index.set(keyText(item.key), item);
    }
    pairIndexes.set(items, index);
  }
  const direct = index.get(key);
  if (direct) return direct;
  if (!index.has('<<')) return undefined;
  let merged: Pair | undefined;
  for (const item of items) {
    if (!isPair(item)) continue;
    // `<<: *base` merge keys: the field may come from the merged mapping.
    if (keyText(item.key) === '<<' && merged === undefined) {
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const resolved = isAlias(source) ? source.resolve(doc) : source;
        if (isMap(resolved)) merged ??= findPair(doc, resolved.items, key);
      }
    }
  }
  return merged;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return String(key);
}

function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return value !== null && typeof value === 'object' && Array.isArray((value as { range?: unknown }).range);
}

/** Keys written twice in one mapping (YAML would silently keep the last one). */
function duplicateKeys(node: unknown, path: ManifestPath, file: string, position: Position): Problem[] {
  const problems: Problem[] = [];
  if (isMap(node)) {
    const seen = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      const first = seen.get(key);
      // Several `<<` merge keys are allowed.
      if (first && key !== '<<' && isNodeWithRange(pair.key) && isNodeWithRange(first.key)) {
        const { line, column } = position(pair.key.range[0]);
        problems.push({
          file,
          line,
          column,
          path: formatPath([...path, key]),
          message: `duplicate key "${key}": it is already at line ${position(first.key.range[0]).line}; each key may appear once`,
        });
      } else if (!first) {
        seen.set(key, pair);
      }
      problems.push(...duplicateKeys(pair.value, [...path, key], file, position));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => problems.push(...duplicateKeys(item, [...path, i], file, position)));
  }
  return problems;
}

type Position = (offset: number) => { line: number; column: number };

function describeYamlError(error: YAMLError): string {
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return 'not valid YAML: a tab is used for indentation; YAML indents with spaces';
    case 'MULTIPLE_DOCS':
      return 'not valid YAML for a manifest: the file holds more than one YAML document ("---"); use one';
    default:
      return `not valid YAML: ${lowerFirst(error.message)}`;
  }
}

/**
 * Source offset of the character at `offset` inside a scalar's value. Rebuilds the value from the
 * source the way YAML folds it, and gives up (undefined) when the rebuild does not match: a wrong
 * position is worse than the start of the node.
 */
function scalarSourceOffset(node: Scalar, text: string, offset: number): number | undefined {
  const range = node.range;
  if (!range) return undefined;
  const [start, end] = range;
  let mapped: { value: string; map: number[] } | undefined;
  switch (node.type) {
    case 'PLAIN':
      mapped = foldFlow(text.slice(start, end), start, 'plain');
      break;
    case 'QUOTE_SINGLE':
      mapped = foldFlow(text.slice(start + 1, end - 1), start + 1, 'single');
      break;
    case 'QUOTE_DOUBLE':
      mapped = foldFlow(text.slice(start + 1, end - 1), start + 1, 'double');
      break;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      mapped = foldBlock(text, start, end, node.type === 'BLOCK_FOLDED');
      break;
    default:
      return undefined;
  }
  if (!mapped) return undefined;
  const value = String(node.value);
  const strip = (s: string): string => s.replace(/\n+$/, '');
  if (strip(mapped.value) !== strip(value)) return undefined;
  if (offset < mapped.map.length) return mapped.map[offset];
  const last = mapped.map[mapped.map.length - 1];
  return last === undefined ? undefined : last + 1;
}

function foldFlow(raw: string, rawStart: number, style: 'plain' | 'single' | 'double'): { value: string; map: number[] } {
  let value = '';
  const map: number[] = [];
  const lines = raw.split('\n');
  let lineStart = rawStart;
  let emptyLines = 0;
  let joinWithoutSpace = false;
  for (const [i, rawLine] of lines.entries()) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const isFirst = i === 0;
    const isLast = i === lines.length - 1;
    let from = 0;
    let to = line.length;
    if (!isFirst) while (from < to && (line[from] === ' ' || line[from] === '\t')) from++;
    if (!isLast || style === 'plain') while (to > from && (line[to - 1] === ' ' || line[to - 1] === '\t')) to--;
    if (!isFirst) {
      if (from === to && !isLast) {
        emptyLines += 1;
        lineStart += rawLine.length + 1;
        continue;
      }
      if (emptyLines > 0) {
        for (let k = 0; k < emptyLines; k++) {
          value += '\n';
          map.push(lineStart - 1);
        }
      } else if (!joinWithoutSpace) {
        value += ' ';
        map.push(lineStart - 1);
      }
      emptyLines = 0;
    }
    joinWithoutSpace = false;
    for (let j = from; j < to; j++) {
      const ch = line[j] as string;
      if (style === 'single' && ch === "'" && line[j + 1] === "'") {
        value += "'";
        map.push(lineStart + j);
        j += 1;
      } else if (style === 'double' && ch === '\\') {
        if (j === to - 1) {
          joinWithoutSpace = true; // an escaped line break joins the lines with nothing between
          break;
        }
        const escape = line[j + 1] as string;
        const width = escape === 'x' ? 2 : escape === 'u' ? 4 : escape === 'U' ? 8 : 0;
        const decoded = width > 0 ? String.fromCodePoint(parseInt(line.slice(j + 2, j + 2 + width), 16)) : (DOUBLE_ESCAPES[escape] ?? escape);
        for (let k = 0; k < decoded.length; k++) map.push(lineStart + j);
        value += decoded;
        j += 1 + width;
      } else {
        value += ch;
        map.push(lineStart + j);
      }
    }
    lineStart += rawLine.length + 1;
  }
  return { value, map };
}

const DOUBLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

function foldBlock(text: string, start: number, end: number, folded: boolean): { value: string; map: number[] } | undefined {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd === -1 || headerEnd >= end) return undefined;
  const bodyStart = headerEnd + 1;
  const lines = text.slice(bodyStart, end).split('\n');
  const firstContent = lines.find((l) => l.trim() !== '');
  if (firstContent === undefined) return undefined;
  const indent = firstContent.length - firstContent.trimStart().length;
  let value = '';
  const map: number[] = [];
  let lineStart = bodyStart;
  let previous: 'none' | 'normal' | 'more' | 'empty' = 'none';
  let pendingBreaks = 0;
  for (const rawLine of lines) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const content = line.slice(Math.min(indent, line.length));
    const isEmpty = line.trim() === '';
    if (isEmpty) {
      pendingBreaks += 1;
      lineStart += rawLine.length + 1;
      continue;
    }
    const kind = content.startsWith(' ') || content.startsWith('\t') ? 'more' : 'normal';
    if (previous !== 'none') {
      // Folded: a single break between two normal lines becomes a space; otherwise breaks stay.
      const breaks = folded && previous === 'normal' && kind === 'normal' ? pendingBreaks : pendingBreaks + 1;
      if (breaks === 0) {
        value += ' ';
        map.push(lineStart - 1);
      }
      for (let k = 0; k < breaks; k++) {
        value += '\n';
        map.push(lineStart - 1);
      }
    } else {
      for (let k = 0; k < pendingBreaks; k++) {
        value += '\n';
        map.push(lineStart - 1);
      }
    }
    pendingBreaks = 0;
    for (let j = 0; j < content.length; j++) {
      value += content[j];
      map.push(lineStart + indent + j);
    }
    previous = kind;
    lineStart += rawLine.length + 1;
  }
  return { value, map };
}

// ---- small helpers -------------------------------------------------------------------------------

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Byte offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Lead byte → sequence length and the range of the second byte (no overlongs, no surrogates).
    let length = 0;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    }
    if (length === 0 || i + length > bytes.length) return i;
    const second = bytes[i + 1] as number;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k] as number;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return i;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
