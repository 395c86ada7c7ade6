/*
 * Names and SQL printed for people (plan text and markdown, apply's plain lines, status, error
 * messages). A name comes from whoever created the index, so it may hold a line break, a terminal
 * escape or a bidirectional override; printed raw it could forge a line of a CI log or of a review
 * comment. Here every such character is shown as an escape instead:
 *
 *   tab `\t`, line feed `\n`, carriage return `\r`; other C0 and C1 controls and DEL `\xHH`;
 *   line and paragraph separators and bidirectional controls `\uHHHH`.
 *
 * A name that holds one is shown as a quoted identifier (`"evil\nname"`), so it stands apart from a
 * name that really contains a backslash and an n. Backslashes themselves are left as they are, so that
 * ordinary SQL reads as written. JSON output and `--format sql` scripts never go through here: they
 * carry the exact text.
 */
import { quotedEnd } from './definition-text.js';

// C0, DEL, C1; line and paragraph separators; bidirectional embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

// What PostgreSQL's scanner takes for whitespace between tokens.
const SQL_SPACE = /[ \t\n\r\f\v]/;

const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(char: string): string {
  const short = SHORT[char];
  if (short !== undefined) return short;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether printing `text` raw could break a line or drive the terminal. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE.test(text);
}

/** Free text (a reason, a message) with every unsafe character escaped. */
export function printableText(text: string): string {
  return hasUnsafeCharacters(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/**
 * A name (index, table, schema, constraint) as printed bare in human output: unchanged when it is
 * safe, else a quoted identifier with escapes (`"evil\nname"`). A name that itself starts with a double
 * quote is quoted too, so that no bare name looks like an escaped one.
 */
export function printableName(name: string): string {
  if (!hasUnsafeCharacters(name) && !name.startsWith('"')) return name;
  return `"${printableText(name.replace(/"/g, '""'))}"`;
}

/** `schema.name`, each part printable. */
export function printableQualified(schema: string, name: string): string {
  return `${printableName(schema)}.${printableName(name)}`;
}

/**
 * SQL (a statement or a pg_get_indexdef definition) on one line: inside quoted identifiers and
 * string literals unsafe characters are escaped (they are part of a name or a value); between tokens,
 * whitespace that contains a line break or a tab folds to one space (it is only whitespace there).
 */
export function printableSql(sql: string): string {
  if (!hasUnsafeCharacters(sql)) return sql;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const char = sql[i] as string;
    if (char === '"' || char === "'") {
      // A literal right after E (not part of a longer word) takes backslash escapes: `\'` does not end it.
      const end = quotedEnd(sql, i) ?? sql.length;
      out += printableText(sql.slice(i, end));
      i = end;
      continue;
    }
    if (char === '$') {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      // `$1` or a `$` inside a word is no dollar quote; a tag's `$` right after an identifier neither.
      if (tag && !/[\w$]$/.test(sql.slice(0, i))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? sql.length : close + tag[0].length;
        out += printableText(sql.slice(i, end));
        i = end;
        continue;
      }
    }
    if (SQL_SPACE.test(char) || UNSAFE.test(char)) {
      let j = i;
      while (j < sql.length && (SQL_SPACE.test(sql[j] as string) || UNSAFE.test(sql[j] as string))) j += 1;
      const run = sql.slice(i, j);
      // Spaces stay as written; a run with a line break or tab is whitespace; anything else is shown.
      out += /^ +$/.test(run) ? run : /^[ \t\n\r\f\v]+$/.test(run) ? ' ' : printableText(run);
      i = j;
      continue;
    }
    out += char;
    i += 1;
  }
  return out;
}
