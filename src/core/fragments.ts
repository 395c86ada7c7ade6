/*
 * The gate between the manifest and the database for SQL text: `where` and `expression` fragments must
 * be exactly one SQL expression, and `queries[].sql` exactly one read-only SELECT, as PostgreSQL's own
 * parser (libpg-query, WASM) sees them. Nothing else from the manifest reaches the database except as
 * a quoted identifier, so this check is what stops `true); DROP TABLE users; --`.
 *
 * The fragment is parsed as `SELECT <fragment>` (not wrapped in parentheses, which a fragment could
 * close) and the result must be one SelectStmt with exactly one target and nothing else: a fragment
 * that closes, continues or unions the statement shows up as a second statement, a FROM/WHERE/…
 * clause, a set operation, or a syntax error.
 */
import { hasSqlDetails, loadModule, parseSync, scanSync } from 'libpg-query';
import { byteLength } from './model.js';

export type FragmentKind = 'expression' | 'where';

/** Why a piece of SQL was refused; `offset` is a UTF-16 index into the text that was checked. */
export interface SqlIssue {
  readonly message: string;
  readonly offset: number;
}

export interface QueryCheck {
  readonly issue?: SqlIssue;
  /** The statement without a trailing `;` (and what follows it), when accepted. */
  readonly sql?: string;
  /** The highest `$n` parameter the accepted statement uses; 0 when it has none. */
  readonly parameters?: number;
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

const PREFIX = 'SELECT ';

// A manifest repeats the same fragments (lower(email), deleted_at IS NULL) many times over: remember
// answers. Bounded so a long-lived process cannot grow it forever.
const cache = new Map<string, SqlIssue | null>();
const queryCache = new Map<string, QueryCheck>();
const CACHE_LIMIT = 20_000;

function remember(key: string, issue: SqlIssue | undefined): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, issue ?? null);
}

/** Forgets remembered answers (for tests and benchmarks). */
export function clearFragmentCache(): void {
  cache.clear();
  queryCache.clear();
}

const cacheKey = (text: string, kind: FragmentKind): string => `${kind}\u0000${text}`;

/** Checks that `text` is exactly one SQL expression; returns why not, or undefined when it is. */
export function checkFragment(text: string, kind: FragmentKind): SqlIssue | undefined {
  return checkFragments([{ text, kind }])[0];
}

export interface FragmentRequest {
  readonly text: string;
  readonly kind: FragmentKind;
}

/**
 * checkFragment for many fragments at once, answers in the same order. Each call into the WASM parser
 * has a fixed cost larger than parsing a short expression, so fragments are parsed in batches of
 * `SELECT a;\nSELECT b;…`, and a batch is trusted only when it splits into exactly one statement per
 * fragment, each starting and ending exactly where its fragment does. Anything else (a syntax error,
 * a fragment that swallows its neighbour) is checked again on its own.
 */
export function checkFragments(requests: readonly FragmentRequest[]): (SqlIssue | undefined)[] {
  const results: (SqlIssue | undefined)[] = new Array<SqlIssue | undefined>(requests.length);
  const waiting = new Map<string, { request: FragmentRequest; at: number[] }>();
  requests.forEach((request, i) => {
    const key = cacheKey(request.text, request.kind);
    const cached = cache.get(key);
    if (cached !== undefined) {
      results[i] = cached ?? undefined;
      return;
    }
    const entry = waiting.get(key);
    if (entry) entry.at.push(i);
    else waiting.set(key, { request, at: [i] });
  });

  const batchable: { key: string; request: FragmentRequest }[] = [];
  for (const [key, { request }] of waiting) {
    const early = preCheck(request.text, request.kind);
    // A `;` anywhere (even quoted) or a comment marker could upset the batch: check those alone.
    if (early !== undefined || /;|--|\/\*/.test(request.text)) remember(key, early ?? checkAlone(request));
    else batchable.push({ key, request });
  }
  for (let i = 0; i < batchable.length; i += BATCH_SIZE) {
    const batch = batchable.slice(i, i + BATCH_SIZE);
    const answers = checkBatch(batch.map((b) => b.request));
    batch.forEach(({ key, request }, j) => remember(key, answers ? answers[j] : checkAlone(request)));
  }
  for (const [key, { at }] of waiting) {
    const issue = cache.get(key) ?? undefined;
    for (const i of at) results[i] = issue;
  }
  return results;
}

const BATCH_SIZE = 100;

