/*
 * Connection strings as psql takes them: a `postgres://` / `postgresql://` URI, or libpq's
 * `key=value` form (`host=db port=5432 dbname=app user=me password='a b' sslmode=require`). This file
 * parses the key=value form with libpq's rules, and finds and masks the password in either form;
 * db.ts turns the pairs into a node-postgres configuration (node-postgres reads only URIs).
 *
 * libpq's rules (conninfo_parse in fe-connect.c): pairs separated by white space; spaces around `=` are
 * optional; a value is either bare (up to the next white space) or in single quotes (spaces allowed); in
 * both, a backslash takes the next character literally (`\'`, `\\`, `\ `). A later pair overrides an
 * earlier one with the same keyword.
 */

export interface ConninfoPair {
  readonly keyword: string;
  readonly value: string;
  /** Where the value is written in the text, quotes included: [start, end). */
  readonly start: number;
  readonly end: number;
}

export interface ConninfoParse {
  readonly pairs: readonly ConninfoPair[];
  /** libpq's words for what is wrong, and where the pair that cannot be read starts. */
  readonly error?: { readonly message: string; readonly offset: number };
}

const URI_PREFIX = /^postgres(?:ql)?:\/\//i;

/**
 * Is this libpq's key=value form? It starts with `keyword =`, which no URI can (a scheme has no `=`);
 * anything else is taken for a URI, as before.
 */
export function isKeyValueConnection(text: string): boolean {
  return !URI_PREFIX.test(text.trimStart()) && /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/.test(text);
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

export function parseConninfo(text: string): ConninfoParse {
  const pairs: ConninfoPair[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && isSpace(text[i])) i += 1;
    if (i >= n) return { pairs };
    const keywordStart = i;
    while (i < n && !isSpace(text[i]) && text[i] !== '=') i += 1;
    const keyword = text.slice(keywordStart, i);
    while (i < n && isSpace(text[i])) i += 1;
    if (text[i] !== '=') {
      return { pairs, error: { message: `missing "=" after "${keyword}" in connection info string`, offset: keywordStart } };
    }
    i += 1;
    while (i < n && isSpace(text[i])) i += 1;
    const start = i;
    let value = '';
    if (text[i] === "'") {
      i += 1;
      for (;;) {
        if (i >= n) return { pairs, error: { message: 'unterminated quoted string in connection info string', offset: keywordStart } };
        const c = text[i]!;
        if (c === '\\') {
          i += 1;
          if (i < n) value += text[i++];
        } else if (c === "'") {
          i += 1;
          break;
        } else {
          value += c;
          i += 1;
        }
      }
    } else {
      while (i < n && !isSpace(text[i])) {
        if (text[i] === '\\') {
          i += 1;
          if (i < n) value += text[i++];
        } else {
          value += text[i++];
        }
      }
    }
    pairs.push({ keyword, value, start, end: i });
  }
}

/** A key=value string with every password value replaced by `***`, the rest as written. */
function maskConninfo(text: string): string {
  const { pairs, error } = parseConninfo(text);
  let masked = '';
  let at = 0;
  for (const pair of pairs) {
    if (pair.keyword.toLowerCase() !== 'password') continue;
    masked += `${text.slice(at, pair.start)}***`;
    at = pair.end;
  }
  if (!error) return masked + text.slice(at);
  // What could not be read may still hold a password (`password='never closed`): mask by pattern.
  const rest = text.slice(Math.max(at, error.offset));
  return masked + text.slice(at, Math.max(at, error.offset)) + rest.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'?|(?:[^\s\\]|\\.)+)/gi, '$1***');
}

/** `scheme://user:password@`, for URLs the URL class refuses. */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i;

/** The connection string with its password masked, in either form. */
export function maskConnectionString(text: string): string {
  if (isKeyValueConnection(text)) return maskConninfo(text);
  try {
    const parsed = new URL(text);
    if (parsed.password) parsed.password = '***';
    // node-postgres also reads a password given as a query parameter.
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    // Not a URL WHATWG can parse (a bad port, several hosts): mask by pattern.
    return text.replace(USERINFO_PASSWORD, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The passwords a connection string carries (the one used last): they must never be printed. */
export function connectionStringPasswords(text: string): string[] {
  if (isKeyValueConnection(text)) {
    const { pairs, error } = parseConninfo(text);
    const found = pairs.filter((p) => p.keyword.toLowerCase() === 'password').map((p) => p.value);
    // An unterminated quote: what follows `password='` is the password as far as anyone can tell.
    if (error) {
      const tail = /password\s*=\s*(?:'((?:[^'\\]|\\.)*)|((?:[^\s\\]|\\.)+))/i.exec(text.slice(error.offset));
      const password = (tail?.[1] ?? tail?.[2])?.replace(/\\(.)/g, '$1');
      if (password) found.push(password);
    }
    return found.filter((p) => p.length > 0);
  }
  try {
    const parsed = new URL(text);
    return [decoded(parsed.password), parsed.searchParams.get('password') ?? ''].filter((p) => p.length > 0);
  } catch {
    const fromUserinfo = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(text)?.[1];
    const fromQuery = /[?&]password=([^&#]*)/i.exec(text)?.[1];
    return [fromUserinfo, fromQuery].filter((p): p is string => Boolean(p)).map(decoded);
  }
}
