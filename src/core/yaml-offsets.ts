/*
 * Offsets inside YAML scalars: where the character at position N of a scalar's value was written in the
 * file. The value of a folded, quoted or escaped scalar differs from its source text, so the value is
 * rebuilt from the source the way YAML folds it, keeping the source offset of every character.
 */

/** The parts of a parsed YAML scalar node this needs (the `yaml` package's Scalar has them). */
export interface ScalarSource {
  readonly type?: string | undefined;
  readonly value: unknown;
  readonly range?: readonly [number, number, number] | null | undefined;
}

/**
 * Source offset of the character at `offset` inside a scalar's value. Rebuilds the value from the
 * source the way YAML folds it, and gives up (undefined) when the rebuild does not match: a wrong
 * position is worse than the start of the node.
 */
export function scalarSourceOffset(node: ScalarSource, text: string, offset: number): number | undefined {
  const range = node.range;
  if (!range) return undefined;
  const [start, end] = range;
  let mapped: { value: string; map: number[] } | undefined;
  switch (node.type) {
    case 'PLAIN':
      mapped = foldFlow(text.slice(start, end), start, 'plain');
      break;
    case 'QUOTE_SINGLE':
      mapped = foldFlow(text.slice(start + 1, end - 1), start + 1, 'single');
      break;
    case 'QUOTE_DOUBLE':
      mapped = foldFlow(text.slice(start + 1, end - 1), start + 1, 'double');
      break;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      mapped = foldBlock(text, start, end, node.type === 'BLOCK_FOLDED');
      break;
    default:
      return undefined;
  }
  if (!mapped) return undefined;
  const value = String(node.value);
  const strip = (s: string): string => s.replace(/\n+$/, '');
  if (strip(mapped.value) !== strip(value)) return undefined;
  if (offset < mapped.map.length) return mapped.map[offset];
  const last = mapped.map[mapped.map.length - 1];
  return last === undefined ? undefined : last + 1;
}

function foldFlow(raw: string, rawStart: number, style: 'plain' | 'single' | 'double'): { value: string; map: number[] } {
  let value = '';
  const map: number[] = [];
  const lines = raw.split('\n');
  let lineStart = rawStart;
  let emptyLines = 0;
  let joinWithoutSpace = false;
  for (const [i, rawLine] of lines.entries()) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const isFirst = i === 0;
    const isLast = i === lines.length - 1;
    let from = 0;
    let to = line.length;
    if (!isFirst) while (from < to && (line[from] === ' ' || line[from] === '\t')) from++;
    if (!isLast || style === 'plain') while (to > from && (line[to - 1] === ' ' || line[to - 1] === '\t')) to--;
    if (!isFirst) {
      if (from === to && !isLast) {
        emptyLines += 1;
        lineStart += rawLine.length + 1;
        continue;
      }
      if (emptyLines > 0) {
        for (let k = 0; k < emptyLines; k++) {
          value += '\n';
          map.push(lineStart - 1);
        }
      } else if (!joinWithoutSpace) {
        value += ' ';
        map.push(lineStart - 1);
      }
      emptyLines = 0;
    }
    joinWithoutSpace = false;
    for (let j = from; j < to; j++) {
      const ch = line[j] as string;
      if (style === 'single' && ch === "'" && line[j + 1] === "'") {
        value += "'";
        map.push(lineStart + j);
        j += 1;
      } else if (style === 'double' && ch === '\\') {
        if (j === to - 1) {
          joinWithoutSpace = true; // an escaped line break joins the lines with nothing between
          break;
        }
        const escape = line[j + 1] as string;
        const width = escape === 'x' ? 2 : escape === 'u' ? 4 : escape === 'U' ? 8 : 0;
        const decoded = width > 0 ? String.fromCodePoint(parseInt(line.slice(j + 2, j + 2 + width), 16)) : (DOUBLE_ESCAPES[escape] ?? escape);
        for (let k = 0; k < decoded.length; k++) map.push(lineStart + j);
        value += decoded;
        j += 1 + width;
      } else {
        value += ch;
        map.push(lineStart + j);
      }
    }
    lineStart += rawLine.length + 1;
  }
  return { value, map };
}

const DOUBLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

function foldBlock(text: string, start: number, end: number, folded: boolean): { value: string; map: number[] } | undefined {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd === -1 || headerEnd >= end) return undefined;
  const bodyStart = headerEnd + 1;
  const lines = text.slice(bodyStart, end).split('\n');
  const firstContent = lines.find((l) => l.trim() !== '');
  if (firstContent === undefined) return undefined;
  const indent = firstContent.length - firstContent.trimStart().length;
  let value = '';
  const map: number[] = [];
  let lineStart = bodyStart;
  let previous: 'none' | 'normal' | 'more' | 'empty' = 'none';
  let pendingBreaks = 0;
  for (const rawLine of lines) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const content = line.slice(Math.min(indent, line.length));
    const isEmpty = line.trim() === '';
    if (isEmpty) {
      pendingBreaks += 1;
      lineStart += rawLine.length + 1;
      continue;
    }
    const kind = content.startsWith(' ') || content.startsWith('\t') ? 'more' : 'normal';
    if (previous !== 'none') {
      // Folded: a single break between two normal lines becomes a space; otherwise breaks stay.
      const breaks = folded && previous === 'normal' && kind === 'normal' ? pendingBreaks : pendingBreaks + 1;
      if (breaks === 0) {
        value += ' ';
        map.push(lineStart - 1);
      }
      for (let k = 0; k < breaks; k++) {
        value += '\n';
        map.push(lineStart - 1);
      }
    } else {
      for (let k = 0; k < pendingBreaks; k++) {
        value += '\n';
        map.push(lineStart - 1);
      }
    }
    pendingBreaks = 0;
    for (let j = 0; j < content.length; j++) {
      value += content[j];
      map.push(lineStart + indent + j);
    }
    previous = kind;
    lineStart += rawLine.length + 1;
  }
  return { value, map };
}

