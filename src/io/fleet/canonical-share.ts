/*
 * Canonical forms shared between a fleet's targets. What pg_get_indexdef prints for a desired index
 * built on a temporary copy depends on the server, not on which database it is: the server version,
 * the statement, the copied table's columns (types with their modifiers, collations, NOT NULL, kind,
 * partition key), the path the manifest's names resolve through, and every object a name could
 * resolve to (types with their enum labels and domain base types, functions, operators, operator
 * classes and families, casts, collations, text search configurations, access methods, extensions with
 * their versions) and the database's encoding and locale. A result is keyed on all of them: one query
 * per target reads a digest of the database's own objects (what the server ships is fixed by its
 * version) and the shapes of the tables in question, so 500 tenants of one schema build each index
 * once. A wrong share would be a false plan on every target alike: anything not in the key must not
 * change the result.
 *
 * Targets planned at once wait for the one building a result instead of building it too; a build that
 * fails for its environment (a lock timeout, a lost connection) is not shared: the others build for
 * themselves. The cache holds one small entry per distinct index and shape, not per target.
 */
import type { CanonicalDefinition, IndexToClone } from '../../core/canonical-batches.js';
import { tableKey, type LiveState } from '../../core/model.js';
import { sha256 } from '../../core/plan-document.js';
import type { ResolutionPath } from '../../core/search-path.js';
import { qualify } from '../../core/sql.js';
import type { CanonicalShare, SharedClaim } from '../canonical/index.js';
import type { Session } from '../db.js';

// User objects only (oid >= FirstNormalObjectId): the server's own are fixed by its version. Every oid
// is printed as a name (under search_path = pg_catalog, schema-qualified), so alike databases agree.
const ENVIRONMENT_SQL = `
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) AS digest FROM (
  SELECT 'db ' || pg_encoding_to_char(encoding) || ' ' || datcollate || ' ' || datctype FROM pg_database WHERE datname = current_database()
  UNION ALL SELECT 'ext ' || e.extname || ' ' || e.extversion || ' ' || e.extnamespace::regnamespace::text FROM pg_extension e
  UNION ALL SELECT 'type ' || t.oid::regtype::text || ' ' || t.typtype::text || ' ' || t.typcategory::text || ' ' || coalesce(nullif(t.typcollation, 0)::regcollation::text, '')
      || ' ' || coalesce(format_type(nullif(t.typbasetype, 0), t.typtypmod), '')
      || ' ' || coalesce((SELECT string_agg(quote_literal(enumlabel), ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '')
      || ' ' || coalesce((SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
                          FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped), '')
    FROM pg_type t LEFT JOIN pg_class r ON r.oid = t.typrelid
    WHERE t.oid >= 16384 AND (t.typtype::text <> 'c' OR r.relkind = 'c') AND t.typelem = 0
  UNION ALL SELECT 'proc ' || p.oid::regprocedure::text || ' ' || p.prorettype::regtype::text || ' ' || p.provolatile::text || ' ' || p.prokind::text || ' ' || p.proretset::text || ' ' || p.provariadic::regtype::text
    FROM pg_proc p WHERE p.oid >= 16384
  UNION ALL SELECT 'op ' || o.oid::regoperator::text || ' ' || o.oprresult::regtype::text || ' ' || o.oprcode::regprocedure::text FROM pg_operator o WHERE o.oid >= 16384
  UNION ALL SELECT 'opc ' || c.opcnamespace::regnamespace::text || '.' || quote_ident(c.opcname) || ' ' || a.amname || ' ' || c.opcintype::regtype::text || ' ' || c.opcdefault::text
      || ' ' || c.opckeytype::regtype::text || ' ' || f.opfnamespace::regnamespace::text || '.' || quote_ident(f.opfname)
    FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily WHERE c.oid >= 16384
  UNION ALL SELECT 'amop ' || f.opfnamespace::regnamespace::text || '.' || quote_ident(f.opfname) || ' ' || o.amopstrategy || ' ' || o.amoplefttype::regtype::text
      || ' ' || o.amoprighttype::regtype::text || ' ' || o.amopopr::regoperator::text || ' ' || o.amoppurpose::text
    FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily WHERE o.oid >= 16384
  UNION ALL SELECT 'amproc ' || f.opfnamespace::regnamespace::text || '.' || quote_ident(f.opfname) || ' ' || p.amprocnum || ' ' || p.amproclefttype::regtype::text
      || ' ' || p.amprocrighttype::regtype::text || ' ' || p.amproc::regprocedure::text
    FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily WHERE p.oid >= 16384
  UNION ALL SELECT 'cast ' || c.castsource::regtype::text || ' ' || c.casttarget::regtype::text || ' ' || coalesce(nullif(c.castfunc, 0)::regprocedure::text, '') || ' ' || c.castcontext::text || ' ' || c.castmethod::text
    FROM pg_cast c WHERE c.oid >= 16384
  UNION ALL SELECT 'coll ' || c.oid::regcollation::text || ' ' || row(c.collprovider, c.collencoding, c.collcollate, c.collctype, c.collisdeterministic)::text
    FROM pg_collation c WHERE c.oid >= 16384
  UNION ALL SELECT 'ts ' || c.oid::regconfig::text FROM pg_ts_config c WHERE c.oid >= 16384
  UNION ALL SELECT 'am ' || a.amname || ' ' || a.amtype::text || ' ' || a.amhandler::regproc::text FROM pg_am a WHERE a.oid >= 16384
) AS items(item)`;

