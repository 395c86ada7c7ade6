/*
 * Reading index definitions as pg_get_indexdef prints them
 * (`CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (…) [INCLUDE …] [WITH (…)] [WHERE (…)]`),
 * and the one scanner of SQL text that knows where string literals, quoted identifiers and parentheses
 * begin and end. Every reading of a definition or an expression (its body, retargeting it, its storage
 * parameters, a top-level clause, a single function call) goes through it.
 */

/**
 * Index just past the string literal or quoted identifier that opens at `open` ('…', "…", or E'…' whose
 * backslash escapes are honoured; a doubled quote stays inside), or undefined when it never closes.
 * A plain '…' takes no backslash escapes, as under standard_conforming_strings.
 */
export function quotedEnd(text: string, open: number): number | undefined {
  const quote = text[open];
  const escapes = quote === "'" && isEscapeStringPrefix(text, open);
  for (let i = open + 1; i < text.length; i += 1) {
    const ch = text[i];
    if (escapes && ch === '\\') {
      i += 1;
      continue;
    }
    if (ch !== quote) continue;
    if (text[i + 1] === quote) {
      i += 1;
      continue;
    }
    return i + 1;
  }
  return undefined;
}

/** Whether the quote at `open` follows an `E` that is not the end of a longer word: an escape string. */
function isEscapeStringPrefix(text: string, open: number): boolean {
  return /[Ee]/.test(text[open - 1] ?? '') && !/[A-Za-z0-9_$]/.test(text[open - 2] ?? '');
}

export interface ScanOptions {
  /** Where to start (default 0); depths count from there. */
  readonly from?: number;
  /** Called for each quoted span, `end` just past it (undefined when it never closes); true stops the scan. */
  readonly quoted?: (start: number, end: number | undefined) => boolean;
}

/**
 * Calls `visit` for each character of `text` outside string literals and quoted identifiers, with the
 * depth of parentheses open before it (a top-level `(` is visited at depth 0, its `)` at depth 1).
 * Returns the index at which `visit` (or `quoted`) returned true, or undefined when the scan ran out.
 */
export function scanOutsideQuotes(text: string, visit: (index: number, depth: number) => boolean, options: ScanOptions = {}): number | undefined {
  let depth = 0;
  for (let i = options.from ?? 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const end = quotedEnd(text, i);
      if (options.quoted?.(i, end)) return i;
      if (end === undefined) return undefined;
      i = end - 1;
      continue;
    }
    if (visit(i, depth)) return i;
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
  }
  return undefined;
}

/** Where `clause` starts in `text` outside parentheses, string literals and quoted identifiers, or undefined. */
export function topLevelClause(text: string, clause: string): number | undefined {
  return scanOutsideQuotes(text, (i, depth) => depth === 0 && text.startsWith(clause, i));
}

/** Index of the `)` that closes the `(` at `open`, or undefined when it never closes. */
export function closingParenthesis(text: string, open: number): number | undefined {
  return scanOutsideQuotes(text, (i, depth) => depth === 1 && text[i] === ')', { from: open });
}

/**
 * Whether `text` from `open` (a `(`) to its end is one parenthesised argument list, read with certainty:
 * its `)` is the last character, and nothing in it is what the scan does not follow (a backslash, a `$`,
 * a comment marker, a quote that never closes).
 */
export function isWholeArgumentList(text: string, open: number): boolean {
  let certain = true;
  const close = scanOutsideQuotes(
    text,
    (i, depth) => {
      const ch = text[i];
      if (ch === '\\' || ch === '$' || (ch === '-' && text[i + 1] === '-') || (ch === '/' && text[i + 1] === '*')) {
        certain = false;
        return true;
      }
      return ch === ')' && depth === 1;
    },
    {
      from: open,
      quoted: (start, end) => {
        certain = end !== undefined && !text.slice(start, end).includes('\\');
        return !certain;
      },
    },
  );
  return certain && close === text.length - 1;
}

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s".]+)`;
const HEAD = new RegExp(String.raw`^CREATE (UNIQUE )?INDEX (${IDENT}) ON (ONLY )?(?:(${IDENT})\.)?(${IDENT}) USING `);

/** The head of a definition, names as printed (quoted where PostgreSQL quotes them). */
export interface DefinitionHead {
  readonly unique: boolean;
  readonly name: string;
  readonly only: boolean;
  /** Undefined when the table is printed unqualified. */
  readonly schema?: string;
  readonly table: string;
  /** What follows `USING `: the method, the key, and the clauses. */
  readonly rest: string;
}

export function parseDefinitionHead(definition: string): DefinitionHead | undefined {
  const match = HEAD.exec(definition);
  if (!match) return undefined;
  return {
    unique: match[1] !== undefined,
    name: match[2]!,
    only: match[3] !== undefined,
    ...(match[4] === undefined ? {} : { schema: match[4] }),
    table: match[5]!,
    rest: definition.slice(match[0].length),
  };
}

/**
 * A definition without its index name (`UNIQUE ON public.t USING btree (a)`), so that two indexes can
 * be compared whatever they are called; text that is no definition is returned as it is.
 */
export function definitionBody(definition: string): string {
  const head = parseDefinitionHead(definition);
  if (!head) return definition;
  const table = head.schema === undefined ? head.table : `${head.schema}.${head.table}`;
  return `${head.unique ? 'UNIQUE ' : ''}ON ${head.only ? 'ONLY ' : ''}${table} USING ${head.rest}`;
}

/**
 * The statement that builds `definition` under another name on another table (both already quoted),
 * keeping UNIQUE and ONLY; undefined when the text is no definition on a qualified table.
 */
export function retargetDefinition(definition: string): ((name: string, tableSql: string) => string) | undefined {
  const head = parseDefinitionHead(definition);
  if (!head || head.schema === undefined) return undefined;
  return (name, tableSql) => `CREATE ${head.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${head.only ? 'ONLY ' : ''}${tableSql} USING ${head.rest}`;
}

// Boolean storage parameters of the built-in access methods. PostgreSQL prints them as written
// (`off`, `'false'`, `'0'` are the same setting); we print them as it prints `on` / `off`.
const BOOLEAN_PARAMETERS = new Set(['fastupdate', 'deduplicate_items', 'autosummarize']);

export function parseBool(value: string): boolean | undefined {
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

/** The list inside the top-level ` WITH (…)` of a definition: from its first character to its `)`. */
function withClause(definition: string): { start: number; end: number } | undefined {
  const at = topLevelClause(definition, ' WITH (');
  if (at === undefined) return undefined;
  const open = at + ' WITH '.length;
  const end = closingParenthesis(definition, open);
  return end === undefined ? undefined : { start: open + 1, end };
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
