/*
 * A statement the server refused on a temporary copy, as the user's own problem: PostgreSQL's message,
 * detail and hint with the real names, and for a name that does not resolve, the search path used and
 * where an object of that name is.
 */
import { CLONE_NAME } from '../../core/canonical-batches.js';
import { describeResolutionPath, type ResolutionPath } from '../../core/search-path.js';
import type { CanonicalDefinition } from '../../core/canonical-batches.js';
import type { Query } from './batches.js';
import type { PgErrorLike } from '../../core/errors.js';

export type { PgErrorLike } from '../../core/errors.js';

/** PostgreSQL's message (with its detail and hint), our temporary names replaced by the real ones. */
export async function failure(query: Query, error: unknown, names: ReadonlyMap<string, string>, path: ResolutionPath): Promise<CanonicalDefinition> {
  const e = error as PgErrorLike;
  const realNames = (text: string): string => text.replace(CLONE_NAME, (found) => names.get(found.replace(/^.*\./, '')) ?? found);
  const parts = [e.message, e.detail, (await qualifyHint(query, e, path)) ?? e.hint]
    .filter((part): part is string => Boolean(part))
    .map((part) => realNames(part).replace(/\.$/, ''));
  return { ok: false, message: parts.join('. '), ...(e.code ? { code: e.code } : {}) };
}

const UNQUALIFIED = [
  { pattern: /^function ([^.(\s]+)\(/, kind: 'function', catalog: `SELECT DISTINCT pronamespace::regnamespace::text AS schema FROM pg_proc WHERE proname = $1` },
  { pattern: /^operator class "([^".]+)" does not exist/, kind: 'operator class', catalog: `SELECT DISTINCT opcnamespace::regnamespace::text AS schema FROM pg_opclass WHERE opcname = $1` },
  { pattern: /^type "([^".]+)" does not exist/, kind: 'type', catalog: `SELECT DISTINCT typnamespace::regnamespace::text AS schema FROM pg_type WHERE typname = $1` },
  { pattern: /^collation "([^".]+)" for encoding "[^"]*" does not exist/, kind: 'collation', catalog: `SELECT DISTINCT collnamespace::regnamespace::text AS schema FROM pg_collation WHERE collname = $1` },
  // `operator does not exist: text % unknown` (types may contain spaces; the operator is the symbol)
  { pattern: /^operator does not exist: (?:.*? )?([+\-*/<>=~!@#%^&|`?]+)(?: |$)/, kind: 'operator', catalog: `SELECT DISTINCT oprnamespace::regnamespace::text AS schema FROM pg_operator WHERE oprname = $1` },
] as const;

/**
 * An unqualified name that does not resolve: say which search path was used, and where the name
 * exists, if anywhere.
 */
async function qualifyHint(query: Query, error: PgErrorLike, path: ResolutionPath): Promise<string | undefined> {
  if (error.code !== '42883' && error.code !== '42704') return undefined;
  for (const { pattern, kind, catalog } of UNQUALIFIED) {
    const name = pattern.exec(error.message)?.[1];
    if (name === undefined) continue;
    const schemas = (await query<{ schema: string }>(catalog, [name]).catch(() => []))
      .map((row) => row.schema)
      .filter((schema) => schema !== 'pg_catalog')
      .sort();
    const rule = `Unqualified names resolve through search_path ${describeResolutionPath(path)}`;
    const spell = (schema: string): string => (kind === 'operator' ? `OPERATOR(${schema}.${name})` : `${schema}.${name}`);
    if (schemas.length > 0) {
      return `${rule}; ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} of that name is in ${schemas.join(', ')}: add the schema to settings.searchPath, or write ${schemas.map(spell).join(' or ')}`;
    }
    return `${rule}${error.hint ? `. ${error.hint}` : ''}`;
  }
  return undefined;
}
