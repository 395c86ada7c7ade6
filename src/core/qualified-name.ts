/*
 * Dotted names as the manifest writes them: `name` or `schema.name`, a part in double quotes when it
 * holds a dot or a quote (`"my.schema".users`, `pg_catalog."C"`, `"say ""hi"""`). Unquoted parts are
 * taken literally (no case folding), as every name in the manifest is.
 */

export type SplitName =
  | { readonly ok: true; readonly parts: readonly string[] }
  | { readonly ok: false; readonly problem: 'unclosed-quote' | 'partial-quote' };

/**
 * The parts of a dotted name, quotes removed (`""` inside quotes is one `"`). An empty part (`app.`,
 * `.users`, `""`) comes back as '' for the caller to report; so does too many parts.
 */
export function splitQualifiedName(text: string): SplitName {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = '';
    if (text[i] === '"') {
      let closed = false;
      i += 1;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          closed = true;
          i += 1;
          break;
        }
        part += text[i];
        i += 1;
      }
      if (!closed) return { ok: false, problem: 'unclosed-quote' };
      if (i < text.length && text[i] !== '.') return { ok: false, problem: 'partial-quote' };
    } else {
      const dot = text.indexOf('.', i);
      const end = dot === -1 ? text.length : dot;
      part = text.slice(i, end);
      if (part.includes('"')) return { ok: false, problem: 'partial-quote' };
      i = end;
    }
    parts.push(part);
    if (i >= text.length) break;
    i += 1; // the dot
    if (i === text.length) {
      parts.push(''); // `app.`
      break;
    }
  }
  return { ok: true, parts };
}
