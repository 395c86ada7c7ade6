/*
 * The fast reader of simple YAML must give exactly the data of the full YAML parser, or nothing. Checked on
 * every manifest in the repository, on exact cases, and on random documents and random edits of them:
 * whenever the fast reader answers, the full parser must read the text without an error, a warning or a
 * repeated key, to the same data (same values, types, key order). FUZZ_CASES=200000 (and FUZZ_SEED) run more of them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Document, isScalar, type ScalarTag } from 'yaml';
import { coreSchemaValue } from '../../src/core/yaml-core-schema.js';
import { readYamlDocument } from '../../src/io/manifest/yaml-document.js';
import { readSimpleYaml } from '../../src/core/simple-yaml.js';

const root = new URL('../..', import.meta.url);

/** Values, types, key order and own property names, in one string. */
function canonical(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? 'n:-0' : `n:${value}`;
    case 'string':
      return `s:${JSON.stringify(value)}`;
    case 'boolean':
      return `b:${value}`;
    case 'object': {
      const object = value as Record<string, unknown>;
      const entries = Object.getOwnPropertyNames(object).map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`);
      return `{${entries.join(',')}}${Object.getPrototypeOf(object) === Object.prototype ? '' : '(prototype)'}`;
    }
    default:
      return `?${typeof value}`;
  }
}

type Outcome = 'fast' | 'full';

/** Which reader answered; fails when the fast reader answers differently from the full parser. */
function compare(text: string): Outcome {
  const fast = readSimpleYaml(text);
  if (fast === undefined) return 'full';
  const full = readYamlDocument(text, 'indexes.yaml');
  if (full.kind !== 'mapping') expect({ text: JSON.stringify(text), problem: full.problem }).toEqual({ text: JSON.stringify(text) });
  if (full.kind !== 'mapping') return 'full';
  expect({ text, problems: full.problems }).toEqual({ text, problems: [] });
  expect({ text, data: canonical(fast) }).toEqual({ text, data: canonical(full.data) });
  return 'fast';
}

// ---- random documents ------------------------------------------------------------------------------

/** mulberry32: the same cases on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLAIN = [
  'a', 'tables', 'app.users', 'x-y', 'é ü', 'lower(email)', "status = 'active' AND id > 1", "a->>'b'", 'x::int',
  'a  b', 'a#b', 'a:b', 'http://x', '-x', '--', '1', '-1', '+1', '0', '-0', '007', '0o17', '0x1f', '0X1F', '1.5',
  '.5', '5.', '1e3', '1E-3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'null', 'Null', 'NULL', 'nuLL', '~', 'true',
  'True', 'TRUE', 'tRue', 'false', 'yes', 'No', 'on', '1_000', '0b11', '2024-01-01', '12:30', '1:2', '__proto__',
  'constructor', 'toString', '<<', 'a [b]', 'a {b}', 'a, b', "it's", 'a "q"', 'x > 1', 'a | b', 'a & b', 'a * b',
  'a ! b', 'a % b', 'a @ b', 'a ` b', 'a ? b', '50ms', '512MB', '\u00a0a', 'a\u00a0', '\u3000', 'a\u2003b', '\u00a0',
];
const ODD = ['a # c', 'a: b', 'a:', ': a', '- a', '---', '...', '@x', '`x', '%x', '!x', '!!str x', '&a x', '*a', '|', '>', '?x', ':x', '#', ',a', '[a', '{a', ']', '}', "'a", '"a', 'a\\b', '\t', 'a\tb'];
const QUOTED_TEXT = ['', 'a', 'a: b', 'a # b', "it''s", 'x\\"y', 'a\\nb', '[a]', '{a}', ' a ', 'é', '\\', '\\u00e9', "'", '"'];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** A short text of YAML's significant characters, to try the rules of unquoted scalars. */
function noise(rand: () => number): string {
  const length = 1 + Math.floor(rand() * 8);
  return Array.from({ length }, () => pick(rand, [...'ab :-#[]{},"\'|>&*!?%@`.~01eE+x_/\\\u00a0\u3000'])).join('');
}

function scalar(rand: () => number): string {
  const r = rand();
  if (r < 0.12) return noise(rand);
  if (r < 0.55) return pick(rand, PLAIN);
  if (r < 0.65) return pick(rand, ODD);
  const text = pick(rand, QUOTED_TEXT);
  return r < 0.82 ? `"${text}"` : `'${text.replace(/\\/g, '')}'`;
}

function key(rand: () => number): string {
  const r = rand();
  if (r < 0.05) return noise(rand);
  if (r < 0.85) return pick(rand, PLAIN.slice(0, 40));
  if (r < 0.9) return pick(rand, PLAIN);
  return rand() < 0.5 ? `"${pick(rand, ['a', 'a: b', '', 'x y'])}"` : `'${pick(rand, ['a', "it''s", '', 'a: b'])}'`;
}

function flow(rand: () => number, depth: number): string {
  const space = (): string => pick(rand, ['', ' ', ' ', '  ']);
  const r = rand();
  if (depth > 2 || r < 0.4) return scalar(rand).replace(/^\|$|^>$/, 'x');
  const count = Math.floor(rand() * 4);
  const items = Array.from({ length: count }, () => (r < 0.7 ? flow(rand, depth + 1) : `${key(rand)}:${pick(rand, [' ', ' ', '  ', ''])}${flow(rand, depth + 1)}`));
  const separator = `${space()},${pick(rand, [' ', ' ', '', '  '])}`;
  const tail = rand() < 0.05 ? ',' : '';
  return r < 0.7 ? `[${space()}${items.join(separator)}${tail}${space()}]` : `{${space()}${items.join(separator)}${tail}${space()}}`;
}

function blockScalar(rand: () => number, indent: string): string[] {
  const header = pick(rand, ['|', '|-', '>', '>-', '>', '>-', '|+', '>2', '| # c']);
  const lines = [header];
  const count = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.15) lines.push('');
    else if (r < 0.2) lines.push(`${indent}${pick(rand, ['', ' ', '   '])}`);
    else if (r < 0.35) lines.push(`${indent}  ${pick(rand, PLAIN)}`);
    else if (r < 0.4) lines.push(`${indent}# ${pick(rand, PLAIN)}`);
    else lines.push(`${indent}${pick(rand, [...PLAIN, ...ODD])}`);
  }
  return lines;
}

