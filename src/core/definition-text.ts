/*
 * Reading and rewriting index definitions as pg_get_indexdef prints them
 * (`CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (…) [INCLUDE …] [WITH (…)] [WHERE (…)]`).
 *
 * Builds run the canonical definition itself, rewritten for where and how it is built: it is the text
 * the plan compared, printed by the server with every name outside pg_catalog qualified, so it means the
 * same on any session, whatever its search_path, and no manifest text reaches the server unprinted.
 */
import { qualify, quoteIdent } from './sql.js';

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s".]+)`;
const HEAD = new RegExp(String.raw`^CREATE (UNIQUE )?INDEX ${IDENT} ON (ONLY )?${IDENT}\.${IDENT} USING `);

export interface BuildTarget {
  /** The name to build under. */
  readonly name: string;
  /** The table (or partition) to build on. */
  readonly schema: string;
  readonly table: string;
  readonly concurrently: boolean;
  /** `ON ONLY`: a partitioned table's own index, invalid until its partitions are attached. */
  readonly only: boolean;
  /** pg_get_indexdef never prints it. */
  readonly tablespace?: string;
}

/** The statement that builds `definition` as `target` says; undefined when the text is not a definition. */
export function buildStatement(definition: string, target: BuildTarget): string | undefined {
  const head = HEAD.exec(definition);
  if (!head) return undefined;
  let rest = definition.slice(head[0].length);
  if (target.tablespace !== undefined) {
    // TABLESPACE goes before WHERE, which pg_get_indexdef prints last.
    const where = topLevelClause(rest, ' WHERE (');
    const clause = ` TABLESPACE ${quoteIdent(target.tablespace)}`;
    rest = where === undefined ? rest + clause : rest.slice(0, where) + clause + rest.slice(where);
  }
  return (
    `CREATE ${head[1] ?? ''}INDEX ${target.concurrently ? 'CONCURRENTLY ' : ''}${quoteIdent(target.name)} ` +
    `ON ${target.only ? 'ONLY ' : ''}${qualify(target.schema, target.table)} USING ${rest}`
  );
}

/**
 * Where `clause` starts in `text` outside parentheses, string literals and quoted identifiers, or
 * undefined. `E'…'` literals take backslash escapes; plain ones do not (standard_conforming_strings).
 */
export function topLevelClause(text: string, clause: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const escapes = ch === "'" && /[Ee]/.test(text[i - 1] ?? '') && !/[A-Za-z0-9_$]/.test(text[i - 2] ?? '');
      i = closingQuote(text, i, escapes);
      continue;
    }
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (depth === 0 && text.startsWith(clause, i)) return i;
  }
  return undefined;
}

/** Index of the quote that closes the one at `open` (doubled quotes stay inside), or the text's end. */
function closingQuote(text: string, open: number, backslashEscapes: boolean): number {
  const quote = text[open]!;
  for (let i = open + 1; i < text.length; i += 1) {
    const ch = text[i]!;
    if (backslashEscapes && ch === '\\') {
      i += 1;
      continue;
    }
    if (ch !== quote) continue;
    if (text[i + 1] === quote) {
      i += 1;
      continue;
    }
    return i;
  }
  return text.length;
}

// Boolean storage parameters of the built-in access methods. PostgreSQL prints them as written
// (`off`, `'false'`, `'0'` are the same setting); we print them as it prints `on` / `off`.
const BOOLEAN_PARAMETERS = new Set(['fastupdate', 'deduplicate_items', 'autosummarize']);

function parseBool(value: string): boolean | undefined {
  // PostgreSQL's parse_bool: case-insensitive, unique prefixes of true/false/yes/no, on/off, 1/0.
  const v = value.trim().toLowerCase();
  if (v.length === 0) return undefined;
  if ('true'.startsWith(v) || 'yes'.startsWith(v) || v === 'on' || v === '1') return true;
  if ('false'.startsWith(v) || 'no'.startsWith(v) || (v.length >= 2 && 'off'.startsWith(v)) || v === '0') return false;
  return undefined;
}

/** `name=value` items of a printed WITH list: raw text, name and unquoted value. */
function splitOptions(list: string): { raw: string; name: string; value: string }[] | undefined {
  const items: { raw: string; name: string; value: string }[] = [];
  const re = /([^=,\s]+)=(?:'((?:[^']|'')*)'|([^,'\s]*))(, |$)/y;
  let at = 0;
  while (at < list.length) {
    re.lastIndex = at;
    const match = re.exec(list);
    if (!match) return undefined;
    items.push({
      raw: match[0].slice(0, match[0].length - match[4]!.length),
      name: match[1]!,
      value: match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3]!,
    });
    at = re.lastIndex;
  }
  return items;
}

/** Finds the top-level ` WITH (` of a definition (outside quotes and parentheses). */
function withClause(definition: string): { start: number; end: number } | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < definition.length; i += 1) {
    const ch = definition[i]!;
    if (quote) {
      if (ch === quote) quote = undefined; // a doubled quote closes and reopens: same state
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (depth === 0 && definition.startsWith(' WITH (', i)) {
      const open = i + ' WITH '.length;
      let level = 0;
      let inQuote = false;
      for (let j = open; j < definition.length; j += 1) {
        const c = definition[j]!;
        if (inQuote) {
          if (c === "'") inQuote = false;
        } else if (c === "'") inQuote = true;
        else if (c === '(') level += 1;
        else if (c === ')' && --level === 0) return { start: open + 1, end: j };
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * Rewrites boolean storage parameters of the built-in access methods to one spelling, so that
 * `fastupdate=off` and `fastupdate='false'` compare equal. Everything else is left as printed.
 */
export function normaliseStorageParameters(definition: string): string {
  // Most definitions have no storage parameters: skip the scan.
  if (!definition.includes(' WITH (')) return definition;
  const clause = withClause(definition);
  if (!clause) return definition;
  const items = splitOptions(definition.slice(clause.start, clause.end));
  if (!items || !items.some((item) => BOOLEAN_PARAMETERS.has(item.name))) return definition;
  const printed = items.map(({ raw, name, value }) => {
    const bool = BOOLEAN_PARAMETERS.has(name) ? parseBool(value) : undefined;
    return bool === undefined ? raw : `${name}=${bool ? "'on'" : 'off'}`;
  });
  return definition.slice(0, clause.start) + printed.join(', ') + definition.slice(clause.end);
}
