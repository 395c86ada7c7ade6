/*
 * Salvage: what failed the schema is taken out (or replaced by a stand-in), so the rest of the manifest
 * can still be built and checked and every problem is reported in one run.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { ManifestInput } from '../../core/manifest-input.js';
import { formatPath } from '../../core/manifest-path.js';
import { closest } from '../../core/suggest.js';
import { columnEntryAt, decodePointer, isPlainObject, shapeAt, toManifestPath, valueAt } from './schema-paths.js';

/**
 * Takes out of (a copy of) the object what failed the schema, so the rest can still be built and
 * checked: all problems come out in one run, none twice. List entries are replaced by a harmless
 * placeholder rather than removed, so the paths of the entries after them stay right.
 */
export function withoutInvalidParts(
  data: unknown,
  errors: readonly ErrorObject[],
): { input: ManifestInput; crossChecks: boolean; placeholders: ReadonlySet<string> } {
  const placeholders = new Set<string>();
  if (errors.length === 0) return { input: data as ManifestInput, crossChecks: true, placeholders };
  const root = (isPlainObject(data) ? structuredClone(data) : {}) as Record<string, unknown>;
  let crossChecks = true;
  for (const error of errors) {
    const path = decodePointer(error.instancePath);
    const columnAt = columnEntryAt(path);
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
