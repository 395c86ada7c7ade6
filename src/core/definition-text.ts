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
