/*
 * A manifest's table key: `users`, `app.users`, or `"my.schema"."Users"`, names taken literally.
 */
import { splitQualifiedName } from './qualified-name.js';

export type TableKeyResult =
  | { readonly ok: true; readonly schema: string; readonly name: string }
  | { readonly ok: false; readonly message: string };

/**
 * `users` → (defaultSchema, users); `app.users` → (app, users); `"my.schema"."Users"` → (my.schema, Users).
 * Names are literal: no case folding. Double quotes are only needed for a name containing a dot.
 */
export function parseTableKey(key: string, defaultSchema: string): TableKeyResult {
  if (key === '') return { ok: false, message: 'a table key cannot be empty' };
  const split = splitQualifiedName(key);
  if (!split.ok) {
    return {
      ok: false,
      message:
        split.problem === 'unclosed-quote'
          ? `table key ${JSON.stringify(key)} has an unclosed double quote`
          : `table key ${JSON.stringify(key)}: a double quote must wrap a whole name, as in "my.schema".users`,
    };
  }
  const { parts } = split;
  if (parts.length > 2) {
    return {
      ok: false,
      message:
        `table key ${JSON.stringify(key)} has more than one dot: write table or schema.table, ` +
        'and quote a name that contains a dot ("my.schema".users)',
    };
  }
  if (parts.some((p) => p === '')) {
    return { ok: false, message: `table key ${JSON.stringify(key)} has an empty schema or table name` };
  }
  const [first, second] = parts as [string, string | undefined];
  return second === undefined
    ? { ok: true, schema: defaultSchema, name: first }
    : { ok: true, schema: first, name: second };
}