function subjectOf(kind: FragmentKind): string {
  return kind === 'where' ? 'the condition' : 'the expression';
}

// ---- control characters ----------------------------------------------------------------------------

// Control characters (Unicode Cc: C0, DEL, C1). SQL separates words with spaces, tabs and line breaks
// only; form feed and vertical tab are whitespace to some PostgreSQL versions and not others, and the
// rest mean nothing to SQL and would garble logs (or, as NUL, cannot be sent at all).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_LINE_SPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const CONTROL_NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'bell',
  0x08: 'backspace',
  0x09: 'tab',
  0x0a: 'line break',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'delete',
};

export interface ControlCharacter {
  /** UTF-16 index into the text. */
  readonly offset: number;
  /** `U+0000, NUL`, `U+0007, bell`, `U+0085` */
  readonly description: string;
  readonly codePoint: number;
}

/**
 * The first control character in `text`; with `allowLineSpace`, tab, line feed and carriage return
 * do not count (SQL text may use them between words and inside strings).
 */
export function findControlCharacter(text: string, allowLineSpace = false): ControlCharacter | undefined {
  const match = (allowLineSpace ? CONTROL_BUT_LINE_SPACE : CONTROL).exec(text);
  if (!match) return undefined;
  const codePoint = match[0].charCodeAt(0);
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = CONTROL_NAMES[codePoint];
  return { offset: match.index, codePoint, description: name === undefined ? hex : `${hex}, ${name}` };
}

/** Why a fragment or query with a control character is refused, in words that say what to do instead. */
function controlIssue(text: string, subject: string): SqlIssue | undefined {
  const found = findControlCharacter(text, true);
  if (!found) return undefined;
  const message =
    found.codePoint === 0
      ? `${subject} contains a NUL character (U+0000), which PostgreSQL text cannot hold; ` +
        'look for a \\0 escape in a double-quoted YAML string'
      : `${subject} contains a control character (${found.description}): SQL text may only use spaces, tabs ` +
        `and line breaks between words; to put one in a string, use chr(${found.codePoint})`;
  return { message, offset: found.offset };
}

