/*
 * The search path that resolves the manifest's unqualified names: `settings.searchPath` when the
 * manifest sets it, else the one the connecting role gets in the database (read on a connection that
 * pins nothing, `"$user"` expanded), with pg_catalog first either way.
 */
import { resolutionPath, type ResolutionPath } from '../core/search-path.js';
import type { Settings } from '../core/model.js';
import { withSession, type ConnectionTarget } from './db.js';

export async function readResolutionPath(target: ConnectionTarget, settings: Pick<Settings, 'searchPath'>): Promise<ResolutionPath> {
  if (settings.searchPath !== undefined) return resolutionPath(settings.searchPath, 'settings.searchPath');
  const schemas = await withSession(
    target,
    async (session) => {
      // current_schemas(false): the search_path as the role has it here, "$user" expanded, schemas that do not exist left out.
      const { rows } = await session.query<{ schemas: string[] }>('SELECT current_schemas(false)::text[] AS schemas');
      return rows[0]?.schemas ?? [];
    },
    { pin: false },
  );
  return resolutionPath(schemas, 'role');
}
