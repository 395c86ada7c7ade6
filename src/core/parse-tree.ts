/*
 * PostgreSQL's own parser (libpg-query, WASM): loading it, the shapes of its JSON trees that the checks
 * read, searching them, and turning its byte and character positions into offsets into the text.
 */
import { hasSqlDetails, loadModule, scanSync } from 'libpg-query';

/** Why a piece of SQL was refused; `offset` is a UTF-16 index into the text that was checked. */
export interface SqlIssue {
  readonly message: string;
  readonly offset: number;
}

let loaded = false;

/** Loads the parser's WASM module; the checks below are synchronous and need it done first. */
export async function loadSqlParser(): Promise<void> {
  if (!loaded) {
    await loadModule();
    loaded = true;
  }
}

export function isSqlParserLoaded(): boolean {
  return loaded;
}

/** How many texts are parsed in one call; a batch that fails is checked text by text. */
export const PARSE_BATCH_SIZE = 100;

/** Remembered answers per cache, bounded so a long-lived process cannot grow them forever. */
export const PARSE_CACHE_LIMIT = 20_000;

// The parse tree shapes (only what is read here).

export interface ParseTree {
  stmts?: { stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[];
}

export interface ResTarget {
  name?: string;
  val?: Record<string, unknown>;
  location?: number;
}

export interface SelectStmt {
  targetList?: { ResTarget?: ResTarget }[];
  op?: string;
  limitOption?: string;
  intoClause?: unknown;
  [field: string]: unknown;
}

export const CLAUSES: readonly (readonly [string, { words: string; keywords: string[] }])[] = [
  ['distinctClause', { words: 'DISTINCT', keywords: ['DISTINCT'] }],
  ['intoClause', { words: 'INTO', keywords: ['INTO'] }],
  ['fromClause', { words: 'FROM', keywords: ['FROM'] }],
  ['whereClause', { words: 'WHERE', keywords: ['WHERE'] }],
  ['groupClause', { words: 'GROUP BY', keywords: ['GROUP'] }],
  ['groupDistinct', { words: 'GROUP BY', keywords: ['GROUP'] }],
  ['havingClause', { words: 'HAVING', keywords: ['HAVING'] }],
  ['windowClause', { words: 'WINDOW', keywords: ['WINDOW'] }],
  ['valuesLists', { words: 'VALUES', keywords: ['VALUES'] }],
  ['sortClause', { words: 'ORDER BY', keywords: ['ORDER'] }],
  ['limitOffset', { words: 'OFFSET', keywords: ['OFFSET'] }],
  ['limitCount', { words: 'LIMIT', keywords: ['LIMIT', 'FETCH'] }],
  ['limitOption', { words: 'LIMIT', keywords: ['LIMIT', 'FETCH'] }],
  ['lockingClause', { words: 'FOR UPDATE', keywords: ['FOR'] }],
  ['withClause', { words: 'WITH', keywords: ['WITH'] }],
];

// Anything else on the SelectStmt is a clause this checker does not know: refuse rather than guess.
export const KNOWN_SELECT_FIELDS = new Set(['targetList', 'op', 'limitOption', ...CLAUSES.map(([f]) => f)]);

export const MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

const LOCK_WORDS: Readonly<Record<string, string>> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

export function lockWords(clauses: unknown): string {
  const first = Array.isArray(clauses) ? (clauses[0] as { LockingClause?: { strength?: string } } | undefined) : undefined;
  return LOCK_WORDS[first?.LockingClause?.strength ?? ''] ?? 'FOR UPDATE';
}

export function statementWords(nodeName: string): string {
  const words = nodeName.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  return words === '' || words === '?' ? 'another kind of statement' : words;
}


export interface FoundNode {
  readonly name: string;
  readonly node: Record<string, unknown>;
  readonly location?: number;
}

/** Depth-first search of a libpg-query JSON tree for a node whose type name matches. */
export function findNode(tree: unknown, match: (name: string) => boolean): FoundNode | undefined {
  if (Array.isArray(tree)) {
    for (const item of tree) {
      const found = findNode(item, match);
      if (found) return found;
    }
    return undefined;
  }
  if (tree === null || typeof tree !== 'object') return undefined;
  for (const [name, value] of Object.entries(tree)) {
    if (/^[A-Z]/.test(name) && value !== null && typeof value === 'object' && !Array.isArray(value) && match(name)) {
      const node = value as Record<string, unknown>;
      const location = typeof node['location'] === 'number' ? node['location'] : undefined;
      return location === undefined ? { name, node } : { name, node, location };
    }
    const found = findNode(value, match);
    if (found) return found;
  }
  return undefined;
}

export function syntaxIssue(error: unknown, parsed: string, prefix: number, lead: string): SqlIssue {
  if (!hasSqlDetails(error)) throw error;
  const details = error.sqlDetails;
  // libpg-query reports the cursor in characters (code points), like PostgreSQL.
  const offset = codePointToIndex(parsed, details?.cursorPosition ?? 0) - prefix;
  return { message: `${lead}: ${error.message}`, offset: Math.max(0, offset) };
}

export interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokenName: string;
}

export function scanTokens(text: string): Token[] {
  try {
    return scanSync(text).tokens;
  } catch {
    // The scanner refuses what the parser will also refuse, with a better message.
    return [];
  }
}

/** Offset of the first of `keywords` outside parentheses (UTF-16 index into `text`), else 0. */
export function keywordOffset(text: string, keywords: readonly string[], topLevelOnly = true): number {
  let depth = 0;
  for (const token of scanTokens(text)) {
    if (token.tokenName === 'ASCII_40') depth += 1;
    else if (token.tokenName === 'ASCII_41') depth -= 1;
    else if ((!topLevelOnly || depth === 0) && keywords.includes(token.text.toUpperCase())) {
      return byteToIndex(text, token.start);
    }
  }
  return 0;
}

/** UTF-16 index of the character at UTF-8 byte offset `bytes` (parser locations are bytes). */
export function byteToIndex(text: string, bytes: number): number {
  let seen = 0;
  let index = 0;
  for (const char of text) {
    if (seen >= bytes) return index;
    const cp = char.codePointAt(0) ?? 0;
    seen += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    index += char.length;
  }
  return index;
}

/** UTF-16 index of the `count`-th code point. */
export function codePointToIndex(text: string, count: number): number {
  let index = 0;
  let seen = 0;
  for (const char of text) {
    if (seen >= count) return index;
    seen += 1;
    index += char.length;
  }
  return index;
}

export function byteSlice(text: string, startBytes: number, lengthBytes: number): string {
  return text.slice(byteToIndex(text, startBytes), byteToIndex(text, startBytes + lengthBytes));
}