/** What can be told without the parser: empty, control characters, `;`, comments. */
function preCheck(text: string, kind: FragmentKind): SqlIssue | undefined {
  if (text.trim() === '') {
    return {
      message:
        kind === 'where'
          ? 'the condition is empty: give one SQL condition, e.g. deleted_at IS NULL'
          : 'the expression is empty: give one SQL expression, e.g. lower(email)',
      offset: 0,
    };
  }
  const control = controlIssue(text, subjectOf(kind));
  if (control) return control;
  // Only scan when a `;` or a comment is possible: the scanner is as costly as the parser.
  if (text.includes(';') || text.includes('--') || text.includes('/*')) {
    const tokens = scanTokens(text);
    const semicolon = tokens.find((t) => t.tokenName === 'ASCII_59');
    if (semicolon) {
      return {
        message: `";" is not allowed: ${subjectOf(kind)} must be one SQL expression, not statements`,
        offset: byteToIndex(text, semicolon.start),
      };
    }
    // A trailing `--` comment would swallow whatever the generated statement puts after the fragment.
    const comment = tokens.find((t) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT');
    if (comment) {
      return {
        message: 'SQL comments are not allowed in a fragment: use a YAML # comment instead',
        offset: byteToIndex(text, comment.start),
      };
    }
  }
  return undefined;
}

function checkAlone({ text, kind }: FragmentRequest): SqlIssue | undefined {
  const early = preCheck(text, kind);
  if (early) return early;
  const full = PREFIX + text;
  let tree: ParseTree;
  try {
    tree = parseSync(full) as unknown as ParseTree;
  } catch (error) {
    return syntaxIssue(error, full, PREFIX.length, `${subjectOf(kind)} is not valid SQL`);
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1) {
    return { message: `";" is not allowed: ${subjectOf(kind)} must be one SQL expression, not statements`, offset: 0 };
  }
  return analyseStatement(stmts[0]?.stmt, text, kind, 0);
}

/** Answers for a batch, or undefined when the batch cannot be trusted and each must be checked alone. */
function checkBatch(requests: readonly FragmentRequest[]): (SqlIssue | undefined)[] | undefined {
  const starts: number[] = [];
  const lengths: number[] = [];
  let offset = 0;
  for (const { text } of requests) {
    const length = byteLength(PREFIX + text);
    starts.push(offset);
    lengths.push(length);
    offset += length + 2; // ";\n"
  }
  let tree: ParseTree;
  try {
    tree = parseSync(requests.map((r) => PREFIX + r.text).join(';\n')) as unknown as ParseTree;
  } catch {
    return undefined;
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== requests.length) return undefined;
  const aligned = stmts.every((stmt, i) => {
    const last = i === stmts.length - 1;
    return (stmt.stmt_location ?? 0) === starts[i] && (last ? (stmt.stmt_len ?? 0) === 0 : stmt.stmt_len === lengths[i]);
  });
  if (!aligned) return undefined;
  return requests.map((request, i) => analyseStatement(stmts[i]?.stmt, request.text, request.kind, starts[i] ?? 0));
}

/**
 * Is the parsed `SELECT <text>` exactly one expression? `base` is the byte offset of the statement in
 * the string that was parsed (node locations count from there).
 */
function analyseStatement(
  stmt: Record<string, unknown> | undefined,
  text: string,
  kind: FragmentKind,
  base: number,
): SqlIssue | undefined {
  const subject = subjectOf(kind);
  const full = PREFIX + text;
  // Parser locations are bytes into what was parsed; offsets are UTF-16 indexes into `text`.
  const at = (location: number | undefined): number =>
    location === undefined ? 0 : Math.max(0, byteToIndex(full, location - base) - PREFIX.length);
  const notOne = `${subject} must be one SQL expression, not a query`;
  const select = stmt?.['SelectStmt'] as SelectStmt | undefined;
  if (!select) return { message: notOne, offset: 0 };

  if (select.op !== undefined && select.op !== 'SETOP_NONE') {
    const word = select.op.replace('SETOP_', '');
    return { message: `${notOne}: ${word} is not allowed`, offset: keywordOffset(text, [word]) };
  }
  for (const [field, clause] of CLAUSES) {
    const value = select[field];
    const present = Array.isArray(value) ? value.length > 0 : value !== undefined;
    if (field === 'limitOption' ? value !== 'LIMIT_OPTION_DEFAULT' && value !== undefined : present) {
      const words = field === 'lockingClause' ? lockWords(value) : clause.words;
      return {
        message: `${notOne}: ${words} is not allowed`,
        offset: keywordOffset(text, clause.keywords),
      };
    }
  }
  const unknownField = Object.keys(select).find((k) => !KNOWN_SELECT_FIELDS.has(k));
  if (unknownField !== undefined) return { message: notOne, offset: 0 };

  // `SELECT ALL x` parses like `SELECT x`, but `(ALL x)` in CREATE INDEX would not.
  if (/^\s*all(?![\w$])/i.test(text)) {
    return { message: `${notOne}: ALL is not allowed`, offset: keywordOffset(text, ['ALL']) };
  }

  const targets = select.targetList ?? [];
  if (targets.length === 0) return preCheck('', kind);
  if (targets.length > 1) {
    return {
      message:
        `${subject} must be one SQL expression, but this is a list of ${targets.length}` +
        (kind === 'where' ? ': combine conditions with AND' : ': give each its own column entry'),
      offset: at(targets[1]?.ResTarget?.location),
    };
  }
  const target = targets[0]?.ResTarget;
  if (!target?.val) return { message: notOne, offset: 0 };
  if (target.name !== undefined) {
    return {
      message: `${subject} must be one SQL expression, without an alias (${JSON.stringify(target.name)})`,
      offset: at(target.location),
    };
  }
  const star = target.val['ColumnRef'] as { fields?: Record<string, unknown>[] } | undefined;
  if (star?.fields?.some((f) => 'A_Star' in f)) {
    return { message: '"*" is not an expression', offset: Math.max(0, text.indexOf('*')) };
  }

  const where = kind === 'where' ? 'an index predicate ("where")' : 'an index expression';
  const forbidden = findNode(target.val, (name) => name === 'SubLink' || name === 'ParamRef' || name.endsWith('Stmt'));
  if (forbidden) {
    const message =
      forbidden.name === 'ParamRef'
        ? `parameters like $1 are not allowed in ${where}`
        : `a subquery is not allowed in ${where}`;
    return { message, offset: at(forbidden.location) };
  }
  return undefined;
}

/** Checks that `text` is exactly one read-only SELECT statement (for `queries[].sql`). */
export function checkQuery(text: string): QueryCheck {
  return checkQueries([text])[0] ?? {};
}

/** checkQuery for many queries at once, answers in the same order; batched like checkFragments. */
export function checkQueries(texts: readonly string[]): QueryCheck[] {
  const batchable: string[] = [];
  for (const text of new Set(texts)) {
    if (queryCache.has(text)) continue;
    // Only trimmed texts without `;` or comment markers can be batched and their statements aligned.
    if (text === '' || text !== text.trim() || /;|--|\/\*/.test(text) || CONTROL.test(text)) rememberQuery(text, checkQueryAlone(text));
    else batchable.push(text);
  }
  for (let i = 0; i < batchable.length; i += BATCH_SIZE) {
    const batch = batchable.slice(i, i + BATCH_SIZE);
    const answers = checkQueryBatch(batch);
    batch.forEach((text, j) => rememberQuery(text, answers?.[j] ?? checkQueryAlone(text)));
  }
  return texts.map((text) => queryCache.get(text) ?? checkQueryAlone(text));
}

function rememberQuery(text: string, check: QueryCheck): void {
  if (queryCache.size >= CACHE_LIMIT) queryCache.clear();
  queryCache.set(text, check);
}

function checkQueryAlone(text: string): QueryCheck {
  if (text.trim() === '') return { issue: { message: 'the query is empty: give one SELECT statement', offset: 0 } };
  const control = controlIssue(text, 'the query');
  if (control) return { issue: control };
  let tree: ParseTree;
  try {
    tree = parseSync(text) as unknown as ParseTree;
  } catch (error) {
    return { issue: syntaxIssue(error, text, 0, 'the query is not valid SQL') };
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length === 0) return { issue: { message: 'the query is empty: give one SELECT statement', offset: 0 } };
  if (stmts.length > 1) {
    return {
      issue: {
        message: `the query must be exactly one SQL statement, but this has ${stmts.length}`,
        offset: byteToIndex(text, stmts[1]?.stmt_location ?? 0),
      },
    };
  }
  const only = stmts[0];
  const issue = analyseQuery(only?.stmt, text, 0);
  if (issue) return { issue };
  // Keep the statement only: a trailing `;` (and any comment after it) is not part of the query.
  const length = only?.stmt_len;
  const sql = length ? byteSlice(text, only?.stmt_location ?? 0, length) : text;
  return { sql: sql.trim(), parameters: inspectQuery(only?.stmt).parameters ?? 0 };
}

function checkQueryBatch(texts: readonly string[]): QueryCheck[] | undefined {
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += byteLength(text) + 2; // ";\n"
  }
  let tree: ParseTree;
  try {
    tree = parseSync(texts.join(';\n')) as unknown as ParseTree;
  } catch {
    return undefined;
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== texts.length) return undefined;
  const aligned = stmts.every((stmt, i) => {
    const last = i === stmts.length - 1;
    const length = byteLength(texts[i] ?? '');
    return (stmt.stmt_location ?? 0) === starts[i] && (last ? (stmt.stmt_len ?? 0) === 0 : stmt.stmt_len === length);
  });
  if (!aligned) return undefined;
  return texts.map((text, i) => {
    const issue = analyseQuery(stmts[i]?.stmt, text, starts[i] ?? 0);
    return issue ? { issue } : { sql: text, parameters: inspectQuery(stmts[i]?.stmt).parameters ?? 0 };
  });
}

