/*
 * String literals as the fragment check read them, whatever the server's standard_conforming_strings.
 *
 * The manifest's fragments are checked by PostgreSQL's parser, which reads `'a\'` as the string `a\`
 * (standard_conforming_strings on). A server or role with it off reads the same text as an unfinished
 * string `a'…`, so a literal could end somewhere else and the rest of a statement be read as SQL. Every
 * session pins it on; besides, a plain literal that holds a backslash is sent as the escape string that
 * means the same under both readings (`E'a\\'`), and nothing else in a fragment depends on the setting.
 */
import { scanSync } from 'libpg-query';

export function unambiguousLiterals(fragment: string): string {
  // Only a backslash reads differently; most fragments have none and need no scan.
  if (!fragment.includes('\\')) return fragment;
  const bytes = new TextEncoder().encode(fragment);
  const decoder = new TextDecoder();
  let out = '';
  let at = 0;
  for (const token of scanSync(fragment).tokens) {
    // Plain literals only: E'…' reads the same either way, $$…$$ never escapes, U&'…' is refused with it off.
    if (token.tokenName !== 'SCONST' || !token.text.startsWith("'") || !token.text.includes('\\')) continue;
    out += `${decoder.decode(bytes.subarray(at, token.start))}E${token.text.replace(/\\/g, '\\\\')}`;
    at = token.end;
  }
  return out + decoder.decode(bytes.subarray(at));
}
