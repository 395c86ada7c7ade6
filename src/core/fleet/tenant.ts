/*
 * Schema per tenant: the manifest as one tenant's schema sees it. Table keys that name no schema are
 * the tenant's tables (its schema takes the place of defaults.schema), and the tenant's schema comes
 * first on the path that resolves the manifest's names, so its own enum or function is found before
 * public's.
 */
import { parseTableKey } from '../table-key.js';
import type { DesiredState } from '../model.js';
import { resolutionPath, type ResolutionPath } from '../search-path.js';

/** A placeholder no schema can be named (it holds a NUL), to tell a bare key from a qualified one. */
const BARE = '\u0000';

export type TenantDesired = { readonly ok: true; readonly desired: DesiredState } | { readonly ok: false; readonly message: string };

export function tenantDesired(desired: DesiredState, schema: string): TenantDesired {
  const seen = new Map<string, string>();
  const tables = desired.tables.map((table) => {
    const parsed = parseTableKey(table.key, BARE);
    const bare = parsed.ok && parsed.schema === BARE;
    const moved = bare ? { ...table, schema, indexes: table.indexes.map((index) => ({ ...index, schema })) } : table;
    return moved;
  });
  for (const table of tables) {
    const qualified = `${table.schema}.${table.name}`;
    const other = seen.get(qualified);
    if (other !== undefined) {
      return { ok: false, message: `table keys "${other}" and "${table.key}" both name ${qualified} in tenant schema ${schema}: declare the table once` };
    }
    seen.set(qualified, table.key);
  }
  return { ok: true, desired: { ...desired, tables } };
}

/** The tenant's schema first (after pg_catalog), then the path the manifest or the role gives. */
export function tenantResolutionPath(base: ResolutionPath, schema: string): ResolutionPath {
  return resolutionPath([schema, ...base.schemas.filter((s) => s !== 'pg_catalog')], base.source);
}
