/*
 * Checks on the names a manifest gives (tables, indexes, columns, opclasses, collations) that the JSON
 * Schema cannot express: control characters, PostgreSQL's length limit, quoting of dotted names.
 */
import { findControlCharacter } from './control-characters.js';
import { byteLength, MAX_IDENTIFIER_BYTES } from './model.js';
import type { LocateOptions, ManifestPath, Report } from './manifest-path.js';
import { splitQualifiedName } from './qualified-name.js';
import { truncateToBytes } from './text.js';

/**
 * Reports a control character in a name (a line break, a tab, NUL, an escape…): no such name can be
 * meant, it could only garble the logs it is printed in. True when one was found.
 */
export function checkNoControl(what: string, name: string, path: ManifestPath, at: LocateOptions, report: Report): boolean {
  const found = findControlCharacter(name);
  if (!found) return false;
  // A key's position is its start: say where in it; a value's position is the character itself.
  const where = at.at === 'key' ? ` at character ${found.offset + 1}` : '';
  report(
    path,
    `${what} contains a control character (${found.description})${where}: names in the manifest cannot hold control characters`,
    at.at === 'key' ? at : { ...at, offset: found.offset },
  );
  return true;
}

export function checkNameLength(what: string, name: string, path: ManifestPath, at: LocateOptions, report: Report): void {
  const bytes = byteLength(name);
  if (bytes <= MAX_IDENTIFIER_BYTES) return;
  report(
    path,
    `${what} is ${bytes} bytes, over PostgreSQL's limit of ${MAX_IDENTIFIER_BYTES}: ` +
      `PostgreSQL would truncate it to ${JSON.stringify(truncateToBytes(name, MAX_IDENTIFIER_BYTES))} ` +
      'and the plan would never converge',
    at,
  );
}

const DOTTED_EXAMPLES: Readonly<Record<'opclass' | 'collation', string>> = {
  opclass: '"my.schema".my_ops',
  collation: 'pg_catalog."C"',
};

/** An opclass or collation: `name` or `schema.name`, a part in double quotes where it holds a dot or quote. */
export function checkDottedName(field: 'opclass' | 'collation', text: string, path: ManifestPath, report: Report): void {
  if (checkNoControl(`the ${field}`, text, path, {}, report)) return;
  const split = splitQualifiedName(text);
  const named = `"${field}" ${JSON.stringify(text)}`;
  if (!split.ok) {
    report(
      path,
      split.problem === 'unclosed-quote'
        ? `${named} has an unclosed double quote`
        : `${named}: a double quote must wrap a whole name, as in ${DOTTED_EXAMPLES[field]}`,
    );
  } else if (split.parts.length > 2) {
    report(
      path,
      `${named} has more than one dot: write name or schema.name, and quote a name that contains a dot (${DOTTED_EXAMPLES[field]})`,
    );
  } else if (split.parts.some((part) => part === '')) {
    report(path, `${named} has an empty schema or name`);
  }
}
