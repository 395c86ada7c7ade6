/*
 * The search path the connecting role gets in the database, read on a connection that pins nothing:
 * what resolves the manifest's unqualified names (`settings.searchPath` when the manifest sets it, else
 * this, with pg_catalog first), and what `check` runs the application's queries with.
 */
import { resolutionPath, type ResolutionPath } from '../core/search-path.js';
import type { Settings } from '../core/model.js';
import { withSession, type ConnectionTarget } from './db.js';

export interface RoleSearchPath {
  /** As SHOW search_path says it, `"$user"` and all. */
  readonly setting: string;
  /** current_schemas(false): `"$user"` expanded, schemas that do not exist left out. */
  readonly schemas: readonly string[];
}

export async function readRoleSearchPath(target: ConnectionTarget): Promise<RoleSearchPath> {
  return withSession(
    target,
    async (session) => {
      const { rows } = await session.query<{ setting: string; schemas: string[] }>(
        `SELECT current_setting('search_path') AS setting, current_schemas(false)::text[] AS schemas`,
      );
      return { setting: rows[0]?.setting ?? '', schemas: rows[0]?.schemas ?? [] };
    },
    { pin: false },
  );
}

export async function readResolutionPath(target: ConnectionTarget, settings: Pick<Settings, 'searchPath'>): Promise<ResolutionPath> {
  if (settings.searchPath !== undefined) return resolutionPath(settings.searchPath, 'settings.searchPath');
  return resolutionPath((await readRoleSearchPath(target)).schemas, 'role');
}