// Shapes of the tables in question, as a temporary copy of them (LIKE, or some of their columns) is made.
const SHAPES_SQL = `
SELECT w.schema, w.tab, c.relkind::text || ' ' || CASE WHEN c.relkind::text = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END || ' ' ||
  coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || coalesce(nullif(a.attcollation, 0)::regcollation::text, '')
                   || ' ' || a.attnotnull::text || ' ' || a.attgenerated::text || ' ' || a.attidentity::text, ', ' ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') AS shape
FROM unnest($1::text[], $2::text[]) AS w(schema, tab)
JOIN pg_namespace n ON n.nspname = w.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tab`;

interface SessionFacts {
  environment?: Promise<string>;
  readonly shapes: Map<string, string | null>;
}

export interface ShareStats {
  /** Results taken from another target's build. */
  hits: number;
  /** Results this fleet built (each at most once per key while it succeeds). */
  builds: number;
}

export class CanonicalCache implements CanonicalShare {
  private readonly results = new Map<string, Promise<CanonicalDefinition | undefined>>();
  private readonly facts = new WeakMap<Session, SessionFacts>();
  readonly stats: ShareStats = { hits: 0, builds: 0 };

  get size(): number {
    return this.results.size;
  }

  async claim(session: Session, indexes: readonly IndexToClone[], live: LiveState, path: ResolutionPath): Promise<SharedClaim> {
    const keys = await this.keys(session, indexes, live, path);
    const build: IndexToClone[] = [];
    const mine = new Map<string, { readonly key: string; readonly resolve: (result: CanonicalDefinition | undefined) => void }>();
    const waiting: [string, Promise<CanonicalDefinition | undefined>][] = [];
    for (const index of indexes) {
      const key = keys.get(index.key);
      if (key === undefined) {
        build.push(index);
        continue;
      }
      const known = this.results.get(key);
      if (known) {
        waiting.push([index.key, known]);
        continue;
      }
      let resolve!: (result: CanonicalDefinition | undefined) => void;
      this.results.set(key, new Promise((r) => (resolve = r)));
      mine.set(index.key, { key, resolve });
      build.push(index);
    }
    return {
      build,
      settle: (results) => {
        for (const [indexKey, { key, resolve }] of mine) {
          const result = results?.get(indexKey);
          // Nothing to share from a failed build: the next target asking builds it again.
          if (result === undefined) this.results.delete(key);
          else this.stats.builds += 1;
          resolve(result);
        }
      },
      known: async () => {
        const known = new Map<string, CanonicalDefinition>();
        for (const [indexKey, promise] of waiting) {
          const result = await promise;
          if (result === undefined) continue;
          this.stats.hits += 1;
          known.set(indexKey, result);
        }
        return known;
      },
    };
  }

  /** Each index's key; none for an index whose table's shape cannot be read (it is built, not shared). */
  private async keys(session: Session, indexes: readonly IndexToClone[], live: LiveState, path: ResolutionPath): Promise<Map<string, string>> {
    let facts = this.facts.get(session);
    if (!facts) this.facts.set(session, (facts = { shapes: new Map() }));
    const wanted = [...new Set(indexes.map((index) => tableKey(index.schema, index.table)))].filter((key) => !facts.shapes.has(key));
    const tables = new Map(indexes.map((index) => [tableKey(index.schema, index.table), index] as const));
    // Both reads in one round trip the first time, only new tables' shapes afterwards.
    const first = facts.environment === undefined;
    if (first || wanted.length > 0) {
      const schemas = wanted.map((key) => tables.get(key)!.schema);
      const names = wanted.map((key) => tables.get(key)!.table);
      const sql = first ? `WITH shapes AS (${SHAPES_SQL}) SELECT (${ENVIRONMENT_SQL}) AS digest, (SELECT coalesce(json_agg(shapes), '[]') FROM shapes) AS shapes` : `SELECT NULL AS digest, (SELECT coalesce(json_agg(shapes), '[]') FROM (${SHAPES_SQL}) AS shapes) AS shapes`;
      const read = session.query<{ digest: string | null; shapes: { schema: string; tab: string; shape: string }[] }>(sql, [schemas, names]);
      if (first) {
        facts.environment = read.then((result) => result.rows[0]!.digest ?? '');
        // Awaited below through `read`; a failure is reported there, once.
        facts.environment.catch(() => undefined);
      }
      const { rows } = await read;
      for (const key of wanted) facts.shapes.set(key, null);
      for (const row of rows[0]!.shapes) facts.shapes.set(tableKey(row.schema, row.tab), row.shape);
    }
    const environment = await facts.environment!;
    const keys = new Map<string, string>();
    for (const index of indexes) {
      const shape = facts.shapes.get(tableKey(index.schema, index.table));
      if (shape === null || shape === undefined) continue;
      const statement = index.sql(index.name, qualify(index.schema, index.table));
      keys.set(index.key, sha256(JSON.stringify([live.serverVersionNum, path.schemas, environment, index.schema, index.table, shape, statement])));
    }
    return keys;
  }
}
