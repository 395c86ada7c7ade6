/*
 * The scalars and one-line flow collections of simple YAML (see simple-yaml.ts), and the point where the
 * text leaves the simple subset.
 */
import { coreSchemaValue } from './yaml-core-schema.js';

/** Thrown where the text leaves the simple subset; readSimpleYaml catches it. */
export const BAIL = new Error('not simple YAML');

export function bail(): never {
  throw BAIL;
}

// Only spaces are trimmed: YAML separates with spaces (and tabs, left to the full parser), and a no-break
// or other Unicode space is text.
export function withoutLeadingSpaces(text: string): string {
  let start = 0;
  while (text.charCodeAt(start) === 32) start++;
  return start === 0 ? text : text.slice(start);
}

export function withoutTrailingSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}

// The full parser refuses implicit keys longer than 1024 characters.
export const MAX_KEY = 1000;

/** The value written after `key: ` or `- `: a flow collection, a quoted scalar, or a plain scalar. */
export function valueOnLine(text: string): unknown {
  const first = text[0];
  if (first === '[' || first === '{' || first === '"' || first === "'") {
    const flow = new FlowReader(text);
    const value = flow.node(false);
    flow.endOfLine();
    return value;
  }
  const comment = text.indexOf(' #');
  const plain = withoutTrailingSpaces(comment === -1 ? text : text.slice(0, comment));
  // `a: b: c` and a trailing `:` are mapping indicators, which a plain scalar cannot hold.
  if (!plainStartsWell(plain, false) || plain.includes(': ') || plain.endsWith(':')) bail();
  return coreSchemaValue(plain);
}

/** Reads flow collections and scalars on one line. */
class FlowReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  node(inFlow: boolean): unknown {
    this.spaces();
    const c = this.text[this.pos];
    if (c === '[') return this.sequence();
    if (c === '{') return this.mapping();
    if (c === '"' || c === "'") {
      const quoted = readQuoted(this.text, this.pos);
      this.pos = quoted.end;
      return quoted.value;
    }
    if (!inFlow) bail();
    return coreSchemaValue(this.plain());
  }

  /** After the value: only spaces and a comment. */
  endOfLine(): void {
    const rest = this.text.slice(this.pos);
    if (rest !== '' && !/^ +(#.*)?$/.test(rest)) bail();
  }

  private spaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  private sequence(): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    this.spaces();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.node(true));
      this.spaces();
      const c = this.text[this.pos++];
      if (c === ']') return items;
      // `[a: b]` (a one-pair mapping), a missing `]`, a trailing comma: the full parser decides.
      if (c !== ',') bail();
      this.spaces();
      if (this.text[this.pos] === ']') bail();
    }
  }

  private mapping(): Record<string, unknown> {
    this.pos++;
    const map: Record<string, unknown> = {};
    this.spaces();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return map;
    }
    for (;;) {
      this.spaces();
      const first = this.text[this.pos];
      const keyStart = this.pos;
      let key: string;
      if (first === '"' || first === "'") {
        const quoted = readQuoted(this.text, this.pos);
        this.pos = quoted.end;
        key = quoted.value;
      } else {
        key = keyString(this.plain());
      }
      if (this.pos - keyStart > MAX_KEY || this.text[this.pos] !== ':' || this.text[this.pos + 1] !== ' ') bail();
      this.pos += 2;
      this.spaces();
      if (this.text[this.pos] === ',' || this.text[this.pos] === '}') bail();
      setKey(map, key, this.node(true));
      this.spaces();
      const c = this.text[this.pos++];
      if (c === '}') return map;
      if (c !== ',') bail();
      this.spaces();
      if (this.text[this.pos] === '}') bail();
    }
  }

  /** A plain scalar inside a flow collection: up to `,`, a bracket, `: ` or a comment. */
  private plain(): string {
    const start = this.pos;
    let end = start;
    for (; end < this.text.length; end++) {
      const c = this.text[end];
      if (c === ',' || c === '[' || c === ']' || c === '{' || c === '}') break;
      if (c === ':' && /^[ ,[\]{}]?$/.test(this.text[end + 1] ?? '')) break;
      if (c === '#' && this.text[end - 1] === ' ') bail();
    }
    // Spaces before the `,`, bracket or `: ` end the scalar and are not part of it.
    const text = withoutTrailingSpaces(this.text.slice(start, end));
    if (!plainStartsWell(text, true)) bail();
    this.pos = end;
    return text;
  }
}

/** A quoted scalar that starts at `start` and ends on the same line; escapes other than `''` are left to the full parser. */
export function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  if (quote === '"') {
    const close = text.indexOf('"', start + 1);
    const value = text.slice(start + 1, close);
    if (close === -1 || value.includes('\\')) bail();
    return { value, end: close + 1 };
  }
  let value = '';
  let from = start + 1;
  for (;;) {
    const close = text.indexOf("'", from);
    if (close === -1) bail();
    value += text.slice(from, close);
    if (text[close + 1] !== "'") return { value, end: close + 1 };
    value += "'";
    from = close + 2;
  }
}

/**
 * Whether an unquoted scalar may start so (YAML's indicators may not start one; `-`, `?` and `:` may only
 * before a non-space, and are left to the full parser but for `-`).
 */
export function plainStartsWell(text: string, inFlow: boolean): boolean {
  const c = text[0];
  if (c === undefined) return false;
  if ('[]{},#&*!|>\'"%@`?:'.includes(c)) return false;
  if (c === '-') return text.length > 1 && text[1] !== ' ' && !(inFlow && ',[]{}'.includes(text[1] ?? ''));
  return true;
}

/** A mapping key as the full parser turns it into an object key: `null` and `~` are "", numbers their text. */
export function keyString(text: string): string {
  // `<<` merges another mapping in.
  if (text === '<<') bail();
  const value = coreSchemaValue(text);
  return value === null ? '' : String(value);
}

/** Sets a key as the full parser does (a name Object.prototype has becomes an own property); a repeated key is not simple. */
export function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.hasOwn(map, key)) bail();
  if (key in map) Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}
