/*
 * What an unquoted YAML scalar means under the YAML 1.2 core schema, exactly as the yaml package resolves
 * it (its tags null, bool, int (octal, decimal, hex), float (.inf/.nan, exponent, fraction), in that order;
 * anything else is text). test/unit/simple-yaml.test.ts compares the two on every short string.
 */

export function coreSchemaValue(text: string): null | boolean | number | string {
  // Every pattern below starts with one of these: most scalars (names, SQL) are text at the first character.
  if (text !== '' && !'~nNtTfF0123456789+-.'.includes(text[0] as string)) return text;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(text)) return text[0] === 't' || text[0] === 'T';
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return NaN;
    return text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text)) return parseFloat(text);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return parseFloat(text);
  return text;
}
