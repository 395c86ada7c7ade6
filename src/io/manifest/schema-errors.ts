/*
 * ajv's errors in plain words: one message per problem, at the manifest path it is about. Unions
 * (column entries, durations, sizes) are described by what is wrong with the value, not branch by branch.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { OPCLASS_PARAMS_NEED_OPCLASS } from '../../core/desired-parameters.js';
import type { LocateOptions, ManifestPath } from '../../core/manifest-path.js';
import { closest } from '../../core/suggest.js';
import { parseDuration, parsePercent, parseSize, UnitError } from '../../core/units.js';
import { fieldsOf } from './schema.js';
import { columnEntryAt, decodePointer, isPlainObject, shapeAt, toManifestPath, valueAt } from './schema-paths.js';

export interface Described {
  readonly path: ManifestPath;
  readonly message: string;
  readonly at?: LocateOptions;
}

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

export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): Described[] {
  const out: Described[] = [];
  // Column entries, durations and sizes are unions: ajv reports every branch; say what is wrong instead.
  const collapsed = new Set<string>();
  // `colums: [a]` is one problem (a typo), not also a missing "columns".
  const typos = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'additionalProperties') continue;
    const name = String((error.params as Record<string, unknown>)['additionalProperty']);
    const suggestion = closest(name, fieldsOf(shapeAt(decodePointer(error.instancePath)) ?? 'root'));
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
    const columnAt = columnEntryAt(path);
    const union = columnAt ?? (['duration', 'size', 'percent'].includes(shapeAt(path) ?? '') ? path : undefined);
    if (union) {
      const key = union.join('/');
      if (collapsed.has(key)) continue;
      collapsed.add(key);
      const value = valueAt(data, union);
      if (columnAt) out.push(...describeColumnEntry(value, toManifestPath(union)));
      else out.push(describeQuantity(value, toManifestPath(union), quantityKind(shapeAt(union))));
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
      return { path: [...at, name], message: unknownField(name, fieldsOf(shape), shape), at: { at: 'key' } };
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
  const allowed = fieldsOf('column');
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

type QuantityKind = 'duration' | 'size' | 'percent';

function quantityKind(shape: string | undefined): QuantityKind {
  return shape === 'size' || shape === 'percent' ? shape : 'duration';
}

const QUANTITY_WORDS: Readonly<Record<QuantityKind, string>> = {
  duration: 'a duration (milliseconds, or a value like 500ms, 5s, 2min)',
  size: 'a size (bytes, or a value like 64kB, 512MB, 1GB)',
  percent: 'a percentage (a value like 30% or 12.5%)',
};

function describeQuantity(value: unknown, path: ManifestPath, kind: QuantityKind): Described {
  if (typeof value !== 'number' && typeof value !== 'string') {
    return { path, message: `expected ${QUANTITY_WORDS[kind]}, found ${describeValue(value)}` };
  }
  try {
    if (kind === 'duration') parseDuration(value);
    else if (kind === 'size') parseSize(value);
    else parsePercent(value);
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
    maintenance: '"maintenance" takes',
    table: 'a table takes',
    index: 'an index takes',
    column: 'a column entry takes',
    query: 'a query takes',
  };
  const hint =
    shape === 'table' && fieldsOf('index').includes(name) ? ' (index fields go under indexes.<index name>)' : '';
  return `unknown field "${name}"; ${where[shape] ?? 'allowed are'}: ${allowed.join(', ')}${hint}`;
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

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}
