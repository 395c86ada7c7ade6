/*
 * `queries[].sql` must be exactly one read-only SELECT as PostgreSQL's parser sees it: no second
 * statement, no data-modifying WITH, no row locks, no SELECT … INTO. Checked offline like fragments.
 */
import { parseSync } from 'libpg-query';
import { CONTROL, controlIssue } from './control-characters.js';
import { byteLength } from './model.js';
import {
  byteSlice,
  byteToIndex,
  keywordOffset,
  lockWords,
  MODIFYING,
  PARSE_BATCH_SIZE,
  PARSE_CACHE_LIMIT,
  statementWords,
  syntaxIssue,
  type ParseTree,
  type SelectStmt,
  type SqlIssue,
} from './parse-tree.js';

export interface QueryCheck {
  readonly issue?: SqlIssue;
  /** The statement without a trailing `;` (and what follows it), when accepted. */
  readonly sql?: string;
  /** The highest `$n` parameter the accepted statement uses; 0 when it has none. */
  readonly parameters?: number;
}

// Declared queries repeat across a manifest's indexes: remember answers.
const queryCache = new Map<string, QueryCheck>();

/** Forgets remembered answers (for tests and benchmarks). */
export function clearQueryCache(): void {
  queryCache.clear();
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
  for (let i = 0; i < batchable.length; i += PARSE_BATCH_SIZE) {
    const batch = batchable.slice(i, i + PARSE_BATCH_SIZE);
    const answers = checkQueryBatch(batch);
    batch.forEach((text, j) => rememberQuery(text, answers?.[j] ?? checkQueryAlone(text)));
  }
  return texts.map((text) => queryCache.get(text) ?? checkQueryAlone(text));
}

function rememberQuery(text: string, check: QueryCheck): void {
  if (queryCache.size >= PARSE_CACHE_LIMIT) queryCache.clear();
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
