/*
 * SQL text builders: pure functions from the model to statements. Identifiers always go through
 * quoteIdent; manifest fragments (`where`, `expression`) reach here only after the parser check.
 */
import { isWholeArgumentList } from './definition-text.js';
import { unambiguousLiterals } from './literals.js';
import { byteLength, MAX_IDENTIFIER_BYTES, type DesiredIndex, type IndexKeyPart } from './model.js';
import { splitQualifiedName } from './qualified-name.js';
import { truncateToBytes as truncateBytes } from './text.js';

// Definitions are read in definition-text.ts; the body is exported here too, beside the builders.
export { definitionBody } from './definition-text.js';

// Keywords that quote_ident() quotes: reserved, and those that can be a function or type name.
const QUOTED_KEYWORDS = new Set(
  `all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation
  column concurrently constraint create cross current_catalog current_date current_role current_schema current_time
  current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze
  from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit
  localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references
  returning right select session_user similar some symmetric system_user table tablesample then to trailing true union
  unique user using variadic verbose when where window with
  between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout int
  integer interval json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar
  json_serialize json_table json_value least merge_action national nchar none normalize nullif numeric out overlay
  position precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes
  xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable`.split(/\s+/),
);

/** Quotes an identifier the way PostgreSQL's quote_ident does: only when it must. */
export function quoteIdent(name: string): string {
  // As quote_ident: only lower-case letters, digits and underscores go bare (`a$b` is quoted there too).
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !QUOTED_KEYWORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteLiteral(value: string): string {
  return value.includes('\\') ? `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${value.replace(/'/g, "''")}'`;
}

/**
 * A possibly schema-qualified name such as an opclass or collation, as the manifest writes it:
 * `name`, `schema.name`, parts in double quotes where they hold a dot or a quote (`pg_catalog."C"`).
 * Each part is quoted again as PostgreSQL prints it. Text that is no such name (the manifest check
 * refuses it) becomes one quoted identifier, never SQL of its own.
 */
export function quoteQualifiedName(name: string): string {
  const split = splitQualifiedName(name);
  return split.ok ? split.parts.map((part) => quoteIdent(part)).join('.') : quoteIdent(name);
}

// A name part of a function that may be called bare in an index key: an identifier quote_ident leaves
// alone (plain or unreserved keyword, any case), or a double-quoted one. Keywords such as coalesce,
// row or substring have grammar of their own: those keep their parentheses.
const NAME_PART = /"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Whether a key expression is exactly one call of a (possibly schema-qualified) function, `name(…)`,
 * whose closing parenthesis ends the text. Such a call may stand bare in an index key, as
 * pg_get_indexdef prints it; anything else needs parentheses. The scan respects quoted strings and
 * identifiers and nested parentheses, and says no to whatever it cannot read with certainty (a
 * backslash, a `$`, a comment marker, a parenthesis that closes early or never).
 */
export function isSingleFunctionCall(expression: string): boolean {
  const text = expression.trim();
  let at = 0;
  for (;;) {
    NAME_PART.lastIndex = at;
    const part = NAME_PART.exec(text);
    if (!part) return false;
    if (!part[0].startsWith('"') && QUOTED_KEYWORDS.has(part[0].toLowerCase())) return false;
    at = NAME_PART.lastIndex;
    if (text[at] !== '.') break;
    at += 1;
  }
  while (text[at] === ' ') at += 1;
  return text[at] === '(' && isWholeArgumentList(text, at);
}

function renderKeyPart(part: IndexKeyPart, method: string): string {
  // pg_get_indexdef prints a function call bare and wraps any other expression in parentheses, which
  // also keep the expression a unit whatever it contains: only a call proven whole goes without them.
  const expression = part.kind === 'expression' ? unambiguousLiterals(part.expression) : '';
  let text = part.kind === 'column' ? quoteIdent(part.column) : isSingleFunctionCall(expression) ? expression : `(${expression})`;
  if (part.collation !== undefined) text += ` COLLATE ${quoteQualifiedName(part.collation)}`;
  if (part.opclass !== undefined) text += ` ${quoteQualifiedName(part.opclass)}`;
  // Operator class parameters print like storage parameters: `public.gist_trgm_ops (siglen='32')`.
  if (part.opclass !== undefined && part.opclassParams !== undefined && part.opclassParams.length > 0) {
    text += ` (${part.opclassParams.map((p) => renderStorageParameter(p.name, p.value)).join(', ')})`;
  }
  if (method === 'btree') {
    // What btree means by default is left out, as PostgreSQL prints it: ASC, NULLS LAST after ASC,
    // NULLS FIRST after DESC. Other methods refuse any ordering written out, so they get it as written.
    const desc = part.order === 'desc';
    if (desc) text += ' DESC';
    if (part.nulls === 'first' && !desc) text += ' NULLS FIRST';
    if (part.nulls === 'last' && desc) text += ' NULLS LAST';
    return text;
  }
  if (part.order !== undefined) text += part.order === 'desc' ? ' DESC' : ' ASC';
  if (part.nulls !== undefined) text += part.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST';
  return text;
}

/**
 * A storage parameter as pg_get_indexdef prints it: `name=value`, the value bare when quote_ident
 * would leave it bare (`fastupdate=off`), else a quoted literal (`fillfactor='90'`).
 */
function renderStorageParameter(name: string, value: string): string {
  return `${quoteIdent(name)}=${quoteIdent(value) === value ? value : quoteLiteral(value)}`;
}

export interface CreateIndexOptions {
  /** Build under this name instead of the declared one (replace's temporary name). */
  readonly name?: string;
  /** Already-quoted table reference; default the index's own table. */
  readonly tableSql?: string;
  readonly concurrently: boolean;
  /** `ON ONLY`: a partitioned parent's index, invalid until its partitions are attached. */
  readonly only?: boolean;
  /** Leave out TABLESPACE (canonicalising on a temporary copy). */
  readonly omitTablespace?: boolean;
}

export function createIndexSql(index: DesiredIndex, options: CreateIndexOptions): string {
  const parts = [`CREATE${index.unique ? ' UNIQUE' : ''} INDEX`];
  if (options.concurrently) parts.push('CONCURRENTLY');
  parts.push(quoteIdent(options.name ?? index.name), 'ON');
  if (options.only) parts.push('ONLY');
  parts.push(options.tableSql ?? qualify(index.schema, index.table));
  parts.push('USING', quoteIdent(index.method), `(${index.columns.map((part) => renderKeyPart(part, index.method)).join(', ')})`);
  if (index.include.length > 0) parts.push(`INCLUDE (${index.include.map(quoteIdent).join(', ')})`);
  if (index.nullsNotDistinct) parts.push('NULLS NOT DISTINCT');
  if (index.with.length > 0) {
    parts.push(`WITH (${index.with.map((p) => renderStorageParameter(p.name, p.value)).join(', ')})`);
  }
  if (index.tablespace !== undefined && !options.omitTablespace) parts.push('TABLESPACE', quoteIdent(index.tablespace));
  if (index.where !== undefined) parts.push('WHERE', `(${unambiguousLiterals(index.where)})`);
  return parts.join(' ');
}

export function dropIndexSql(schema: string, name: string, options: { concurrently: boolean }): string {
  // IF EXISTS: a retried drop whose first attempt finished server-side must not fail.
  return `DROP INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${qualify(schema, name)}`;
}

export function renameIndexSql(schema: string, from: string, to: string): string {
  // ALTER INDEX takes SHARE UPDATE EXCLUSIVE on the index only; ALTER TABLE … RENAME would take ACCESS EXCLUSIVE.
  return `ALTER INDEX ${qualify(schema, from)} RENAME TO ${quoteIdent(to)}`;
}

export function commentIndexSql(schema: string, name: string, comment: string | undefined): string {
  return `COMMENT ON INDEX ${qualify(schema, name)} IS ${comment === undefined ? 'NULL' : quoteLiteral(comment)}`;
}

export function reindexIndexSql(schema: string, name: string): string {
  return `REINDEX INDEX CONCURRENTLY ${qualify(schema, name)}`;
}

export function analyzeSql(schema: string, table: string): string {
  return `ANALYZE ${qualify(schema, table)}`;
}

export function attachPartitionSql(parentSchema: string, parentIndex: string, childSchema: string, childIndex: string): string {
  return `ALTER INDEX ${qualify(parentSchema, parentIndex)} ATTACH PARTITION ${qualify(childSchema, childIndex)}`;
}

/** Suffixes of our own temporary names; the plan recognises (and cleans up) them. */
export const TEMPORARY_SUFFIXES = { new: '_reconcile_new', old: '_reconcile_old' } as const;



/** The name a replacement is built under, or the old index is parked under during the swap. */
export function temporaryName(name: string, which: keyof typeof TEMPORARY_SUFFIXES): string {
  const suffix = TEMPORARY_SUFFIXES[which];
  return truncateBytes(name, MAX_IDENTIFIER_BYTES - byteLength(suffix)) + suffix;
}

export function isTemporaryName(name: string): boolean {
  return name.endsWith(TEMPORARY_SUFFIXES.new) || name.endsWith(TEMPORARY_SUFFIXES.old);
}

/** `…_ccnew`, `…_ccold`, optionally with a digit: what a cancelled REINDEX CONCURRENTLY leaves. */
export function isReindexLeftoverName(name: string): boolean {
  return /_cc(new|old)\d*$/.test(name);
}

/** 32-bit FNV-1a, as 8 hex digits: a short, stable suffix for names that had to be shortened. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The name of a partition's index under a partitioned index: `<index>_<partition>`, or, when that is
 * over 63 bytes, shortened with a hash of the full name so that it stays unique and stable.
 */
export function partitionIndexName(parentIndex: string, partition: string): string {
  const full = `${parentIndex}_${partition}`;
  if (byteLength(full) <= MAX_IDENTIFIER_BYTES) return full;
  const suffix = `_${shortHash(full)}`;
  return truncateBytes(full, MAX_IDENTIFIER_BYTES - byteLength(suffix)) + suffix;
}
