/*
 * Manifest paths → places in the YAML file: the node a path names (through aliases and `<<` merge keys),
 * its line and column, and inside a text value the column of one character of it.
 */
import type { Document, Node, Pair } from 'yaml';
import { formatPath, type Locate, type LocateOptions, type ManifestPath } from '../../core/manifest-path.js';
import type { SourceRef } from '../../core/model.js';
import { scalarSourceOffset } from '../../core/yaml-offsets.js';
import { yamlPackage } from './yaml-package.js';

/** File offset → line and column (1-based), as a person counts them. */
export type Position = (offset: number) => { line: number; column: number };

/**
 * Path → place in the file. The place is worked out when it is first read: a manifest has a source
 * reference for every table, index, column and query, and only the few an error names are ever read.
 * `document` is called then, once, so the YAML document itself can be parsed only when needed.
 */
export function makeLocator(document: () => ParsedYaml, text: string, file: string): Locate {
  let find: ((path: ManifestPath) => Found) | undefined;
  const place = (path: ManifestPath, options: LocateOptions): { line: number; column: number } => {
    const { doc, position } = document();
    find ??= makeFinder(doc);
    return position(offsetOf(find(path), text, options));
  };
  return (path, options = {}) => lazyRef(file, { path, options, place, at: undefined, formatted: undefined });
}

interface Pending {
  readonly path: ManifestPath;
  readonly options: LocateOptions;
  readonly place: (path: ManifestPath, options: LocateOptions) => { line: number; column: number };
  at: { line: number; column: number } | undefined;
  formatted: string | undefined;
}

// Where a reference keeps what it needs to work out its place; not enumerable, so never copied or compared.
const PENDING = Symbol('pending place');

type LazyRef = SourceRef & { readonly [PENDING]: Pending };

// Getters shared by every reference (own and enumerable, so spreading a reference copies the values):
// objects built alike share one shape, unlike objects with getters of their own.
const PLACE: PropertyDescriptorMap = {
  line: {
    enumerable: true,
    get(this: LazyRef) {
      const pending = this[PENDING];
      pending.at ??= pending.place(pending.path, pending.options);
      return pending.at.line;
    },
  },
  column: {
    enumerable: true,
    get(this: LazyRef) {
      const pending = this[PENDING];
      pending.at ??= pending.place(pending.path, pending.options);
      return pending.at.column;
    },
  },
  path: {
    enumerable: true,
    get(this: LazyRef) {
      const pending = this[PENDING];
      pending.formatted ??= formatPath(pending.path);
      return pending.formatted;
    },
  },
};

function lazyRef(file: string, pending: Pending): SourceRef {
  const ref = { file };
  Object.defineProperty(ref, PENDING, { value: pending });
  return Object.defineProperties(ref, PLACE) as SourceRef;
}

function offsetOf(found: Found, text: string, options: LocateOptions): number {
  const { isScalar } = yamlPackage();
  const node = found.node;
  const pointAtKey =
    options.at === 'key' || !node || (isScalar(node) && node.value === null && !node.source && found.pair !== undefined);
  if (pointAtKey && found.pair && isNodeWithRange(found.pair.key)) return found.pair.key.range[0];
  if (node?.range) {
    if (options.offset !== undefined && isScalar(node)) return scalarSourceOffset(node, text, options.offset) ?? node.range[0];
    return node.range[0];
  }
  return found.nearest?.range?.[0] ?? 0;
}

/** The YAML document and how its offsets become lines and columns. */
export interface ParsedYaml {
  readonly doc: Document;
  readonly position: Position;
}

interface Found {
  readonly node?: Node;
  readonly pair?: Pair;
  /** The deepest node found on the way, for paths that do not exist (a missing field). */
  readonly nearest?: Node;
}

interface Step {
  readonly value: unknown;
  readonly pair?: Pair;
  readonly nearest?: Node;
  /** The path leaves the document here; deeper paths stop at the same place. */
  readonly end?: boolean;
}

/** Path → node; remembers every prefix, since thousands of paths share them. */
function makeFinder(doc: Document): (path: ManifestPath) => Found {
  const { isAlias } = yamlPackage();
  const root: Step = { value: doc.contents, ...(isNodeWithRange(doc.contents) ? { nearest: doc.contents } : {}) };
  const memo = new Map<string, Step>();
  const step = (path: ManifestPath): Step => {
    if (path.length === 0) return root;
    const key = path.join('\u0000');
    const known = memo.get(key);
    if (known) return known;
    const result = stepInto(doc, step(path.slice(0, -1)), path[path.length - 1] as string | number);
    memo.set(key, result);
    return result;
  };
  return (path) => {
    const { value, pair, nearest, end } = step(path);
    const resolved = isAlias(value) ? (value.resolve(doc) ?? value) : value;
    return {
      ...(!end && isNodeWithRange(resolved) ? { node: resolved } : {}),
      ...(pair ? { pair } : {}),
      ...(nearest ? { nearest } : {}),
    };
  };
}

function stepInto(doc: Document, parent: Step, part: string | number): Step {
  const { isAlias, isMap, isSeq } = yamlPackage();
  if (parent.end) return parent;
  const nearest = parent.nearest ? { nearest: parent.nearest } : {};
  const current = isAlias(parent.value) ? parent.value.resolve(doc) : parent.value;
  let value: unknown;
  let pair: Pair | undefined;
  if (isMap(current)) {
    pair = findPair(doc, current.items, String(part));
    if (!pair) return { value: undefined, end: true, ...nearest };
    value = pair.value;
  } else if (isSeq(current) && typeof part === 'number') {
    value = current.items[part];
  } else {
    return { value: undefined, end: true, ...nearest };
  }
  const withPair = pair ? { pair } : {};
  // An empty value (`indexes:`): point at its key, for this path and any below it.
  if (value === undefined || value === null) return { value: undefined, end: true, ...withPair, ...nearest };
  return { value, ...withPair, ...(isNodeWithRange(value) ? { nearest: value } : nearest) };
}

// Key → first pair of that key, per mapping: a manifest is looked up thousands of times.
const pairIndexes = new WeakMap<readonly unknown[], Map<string, Pair>>();

function findPair(doc: Document, items: readonly unknown[], key: string): Pair | undefined {
  const { isAlias, isMap, isPair, isSeq } = yamlPackage();
  let index = pairIndexes.get(items);
  if (!index) {
    index = new Map();
    for (const item of items) {
      if (isPair(item) && !index.has(keyText(item.key))) index.set(keyText(item.key), item);
    }
    pairIndexes.set(items, index);
  }
  const direct = index.get(key);
  if (direct) return direct;
  if (!index.has('<<')) return undefined;
  let merged: Pair | undefined;
  for (const item of items) {
    if (!isPair(item)) continue;
    // `<<: *base` merge keys: the field may come from the merged mapping.
    if (keyText(item.key) === '<<' && merged === undefined) {
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const resolved = isAlias(source) ? source.resolve(doc) : source;
        if (isMap(resolved)) merged ??= findPair(doc, resolved.items, key);
      }
    }
  }
  return merged;
}

export function keyText(key: unknown): string {
  const { isScalar } = yamlPackage();
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return String(key);
}

export function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return value !== null && typeof value === 'object' && Array.isArray((value as { range?: unknown }).range);
}

