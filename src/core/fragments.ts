/*
 * The gate between the manifest and the database for SQL text: `where` and `expression` fragments must
 * be exactly one SQL expression as PostgreSQL's own parser (libpg-query, WASM) sees them (declared
 * queries are checked in query-check.ts). Nothing else from the manifest reaches the database except as
 * a quoted identifier, so this check is what stops `true); DROP TABLE users; --`.
 *
 * The fragment is parsed as `SELECT <fragment>` (not wrapped in parentheses, which a fragment could
 * close) and the result must be one SelectStmt with exactly one target and nothing else: a fragment
 * that closes, continues or unions the statement shows up as a second statement, a FROM/WHERE/…
 * clause, a set operation, or a syntax error.
 */
import { parseSync } from 'libpg-query';
import { controlIssue } from './control-characters.js';
import { byteLength } from './model.js';
import {
  byteToIndex,
  CLAUSES,
  findNode,
  KNOWN_SELECT_FIELDS,
  keywordOffset,
  lockWords,
  PARSE_BATCH_SIZE,
  PARSE_CACHE_LIMIT,
  scanTokens,
  syntaxIssue,
  type ParseTree,
  type SelectStmt,
  type SqlIssue,
} from './parse-tree.js';
import { clearQueryCache } from './query-check.js';

export type FragmentKind = 'expression' | 'where';

const PREFIX = 'SELECT ';

// A manifest repeats the same fragments (lower(email), deleted_at IS NULL) many times over: remember
// answers. Bounded so a long-lived process cannot grow it forever.
const cache = new Map<string, SqlIssue | null>();

function remember(key: string, issue: SqlIssue | undefined): void {
  if (cache.size >= PARSE_CACHE_LIMIT) cache.clear();
  cache.set(key, issue ?? null);
}

/** Forgets remembered answers (for tests and benchmarks). */
export function clearFragmentCache(): void {
  cache.clear();
  clearQueryCache();
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
  for (let i = 0; i < batchable.length; i += PARSE_BATCH_SIZE) {
    const batch = batchable.slice(i, i + PARSE_BATCH_SIZE);
    const answers = checkBatch(batch.map((b) => b.request));
    batch.forEach(({ key, request }, j) => remember(key, answers ? answers[j] : checkAlone(request)));
  }
  for (const [key, { at }] of waiting) {
    const issue = cache.get(key) ?? undefined;
    for (const i of at) results[i] = issue;
  }
  return results;
}


export function subjectOf(kind: FragmentKind): string {
  return kind === 'where' ? 'the condition' : 'the expression';
}

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
