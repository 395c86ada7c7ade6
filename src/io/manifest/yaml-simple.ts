/*
 * The fast way to a manifest's data (core/simple-yaml.ts), with unquoted scalars resolved by the yaml
 * package's own schema and options, those of parseDocument in yaml-document.ts: the same text gives the
 * same values either way.
 */
import { Document, isScalar, type ScalarTag } from 'yaml';
import { NOT_SIMPLE, readSimpleYaml, type ResolvePlain } from '../../core/simple-yaml.js';

let resolvePlain: ResolvePlain | undefined;

/** The data of a manifest written in simple YAML; undefined for any other text. */
export function readSimpleManifest(text: string): Record<string, unknown> | undefined {
  resolvePlain ??= schemaResolver();
  return readSimpleYaml(text, resolvePlain);
}

function schemaResolver(): ResolvePlain {
  // The options parseDocument gets in yaml-document.ts that decide values: the core schema, merge keys.
  const { schema, options } = new Document(null, { merge: true, uniqueKeys: false });
  // Collection tags have no `test`, so the search below never picks one.
  const tags = schema.tags as ScalarTag[];
  return (text, atKey) => {
    // As the yaml package's composeScalar: the first default tag whose test matches, else a string.
    const tag = tags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(text) === true);
    if (!tag) return text;
    if (!tag.resolve) return NOT_SIMPLE;
    let failed = false;
    const resolved: unknown = tag.resolve(text, () => void (failed = true), options);
    const value = isScalar(resolved) ? resolved.value : resolved;
    if (failed || (typeof value === 'object' && value !== null) || typeof value === 'symbol' || typeof value === 'bigint') return NOT_SIMPLE;
    return value;
  };
}
