/*
 * A fast reader for the simple YAML most manifests are written in: block mappings and sequences, one-line
 * flow collections, one-line plain and quoted scalars, `|` and `>` block scalars, comments. It gives the
 * same data as the full YAML parser (the yaml package), or nothing (undefined) as soon as the text uses
 * anything else (anchors, aliases, tags, merge keys, multi-line flow collections or scalars, escapes, tabs,
 * repeated keys, anything malformed); the caller then uses the full parser, which also says where a
 * problem is. Reading a big manifest this way costs a fraction of building the YAML document with
 * positions, which is then built only if an error needs a position.
 */
import {
  BAIL,
  bail,
  keyString,
  MAX_KEY,
  plainStartsWell,
  readQuoted,
  setKey,
  valueOnLine,
  withoutLeadingSpaces,
} from './simple-yaml-scalars.js';

/** The mapping `text` holds, or undefined when it is not in the simple subset (or not a mapping). */
export function readSimpleYaml(text: string): Record<string, unknown> | undefined {
  try {
    const split = splitLines(text);
    if (split === undefined || split.lines[0]?.indent !== 0) return undefined;
    const reader = new BlockReader(split.rows, split.lines);
    const root = reader.mapping(0);
    return reader.done() ? root : undefined;
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}

interface Line {
  /** Spaces before the content; for an entry after `- ` on the same line, its column. */
  readonly indent: number;
  readonly content: string;
  /** Its place among all lines of the text (0-based). */
  readonly row: number;
}

// Tabs, control characters (but a `\r` before a `\n`), byte-order marks, Unicode line separators: the full parser decides.
const UNUSUAL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\r(?!\n)/;

/**
 * All lines (`\r\n` line ends accepted), and those with content: blank lines and comment lines dropped
 * (a block scalar reads the lines it spans from `rows`).
 */
function splitLines(text: string): { rows: string[]; lines: Line[] } | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const rows = text.includes('\r') ? text.split('\r\n').join('\n').split('\n') : text.split('\n');
  const lines: Line[] = [];
  for (let row = 0; row < rows.length; row++) {
    const line = rows[row] as string;
    const indent = indentOf(line);
    if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
    const content = indent === 0 ? line : line.slice(indent);
    // Document markers and directives.
    if (indent === 0 && (/^(---|\.\.\.)( |$)/.test(content) || content.startsWith('%'))) return undefined;
    lines.push({ indent, content, row });
  }
  return { rows, lines };
}

class BlockReader {
  private i = 0;

  constructor(
    private readonly rows: readonly string[],
    private readonly lines: Line[],
  ) {}

  done(): boolean {
    return this.i === this.lines.length;
  }

  private next(): Line | undefined {
    return this.lines[this.i];
  }

