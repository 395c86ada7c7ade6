import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { checkManifestText } from '../../src/io/manifest/load.js';
import { fieldListsFromSchema, fieldsOf, SHAPE_PATHS } from '../../src/io/manifest/schema.js';
import { shapeAt } from '../../src/io/manifest/schema-paths.js';

const schema = JSON.parse(await readFile(new URL('../../schema/indexes.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  await loadSqlParser();
});

/** Property names of every mapping in the schema that takes no other fields. */
function closedMappings(node: unknown, out: string[][] = []): string[][] {
  if (Array.isArray(node)) node.forEach((item) => closedMappings(item, out));
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return out;
  const object = node as Record<string, unknown>;
  if (object['additionalProperties'] === false) out.push(Object.keys(object['properties'] as object));
  for (const value of Object.values(object)) closedMappings(value, out);
  return out;
}

describe('field lists read from schema/indexes.schema.json', () => {
  it('names each kind of mapping by the same shape as the error messages do', () => {
    for (const [shape, path] of Object.entries(SHAPE_PATHS)) {
      expect([shape, shapeAt(path.map((part) => (part === '*' ? '0' : part)))]).toEqual([shape, shape]);
    }
  });

  it('covers every mapping the schema closes, with its fields in the schema order', () => {
    const derived = Object.values(fieldListsFromSchema(schema)).map((fields) => fields.join(','));
    expect(derived.sort()).toEqual(closedMappings(schema).map((fields) => fields.join(',')).sort());
    expect(fieldsOf('index')).toEqual(Object.keys((schema['$defs'] as Record<string, { properties: object }>)['index']?.properties ?? {}));
  });

  it('follows the schema when it gains a field', () => {
    const changed = structuredClone(schema);
    const settings = (changed['properties'] as Record<string, { properties: Record<string, unknown> }>)['settings'];
    if (settings) settings.properties['applicationName'] = { type: 'string' };
    expect(fieldListsFromSchema(changed)['settings']?.at(-1)).toBe('applicationName');
    expect(fieldsOf('settings')).not.toContain('applicationName');
  });

  it('fails loudly when a kind of mapping is missing from the schema', () => {
    const changed = structuredClone(schema);
    delete (changed['$defs'] as Record<string, unknown>)['query'];
    expect(() => fieldListsFromSchema(changed)).toThrow('schema/indexes.schema.json has no fields for query (at /tables/*/indexes/*/queries/*)');
  });

  it('describes as a duration or a size exactly the values the schema declares so', () => {
    const quantities: string[] = [];
    const walk = (node: unknown, path: string[]): void => {
      if (node === null || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      const ref = object['$ref'];
      if (ref === '#/$defs/duration' || ref === '#/$defs/size') quantities.push(`${path.join('.')} ${ref.slice(8)}`);
      if (typeof ref === 'string') walk((schema['$defs'] as Record<string, unknown>)[ref.slice(8)], path);
      for (const branch of (object['anyOf'] as unknown[] | undefined) ?? []) walk(branch, path);
      for (const [key, value] of Object.entries((object['properties'] as object | undefined) ?? {})) walk(value, [...path, key]);
      if (typeof object['additionalProperties'] === 'object') walk(object['additionalProperties'], [...path, '0']);
      if (typeof object['items'] === 'object') walk(object['items'], [...path, '0']);
    };
    walk(schema, []);
    expect(quantities.map((entry) => `${entry.split(' ')[0]} ${shapeAt(entry.split(' ')[0]?.split('.') ?? [])}`)).toEqual(quantities);
    expect(quantities.length).toBeGreaterThan(0);
  });

  it('lists the allowed fields of a mapping from the schema in the unknown-field message', () => {
    const check = checkManifestText('version: 1\nbudgets: { maxRatio: 1 }\ntables: {}\n', 'indexes.yaml');
    expect(check.problems.map((p) => p.message)).toEqual(['unknown field "maxRatio"; "budgets" takes: indexToTableRatio']);
  });
});