/** Lines of a block node at `indent` columns. */
function block(rand: () => number, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const step = pick(rand, [2, 2, 2, 4, 1, 3]);
  const count = 1 + Math.floor(rand() * 3);
  const lines: string[] = [];
  const asSequence = depth > 0 && rand() < 0.35;
  for (let i = 0; i < count; i++) {
    const lead = asSequence ? `${pad}-${pick(rand, [' ', ' ', '  '])}` : `${pad}${key(rand)}:`;
    const r = rand();
    if (depth < 3 && r < 0.35) {
      // A nested block: under the key, or (a sequence) at the key's own column.
      lines.push(`${lead}${asSequence ? '' : pick(rand, ['', '', ' ', ' # c'])}`.trimEnd());
      const nestedIndent = !asSequence && rand() < 0.2 ? indent : indent + step;
      const nested = block(rand, nestedIndent, depth + 1);
      lines.push(...(nestedIndent === indent && !nested[0]?.trimStart().startsWith('-') ? block(rand, indent + step, depth + 1) : nested));
    } else if (asSequence && depth < 3 && r < 0.5) {
      // `- key: value` and more keys at its column.
      const column = lead.length;
      const entry = block(rand, column, depth + 1).filter((line) => !line.trimStart().startsWith('-'));
      const first = entry[0];
      if (first === undefined) continue;
      lines.push(`${lead}${first.slice(column)}`, ...entry.slice(1));
    } else if (r < 0.6) {
      lines.push(`${lead} ${scalar(rand)}${rand() < 0.1 ? ' # comment' : ''}${rand() < 0.05 ? '  ' : ''}`);
    } else if (r < 0.85) {
      lines.push(`${lead} ${flow(rand, 0)}${rand() < 0.1 ? ' # comment' : ''}`);
    } else {
      const [header, ...body] = blockScalar(rand, `${pad}${' '.repeat(step)}`);
      lines.push(`${lead} ${header}`, ...body);
    }
    if (rand() < 0.08) lines.push(pick(rand, ['', `${pad}# comment`, '#', `${' '.repeat(indent + 5)}# deeper`]));
  }
  return lines;
}

function document(rand: () => number): string {
  const lines = block(rand, 0, 0);
  const newline = rand() < 0.1 ? '\r\n' : '\n';
  return `${lines.join(newline)}${rand() < 0.9 ? newline : ''}`;
}

const EDITS = ['\u00a0', '\u2003', ' ', ':', '-', '#', '[', ']', '{', '}', ',', '"', "'", '\n', '|', '>', '&', '*', '!', '?', '%', '@', '\t', '\r', 'a', '\\', '~', '.', '1'];

function edited(rand: () => number, text: string): string {
  let out = text;
  const count = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const r = rand();
    if (r < 0.45) out = out.slice(0, at) + pick(rand, EDITS) + out.slice(at);
    else if (r < 0.8) out = out.slice(0, at) + out.slice(at + 1);
    else if (r < 0.9) out = out.slice(0, at) + '  ' + out.slice(at);
    else {
      const lines = out.split('\n');
      const line = Math.floor(rand() * lines.length);
      lines.splice(line, 0, lines[line] ?? '');
      out = lines.join('\n');
    }
  }
  return out;
}