/** Is the parsed statement a read-only SELECT? `base`: byte offset of the statement in what was parsed. */
function analyseQuery(stmt: Record<string, unknown> | undefined, text: string, base: number): SqlIssue | undefined {
  const at = (location: number | undefined): number =>
    location === undefined ? 0 : Math.max(0, byteToIndex(text, location - base));
  const [kindName, node] = Object.entries(stmt ?? {})[0] ?? ['?', undefined];
  if (kindName === 'ExplainStmt') {
    return { message: 'the query must be a plain SELECT: reconcile check adds EXPLAIN itself', offset: 0 };
  }
  if (kindName !== 'SelectStmt' || node === undefined) {
    return { message: `the query must be a SELECT, not ${statementWords(kindName)}`, offset: 0 };
  }
  const select = node as SelectStmt;
  if (select.intoClause !== undefined) {
    return { message: 'SELECT … INTO creates a table: declare a plain SELECT', offset: keywordOffset(text, ['INTO'], false) };
  }
  const found = inspectQuery(select);
  if (found.modifying) {
    return {
      message: `the query must only read, but its WITH clause runs ${statementWords(found.modifying.name)}`,
      offset: at(found.modifying.cteLocation),
    };
  }
  if (found.locking) {
    return {
      message: `${lockWords([{ LockingClause: found.locking }])} takes row locks: declare the query without it`,
      offset: keywordOffset(text, ['FOR'], false),
    };
  }
  return undefined;
}

