/* Small text helpers every layer uses: counts with their noun, one-line text, byte-limited names, secrets masked. */

/** `1 index`, `2 indexes`. */
export function pluralise(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** Whitespace runs (line breaks included) as one space, trimmed; cut with `…` past `max` characters. */
export function oneLine(text: string, max = Number.POSITIVE_INFINITY): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `schema.name` as the catalog spells it (not quoted, not escaped: for keys and internal messages). */
export function qualifiedName(ref: { readonly schema: string; readonly name: string }): string {
  return `${ref.schema}.${ref.name}`;
}

/** What PostgreSQL does to a long identifier: cut at a character boundary within the byte limit. */
export function truncateToBytes(text: string, limit: number): string {
  const encoder = new TextEncoder();
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > limit) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** `text` with every secret replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length > 0) result = result.split(secret).join('***');
  return result;
}
