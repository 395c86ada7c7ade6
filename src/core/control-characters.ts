/*
 * Control characters in text from the manifest: refused with their name and position, because they
 * would reach the database or a reviewer's terminal looking like something else.
 */
import type { SqlIssue } from './parse-tree.js';

// Control characters (Unicode Cc: C0, DEL, C1). SQL separates words with spaces, tabs and line breaks
// only; form feed and vertical tab are whitespace to some PostgreSQL versions and not others, and the
// rest mean nothing to SQL and would garble logs (or, as NUL, cannot be sent at all).
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_LINE_SPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const CONTROL_NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'bell',
  0x08: 'backspace',
  0x09: 'tab',
  0x0a: 'line break',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'delete',
};

export interface ControlCharacter {
  /** UTF-16 index into the text. */
  readonly offset: number;
  /** `U+0000, NUL`, `U+0007, bell`, `U+0085` */
  readonly description: string;
  readonly codePoint: number;
}

/**
 * The first control character in `text`; with `allowLineSpace`, tab, line feed and carriage return
 * do not count (SQL text may use them between words and inside strings).
 */
export function findControlCharacter(text: string, allowLineSpace = false): ControlCharacter | undefined {
  const match = (allowLineSpace ? CONTROL_BUT_LINE_SPACE : CONTROL).exec(text);
  if (!match) return undefined;
  const codePoint = match[0].charCodeAt(0);
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = CONTROL_NAMES[codePoint];
  return { offset: match.index, codePoint, description: name === undefined ? hex : `${hex}, ${name}` };
}

/** Why a fragment or query with a control character is refused, in words that say what to do instead. */
export function controlIssue(text: string, subject: string): SqlIssue | undefined {
  const found = findControlCharacter(text, true);
  if (!found) return undefined;
  const message =
    found.codePoint === 0
      ? `${subject} contains a NUL character (U+0000), which PostgreSQL text cannot hold; ` +
        'look for a \\0 escape in a double-quoted YAML string'
      : `${subject} contains a control character (${found.description}): SQL text may only use spaces, tabs ` +
        `and line breaks between words; to put one in a string, use chr(${found.codePoint})`;
  return { message, offset: found.offset };
}

/** What can be told without the parser: empty, control characters, `;`, comments. */
