/*
 * One job per file, functions a reader can hold in mind: no source file over ~350 lines, no function
 * over ~80 (the apply view's reducer, one flat switch over the events, is the exception).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MAX_FILE_LINES = 360;
const MAX_FUNCTION_LINES = 85;
const FLAT_SWITCHES = new Set(['src/ui/apply-state.ts:reduceApply']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.generated.ts') ? [path] : [];
  });
}

function longFunctions(path: string, text: string): string[] {
  const file = relative(ROOT, path);
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = source.getLineAndCharacterOfPosition(node.end).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const name = node.name?.getText(source) ?? `(function at line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1})`;
      if (lines > MAX_FUNCTION_LINES && !FLAT_SWITCHES.has(`${file}:${name}`)) found.push(`${file}:${name} has ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('code shape', () => {
  const files = sourceFiles(join(ROOT, 'src')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it(`keeps every source file under ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map(({ path, text }) => ({ file: relative(ROOT, path), lines: text.split('\n').length }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file} has ${lines} lines`);
    expect(long).toEqual([]);
  });

  it(`keeps every function under ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap(({ path, text }) => longFunctions(path, text))).toEqual([]);
  });
});
