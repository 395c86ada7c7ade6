/*
 * SQL the catalog readers share (plan, status, export), so that they agree on which tables are declared,
 * which foreign keys rely on an index, which indexes belong to an extension and which back a constraint.
 */

/** The declared tables that exist as a table, partitioned table or materialized view ($1 schemas, $2 names). */
export const DECLARED_CTE = `
declared AS (
  SELECT c.oid, c.relkind, n.nspname AS schema, c.relname AS name
  FROM unnest($1::text[], $2::text[]) AS w(schema, name)
  JOIN pg_namespace n ON n.nspname = w.schema
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
  WHERE c.relkind IN ('r', 'p', 'm')
)`;

/** The declared tables and every partition of the partitioned ones (after DECLARED_CTE). */
export const TARGETS_CTE = `
targets AS (
  SELECT oid FROM declared
  UNION
  SELECT pt.relid FROM declared d CROSS JOIN LATERAL pg_partition_tree(d.oid) pt WHERE d.relkind = 'p'
)`;

/**
 * `fks(conindid, names)`: the foreign keys that rely on each index, joined once, set-based (pg_constraint
 * has no index on conindid). `indexes`, when given, is a subquery of the index oids to look at.
 */
export function foreignKeysCte(indexes?: string): string {
  return `
fks AS (
  SELECT f.conindid, array_agg(DISTINCT f.conrelid::regclass::text || '.' || quote_ident(f.conname)) AS names
  FROM pg_constraint f
  WHERE f.contype = 'f'${indexes === undefined ? '' : ` AND f.conindid IN (${indexes})`}
    -- a foreign key on a partitioned table is repeated on each partition: name it once
    AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.oid = f.conparentid AND p.conindid = f.conindid)
  GROUP BY f.conindid
)`;
}

/** `ext(objid, extname)`: the relations that belong to an extension. */
export const EXTENSION_MEMBERS_CTE = `
ext AS (
  SELECT d.objid, min(e.extname::text) AS extname
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  GROUP BY d.objid
)`;

/** `con`: the primary key, unique or exclusion constraint index `c` of table `t` backs, if any. */
export const CONSTRAINT_JOIN = `LEFT JOIN pg_constraint con ON con.conindid = c.oid AND con.conrelid = t.oid AND con.contype IN ('p', 'u', 'x')`;