  /** The entries of a block mapping whose keys are at column `indent`. */
  mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (let line = this.next(); line !== undefined && line.indent === indent; line = this.next()) {
      const entry = mappingEntry(line.content);
      if (entry === undefined) bail();
      this.i += 1;
      setKey(map, entry.key, entry.rest === undefined ? this.nestedValue(indent, true) : this.inlineValue(entry.rest, indent));
    }
    this.endOfBlock(indent);
    return map;
  }

  /** The entries of a block sequence whose dashes are at column `indent`. */
  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.next(); line !== undefined && line.indent === indent && isDash(line.content); line = this.next()) {
      const afterDash = line.content.slice(1);
      const rest = withoutLeadingSpaces(afterDash);
      if (rest === '' || rest.startsWith('#')) {
        this.i += 1;
        items.push(this.nestedValue(indent, false));
      } else if (isDash(rest)) {
        bail();
      } else if (mappingEntry(rest) !== undefined) {
        // `- key: value`: a mapping whose keys are at the column of this first one.
        const column = indent + 1 + (afterDash.length - rest.length);
        this.lines[this.i] = { indent: column, content: rest, row: line.row };
        items.push(this.mapping(column));
      } else {
        this.i += 1;
        items.push(this.inlineValue(rest, indent));
      }
    }
    this.endOfBlock(indent);
    return items;
  }

  /** The value of `key:` or `-` with nothing after it on the line: a nested block, or null. */
  private nestedValue(indent: number, inMapping: boolean): unknown {
    const line = this.next();
    if (line === undefined || line.indent < indent) return null;
    // A sequence may sit at the same column as the key it belongs to.
    if (line.indent === indent) return inMapping && isDash(line.content) ? this.sequence(indent) : null;
    if (isDash(line.content)) return this.sequence(line.indent);
    if (mappingEntry(line.content) === undefined) bail();
    return this.mapping(line.indent);
  }

  /** A value written on the line of its key or dash (the line just read); the next line must not continue it. */
  private inlineValue(text: string, indent: number): unknown {
    const header = /^([|>])(-?)$/.exec(text);
    if (header) return this.blockScalar(header[1] === '>', header[2] === '-', indent);
    const next = this.next();
    if (next !== undefined && next.indent > indent) bail();
    return valueOnLine(text);
  }

  /** `|`, `|-`, `>` or `>-` and the lines under it (a blank line with more spaces is left to the full parser). */
  private blockScalar(folded: boolean, strip: boolean, parentIndent: number): string {
    const headerRow = (this.lines[this.i - 1] as Line).row;
    // The indentation of the first line that is not blank (a `#` there is text, not a comment).
    let firstText = headerRow + 1;
    while (firstText < this.rows.length && isBlank(this.rows[firstText] as string)) firstText++;
    const indent = indentOf(this.rows[firstText] ?? '');
    if (indent <= parentIndent) bail();
    const margin = ' '.repeat(indent);
    const parts: string[] = [];
    let lastContent = headerRow;
    for (let row = headerRow + 1; row < this.rows.length; row++) {
      const line = this.rows[row] as string;
      const blank = isBlank(line);
      if (blank && line.length > indent) bail();
      if (!blank && !line.startsWith(margin)) break;
      const content = blank ? '' : line.slice(indent);
      parts.push(content);
      if (!blank) lastContent = row;
    }
    // Lines with content taken: skip them; trailing blank lines only decide the final line break.
    while (this.next() !== undefined && (this.next() as Line).row <= lastContent) this.i += 1;
    const body = parts.slice(0, lastContent - headerRow);
    const value = folded ? fold(body) : body.join('\n');
    return strip ? value : `${value}\n`;
  }

  /** A line indented deeper than the block it follows, and not part of it, is not simple. */
  private endOfBlock(indent: number): void {
    const line = this.next();
    if (line !== undefined && line.indent > indent) bail();
  }
}

/**
 * Folds the lines of a `>` scalar: one line break between two lines is a space, each blank line a line
 * break; lines that start with a space (more indented) keep the line breaks around them.
 */
function fold(lines: readonly string[]): string {
  let value = '';
  let blanks = 0;
  let previous: 'none' | 'normal' | 'spaced' = 'none';
  for (const line of lines) {
    if (line === '') {
      blanks += 1;
      continue;
    }
    const kind = line.startsWith(' ') ? 'spaced' : 'normal';
    if (previous === 'none') value += '\n'.repeat(blanks);
    else if (previous === 'normal' && kind === 'normal') value += blanks === 0 ? ' ' : '\n'.repeat(blanks);
    else value += '\n'.repeat(blanks + 1);
    value += line;
    blanks = 0;
    previous = kind;
  }
  return value;
}

function indentOf(line: string): number {
  let indent = 0;
  while (line.charCodeAt(indent) === 32) indent++;
  return indent;
}

function isBlank(line: string): boolean {
  return indentOf(line) === line.length;
}

function isDash(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

/** `key: rest` (rest undefined when nothing but a comment follows); undefined when the line is no mapping entry. */
function mappingEntry(content: string): { key: string; rest: string | undefined } | undefined {
  let key: string;
  let afterKey: number;
  const first = content[0];
  // A flow collection as a key is not simple; as a value it is read by valueOnLine.
  if (first === '[' || first === '{') return undefined;
  if (first === '"' || first === "'") {
    const quoted = readQuoted(content, 0);
    if (content[quoted.end] !== ':') return undefined;
    if (quoted.end > MAX_KEY) bail();
    key = quoted.value;
    afterKey = quoted.end + 1;
  } else {
    let colon = content.indexOf(':');
    while (colon !== -1 && colon + 1 < content.length && content[colon + 1] !== ' ') colon = content.indexOf(':', colon + 1);
    if (colon === -1) return undefined;
    const text = content.slice(0, colon);
    if (text.includes(' #') || text.endsWith(' ') || text.length > MAX_KEY || !plainStartsWell(text, false)) bail();
    key = keyString(text);
    afterKey = colon + 1;
  }
  if (afterKey < content.length && content[afterKey] !== ' ') bail();
  const rest = withoutLeadingSpaces(content.slice(afterKey));
  return { key, rest: rest === '' || rest.startsWith('#') ? undefined : rest };
}

