/*
 * The search path that resolves a manifest's unqualified names. Definitions are compared as
 * PostgreSQL prints them under `search_path = pg_catalog` (every other name qualified); the manifest's
 * own names are resolved through this path, with pg_catalog first, as PostgreSQL puts it first when a
 * path does not name it.
 */
import { quoteIdent } from './sql.js';

export type ResolutionPathSource = 'settings.searchPath' | 'role';

export interface ResolutionPath {
  /** pg_catalog first, then the given schemas in order, each once. */
  readonly schemas: readonly string[];
  readonly source: ResolutionPathSource;
}

export function resolutionPath(schemas: readonly string[], source: ResolutionPathSource): ResolutionPath {
  return { schemas: ['pg_catalog', ...new Set(schemas.filter((schema) => schema !== 'pg_catalog'))], source };
}

/** The value for `SET search_path`: each schema quoted as an identifier. */
export function searchPathValue(path: ResolutionPath): string {
  return searchPathSql(path.schemas);
}

export function searchPathSql(schemas: readonly string[]): string {
  return schemas.map(quoteIdent).join(', ');
}

/** How messages name the path: `pg_catalog, public, extensions (the role's search_path in this database)`. */
export function describeResolutionPath(path: ResolutionPath): string {
  const origin = path.source === 'role' ? "the role's search_path in this database" : 'settings.searchPath';
  return `${path.schemas.join(', ')} (${origin})`;
}