// ---- the checks ------------------------------------------------------------------------------------

describe('unquoted scalars under the core schema', () => {
  it('mean what they mean to the yaml package, for every string of up to 3 of the characters that matter', () => {
    // As the yaml package's composeScalar: the first default tag whose test matches, else text.
    const { schema, options } = new Document(null, { merge: true });
    const tags = (schema.tags as ScalarTag[]).filter((tag) => tag.default === true && tag.test);
    const yamlValue = (text: string): unknown => {
      const tag = tags.find((t) => t.test?.test(text));
      const resolved: unknown = tag?.resolve ? tag.resolve(text, () => undefined, options) : text;
      return isScalar(resolved) ? resolved.value : resolved;
    };
    const alphabet = [...'0123456789.+-eExXoOaAbBfFnNlLuUtTrRsSiI~_ '];
    let texts = [''];
    const all: string[] = [];
    for (let length = 1; length <= 3; length++) {
      texts = texts.flatMap((text) => alphabet.map((c) => text + c));
      all.push(...texts);
    }
    all.push('0o17', '0x1F', '0xFFFFFFFFFFFFFFFFFF', '99999999999999999999', '1.5e+10', '.inf', '-.Inf', '+.INF', '.NaN', '.NAN', 'Null', 'NULL', 'True', 'FALSE', '1_000', '0b101', '1e', '.e1', '00.10');
    const differing = all.filter((text) => canonical(coreSchemaValue(text)) !== canonical(yamlValue(text)));
    expect(differing).toEqual([]);
    expect(all.length).toBeGreaterThan(60_000);
  });
});

describe('the fast reader of simple YAML', () => {
  it('reads every manifest in the repository as the full parser does', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    const outcomes = files.map((file) => [file, compare(readFileSync(new URL(file, root), 'utf8'))]);
    // The flagship example is read the fast way: it is what speed matters for.
    expect(outcomes.filter(([file]) => file === 'indexes.yaml' || file === 'examples/openlearn/indexes.yaml')).toEqual([
      ['examples/openlearn/indexes.yaml', 'fast'],
      ['indexes.yaml', 'fast'],
    ]);
  });

  it.each([
    ['version: 1\ntables: {}\n', 'fast'],
    ['version: 1\r\ntables:\r\n  users:\r\n    indexes: {}\r\n', 'fast'],
    ['a: 0x1F\nb: 1e3\nc: -0\nd: .inf\ne: ~\nf: TRUE\ng: yes\nh: 1_000\n', 'fast'],
    ['1: a\n~: b\ntrue: c\n1.50: d\n', 'fast'],
    ['__proto__: 1\nconstructor: 2\n', 'fast'],
    ["a: 'it''s'\nb: \"x: y\"\nc: [a, 'b', \"c\", { d: e }]\n", 'fast'],
    ['q:\n- sql: x\n  p95: 5ms\n-\n  sql: y\n- z\n', 'fast'],
    ['c: >-\n  one\n  two\n\n  three\n    four\nd: |\n  # text\n  x\n\n', 'fast'],
    ['a: 1\na: 2\n', 'full'],
    ['a: 1\nA: [x, x]\n"a": 3\n', 'full'],
    ['a: &x 1\nb: *x\n', 'full'],
    ['a: !!str 1\n', 'full'],
    ['<<: {a: 1}\n', 'full'],
    ['a: b\n  c\n', 'full'],
    ['a: "multi\n  line"\n', 'full'],
    ['a: [x,\n  y]\n', 'full'],
    ['a:\tb\n', 'full'],
    ['--- \na: 1\n', 'full'],
    ['- a\n', 'full'],
    ['a: b: c\n', 'full'],
    ['a: "\\u00e9"\n', 'full'],
    ['a: |+\n  x\n\n', 'full'],
    [`${'k'.repeat(1100)}: 1\n`, 'full'],
  ])('%j is read the %s way', (text, way) => {
    expect(compare(text)).toBe(way);
  });

  it('agrees with the full parser on random documents and random edits of them', () => {
    const cases = Number(process.env['FUZZ_CASES'] ?? 4000);
    const rand = random(Number(process.env['FUZZ_SEED'] ?? 20261203));
    const counts = { fast: 0, full: 0, editedFast: 0 };
    for (let n = 0; n < cases; n++) {
      const text = document(rand);
      if (compare(text) === 'fast') counts.fast += 1;
      else counts.full += 1;
      if (compare(edited(rand, text)) === 'fast') counts.editedFast += 1;
    }
    if (process.env['FUZZ_CASES']) console.log(counts);
    // Both readers are exercised, and edits that keep the text simple are compared too.
    expect(counts.fast).toBeGreaterThan(cases / 10);
    expect(counts.full).toBeGreaterThan(cases / 10);
    expect(counts.editedFast).toBeGreaterThan(cases / 20);
  });
});
