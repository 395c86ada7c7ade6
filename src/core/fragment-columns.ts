/*
 * The columns an index uses, as PostgreSQL's parser reads its expressions and predicate: what a partial
 * temporary copy must hold for the index to print and build as it would on the real table.
 */
import { parseSync } from 'libpg-query';
import { isSqlParserLoaded } from './parse-tree.js';
import type { DesiredIndex } from './model.js';

/**
 * The columns an index uses, sorted: key columns, INCLUDE columns, and every column its expressions
 * and predicate name, as the parser reads them. Undefined when that cannot be told for sure: a
 * reference that is qualified or whole-row (`t.a`, `t.*`), or text the parser does not take as one
 * expression.
 */
export function usedColumns(index: DesiredIndex): readonly string[] | undefined {
  if (!isSqlParserLoaded()) return undefined; // readColumns loads it
  const names = new Set<string>(index.include);
  for (const part of index.columns) {
    if (part.kind === 'column') {
      names.add(part.column);
      continue;
    }
    const refs = fragmentColumns(part.expression);
    if (!refs) return undefined;
    for (const name of refs) names.add(name);
  }
  if (index.where !== undefined) {
    const refs = fragmentColumns(index.where);
    if (!refs) return undefined;
    for (const name of refs) names.add(name);
  }
  return [...names].sort();
}

const fragmentColumnCache = new Map<string, readonly string[] | null>();

function fragmentColumns(fragment: string): readonly string[] | undefined {
  const cached = fragmentColumnCache.get(fragment);
  if (cached !== undefined) return cached ?? undefined;
  let found: readonly string[] | null = null;
  try {
    const tree = parseSync(`SELECT ${fragment}`) as { stmts?: unknown[] };
    if (tree.stmts?.length === 1) {
      const names = new Set<string>();
      found = collectColumnRefs(tree.stmts[0], names) ? [...names] : null;
    }
  } catch {
    found = null;
  }
  if (fragmentColumnCache.size >= 20_000) fragmentColumnCache.clear();
  fragmentColumnCache.set(fragment, found);
  return found ?? undefined;
}

/** Adds every ColumnRef's name under `node`; false when one is not a single plain name. */
function collectColumnRefs(node: unknown, names: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((item) => collectColumnRefs(item, names));
  if (node === null || typeof node !== 'object') return true;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'ColumnRef') {
      const fields = (value as { fields?: unknown[] }).fields ?? [];
      const only = fields.length === 1 ? (fields[0] as { String?: { sval?: unknown } }).String?.sval : undefined;
      if (typeof only !== 'string') return false;
      names.add(only);
      continue;
    }
    if (!collectColumnRefs(value, names)) return false;
  }
  return true;
}
