/*
 * The manifest's JSON Schema (schema/indexes.schema.json): its validator, compiled at build time, and the
 * fields each kind of mapping takes (read from the schema itself), for the messages about unknown fields.
 */
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { isPlainObject } from './schema-paths.js';
import { validate } from './schema-validator.generated.js';

let schemaJson: unknown;

/** The schema as shipped next to dist/ (package.json "files"): ../../../schema from both src/io/manifest and dist/io/manifest. */
export function manifestSchema(): unknown {
  schemaJson ??= JSON.parse(readFileSync(new URL('../../../schema/indexes.schema.json', import.meta.url), 'utf8'));
  return schemaJson;
}

/**
 * The schema's validator (ajv, allErrors and verbose). Compiled by schema/generate-validator.mjs:
 * compiling it in every process cost more than checking a big manifest.
 */
export function validator(): ValidateFunction {
  return validate as unknown as ValidateFunction;
}

/**
 * One path to each kind of mapping the manifest has, named as shapeAt() names them; `*` stands for any
 * key or list position.
 */
export const SHAPE_PATHS: Readonly<Record<string, readonly string[]>> = {
  root: [],
  defaults: ['defaults'],
  settings: ['settings'],
  citus: ['settings', 'citus'],
  budgets: ['budgets'],
  maintenance: ['maintenance'],
  table: ['tables', '*'],
  index: ['tables', '*', 'indexes', '*'],
  column: ['tables', '*', 'indexes', '*', 'columns', '*'],
  query: ['tables', '*', 'indexes', '*', 'queries', '*'],
};

let fields: Readonly<Record<string, readonly string[]>> | undefined;

/** The fields a kind of mapping takes, in the schema's order; none for a shape that is not a mapping. */
export function fieldsOf(shape: string): readonly string[] {
  fields ??= fieldListsFromSchema(manifestSchema());
  return Object.hasOwn(fields, shape) ? (fields[shape] ?? []) : [];
}

export function fieldListsFromSchema(schema: unknown): Readonly<Record<string, readonly string[]>> {
  const lists: Record<string, readonly string[]> = {};
  for (const [shape, path] of Object.entries(SHAPE_PATHS)) {
    const properties = objectSchema(subschemaAt(schema, path), schema)?.['properties'];
    if (!isPlainObject(properties)) throw new Error(`schema/indexes.schema.json has no fields for ${shape} (at /${path.join('/')})`);
    lists[shape] = Object.keys(properties);
  }
  return lists;
}

/** The subschema that describes the value at `path` (JSON Pointer segments of a manifest). */
export function subschemaAt(schema: unknown, path: readonly string[]): unknown {
  let node: unknown = schema;
  for (const part of path) {
    const object = objectSchema(node, schema);
    if (!object) return undefined;
    const properties = object['properties'];
    if (isPlainObject(properties) && part in properties) node = properties[part];
    else if (isPlainObject(object['additionalProperties'])) node = object['additionalProperties'];
    else if (isPlainObject(object['items'])) node = object['items'];
    else return undefined;
  }
  return node;
}

/** The schema itself, or what its `$ref` points at, or the object branch of its `anyOf`. */
function objectSchema(node: unknown, root: unknown): Record<string, unknown> | undefined {
  let current = node;
  for (let depth = 0; depth < 10 && isPlainObject(current); depth++) {
    const ref = current['$ref'];
    const anyOf = current['anyOf'];
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      current = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((at, key) => (isPlainObject(at) ? at[key] : undefined), root);
    } else if (Array.isArray(anyOf)) {
      current = anyOf.find((branch) => isPlainObject(branch) && (branch['type'] === 'object' || 'properties' in branch));
    } else {
      return current;
    }
  }
  return undefined;
}