interface QueryFindings {
  modifying?: { name: string; cteLocation?: number };
  locking?: Record<string, unknown>;
  /** The highest `$n`. */
  parameters?: number;
}

/** One walk over a query's tree: the first data-modifying statement (and its CTE), the first row lock, the highest `$n`. */
function inspectQuery(tree: unknown, found: QueryFindings = {}, cteLocation?: number): QueryFindings {
  if (Array.isArray(tree)) {
    for (const item of tree) inspectQuery(item, found, cteLocation);
    return found;
  }
  if (tree === null || typeof tree !== 'object') return found;
  for (const [name, value] of Object.entries(tree)) {
    if (value === null || typeof value !== 'object') continue;
    if (MODIFYING.has(name) && !found.modifying) {
      found.modifying = cteLocation === undefined ? { name } : { name, cteLocation };
    } else if (name === 'LockingClause' && !found.locking) {
      found.locking = value as Record<string, unknown>;
    } else if (name === 'ParamRef') {
      const number = (value as { number?: unknown }).number;
      if (typeof number === 'number' && number > (found.parameters ?? 0)) found.parameters = number;
    }
    const location = (value as { location?: unknown }).location;
    inspectQuery(value, found, name === 'CommonTableExpr' && typeof location === 'number' ? location : cteLocation);
  }
  return found;
}

// ---- parse tree shapes (only what is read here) -------------------------------------------------

interface ParseTree {
  stmts?: { stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[];
}

interface ResTarget {
  name?: string;
  val?: Record<string, unknown>;
  location?: number;
}

interface SelectStmt {
  targetList?: { ResTarget?: ResTarget }[];
  op?: string;
  limitOption?: string;
  intoClause?: unknown;
  [field: string]: unknown;
}

const CLAUSES: readonly (readonly [string, { words: string; keywords: string[] }])[] = [
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
const KNOWN_SELECT_FIELDS = new Set(['targetList', 'op', 'limitOption', ...CLAUSES.map(([f]) => f)]);

const MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

const LOCK_WORDS: Readonly<Record<string, string>> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

function lockWords(clauses: unknown): string {
  const first = Array.isArray(clauses) ? (clauses[0] as { LockingClause?: { strength?: string } } | undefined) : undefined;
  return LOCK_WORDS[first?.LockingClause?.strength ?? ''] ?? 'FOR UPDATE';
}

function statementWords(nodeName: string): string {
  const words = nodeName.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  return words === '' || words === '?' ? 'another kind of statement' : words;
}

// ---- helpers ------------------------------------------------------------------------------------

interface FoundNode {
  readonly name: string;
  readonly node: Record<string, unknown>;
  readonly location?: number;
}

/** Depth-first search of a libpg-query JSON tree for a node whose type name matches. */
function findNode(tree: unknown, match: (name: string) => boolean): FoundNode | undefined {
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

function syntaxIssue(error: unknown, parsed: string, prefix: number, lead: string): SqlIssue {
  if (!hasSqlDetails(error)) throw error;
  const details = error.sqlDetails;
  // libpg-query reports the cursor in characters (code points), like PostgreSQL.
  const offset = codePointToIndex(parsed, details?.cursorPosition ?? 0) - prefix;
  return { message: `${lead}: ${error.message}`, offset: Math.max(0, offset) };
}

interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokenName: string;
}

function scanTokens(text: string): Token[] {
  try {
    return scanSync(text).tokens;
  } catch {
    // The scanner refuses what the parser will also refuse, with a better message.
    return [];
  }
}

/** Offset of the first of `keywords` outside parentheses (UTF-16 index into `text`), else 0. */
function keywordOffset(text: string, keywords: readonly string[], topLevelOnly = true): number {
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
function byteToIndex(text: string, bytes: number): number {
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
function codePointToIndex(text: string, count: number): number {
  let index = 0;
  let seen = 0;
  for (const char of text) {
    if (seen >= count) return index;
    seen += 1;
    index += char.length;
  }
  return index;
}

function byteSlice(text: string, startBytes: number, lengthBytes: number): string {
  return text.slice(byteToIndex(text, startBytes), byteToIndex(text, startBytes + lengthBytes));
}
