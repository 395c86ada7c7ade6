/*
 * The targets file's JSON Schema (schema/targets.schema.json), validated with ajv, and its errors in
 * plain words at the path they are about. The schema is small: compiled when a fleet command runs.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { LocateOptions, ManifestPath } from '../../core/manifest-path.js';
import { closest } from '../../core/suggest.js';
import { describeValue } from '../manifest/schema-errors.js';
import { isPlainObject, valueAt } from '../manifest/schema-paths.js';

let compiled: ValidateFunction | undefined;

export function targetsSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../../schema/targets.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
}

export function targetsValidator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(targetsSchema());
  return compiled;
}

export interface TargetsSchemaProblem {
  readonly path: ManifestPath;
  readonly message: string;
  readonly at?: LocateOptions;
}

const FIELDS: Readonly<Record<string, readonly string[]>> = {
  root: ['version', 'manifest', 'targets', 'discover'],
  target: ['name', 'url', 'labels', 'manifest'],
  discover: ['name', 'server', 'databases', 'schemas', 'labels', 'manifest'],
};

function decode(pointer: string, data: unknown): ManifestPath {
  if (pointer === '') return [];
  const parts = pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.map((part, i) => (Array.isArray(valueAt(data, parts.slice(0, i))) ? Number(part) : part));
}

function shapeOf(path: ManifestPath): string | undefined {
  if (path.length === 0) return 'root';
  if (path.length === 2 && path[0] === 'targets') return 'target';
  if (path.length === 2 && path[0] === 'discover') return 'discover';
  return undefined;
}

const NAME_RULE = 'a name has no spaces, "=" or ","';

/** Every schema error once, in words; the first problem at a place wins. */
export function describeTargetsErrors(errors: readonly ErrorObject[], data: unknown): TargetsSchemaProblem[] {
  const out: TargetsSchemaProblem[] = [];
  const seen = new Set<string>();
  const push = (problem: TargetsSchemaProblem): void => {
    const key = `${problem.path.join('\u0000')}\u0001${problem.at?.at ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(problem);
  };
  for (const error of errors) {
    const path = decode(error.instancePath, data);
    const params = error.params as Record<string, unknown>;
    const value = valueAt(data, path.map(String));
    // The branches of anyOf/oneOf are described by the anyOf/oneOf error itself.
    if (/\/(anyOf|oneOf)\/\d+\//.test(error.schemaPath) && error.keyword === 'required') continue;
    switch (error.keyword) {
      case 'additionalProperties': {
        const name = String(params['additionalProperty']);
        const allowed = FIELDS[shapeOf(path) ?? ''] ?? [];
        const suggestion = closest(name, allowed);
        const hint = suggestion ? ` — did you mean "${suggestion}"?` : allowed.length > 0 ? `: the fields here are ${allowed.map((f) => `"${f}"`).join(', ')}` : '';
        push({ path: [...path, name], message: `unknown field "${name}"${hint}`, at: { at: 'key' } });
        break;
      }
      case 'required':
        push({ path, message: `missing field "${String(params['missingProperty'])}"` });
        break;
      case 'anyOf':
        if (path.length === 0) push({ path, message: 'a targets file lists "targets:" or "discover:" (or both): there is no target' });
        break;
      case 'oneOf': {
        const both = isPlainObject(value) && 'databases' in value && 'schemas' in value;
        push({
          path,
          message: both
            ? 'a discover entry has "databases" or "schemas", not both: make two entries'
            : 'a discover entry needs "databases" (a LIKE pattern over database names) or "schemas" (over schema names)',
        });
        break;
      }
      case 'const':
        push({ path, message: `version must be 1, not ${describeValue(value)}` });
        break;
      case 'type': {
        const type = String(params['type']).replace('array', 'list').replace('object', 'mapping').replace('string', 'text');
        push({ path, message: `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type.replace(/,/g, ' or ')}, not ${describeValue(value)}` });
        break;
      }
      case 'minLength':
        push({ path, message: 'must not be empty' });
        break;
      case 'pattern':
        // A label name's pattern: the propertyNames error says it.
        if ((error as { propertyName?: string }).propertyName !== undefined) break;
        push({ path, message: `${describeValue(value)} is not a valid name: ${NAME_RULE}` });
        break;
      case 'propertyNames': {
        const name = String(params['propertyName']);
        push({ path: [...path, name], message: `label "${name}" is not a valid label name: ${NAME_RULE}`, at: { at: 'key' } });
        break;
      }
      default:
        push({ path, message: error.message ?? 'is not valid here' });
    }
  }
  return out;
}
