/*
 * The manifest as a YAML document with positions, and the problems YAML itself shows: syntax errors, a
 * file that is empty or not a mapping, keys written twice, the parser's warnings.
 */
import type { Pair, YAMLError, YAMLMap } from 'yaml';
import { formatPath, type ManifestPath } from '../../core/manifest-path.js';
import { readSimpleYaml } from '../../core/simple-yaml.js';
import type { Problem } from '../../core/errors.js';
import { describeValue } from './schema-errors.js';
import { isNodeWithRange, keyText, type ParsedYaml, type Position } from './yaml-locate.js';
import { yamlPackage } from './yaml-package.js';

export type YamlOutcome =
  /** The YAML cannot be read as a manifest at all: this one problem says why. */
  | { readonly kind: 'fatal'; readonly problem: Problem }
  | {
      readonly kind: 'mapping';
      /** The YAML document with positions; parsed on the first call when the data was read the fast way. */
      readonly document: () => ParsedYaml;
      /** The document as plain data. */
      readonly data: unknown;
      /** Duplicate keys and warnings: the data is still usable. */
      readonly problems: Problem[];
    };

/**
 * The manifest's data. Simple YAML (nearly every manifest) is read by the fast reader, which gives the
 * same data as the full parser or declines; the YAML document with positions is then built only if an
 * error needs a position. Any other text goes to the full parser.
 */
export function readYamlManifest(text: string, file: string): YamlOutcome {
  const simple = readSimpleYaml(text);
  if (simple === undefined) return readYamlDocument(text, file);
  let parsed: ParsedYaml | undefined;
  return { kind: 'mapping', document: () => (parsed ??= parseYaml(text)), data: simple, problems: [] };
}

/** Parses the text with positions; node ranges are offsets into `text` as given (the parser skips a byte-order mark itself). */
export function parseYaml(text: string): ParsedYaml {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  // Duplicate keys are found by duplicateKeys() below: the parser's own check is quadratic per mapping.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: true, prettyErrors: false });
  // Columns count characters a person sees: not a leading byte-order mark.
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const position: Position = (offset) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.line === 1 ? Math.max(1, pos.col - bom) : pos.col };
  };
  return { doc, position };
}

/** The manifest read by the full YAML parser, with every problem YAML itself shows. */
export function readYamlDocument(text: string, file: string): YamlOutcome {
  const { isMap, isScalar, isSeq } = yamlPackage();
  const parsed = parseYaml(text);
  const { doc, position } = parsed;
  const fatal = (offset: number | undefined, message: string): YamlOutcome => {
    const { line, column } = offset === undefined ? { line: 1, column: 1 } : position(offset);
    return { kind: 'fatal', problem: { file, line, column, path: '', message } };
  };
  // A syntax error makes everything after it doubtful: report the first one only.
  if (doc.errors.length > 0) {
    const first = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0] as YAMLError;
    return fatal(first.pos[0], describeYamlError(first));
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && !contents.source)) {
    return fatal(undefined, 'the file is empty: a manifest starts with "version: 1" and declares "tables:"');
  }
  if (!isMap(contents)) {
    const what = isSeq(contents) ? 'a list' : describeValue(isScalar(contents) ? contents.value : contents);
    return fatal(
      contents.range?.[0] ?? 0,
      `the file holds ${what}, not a manifest: a manifest is a mapping with "version: 1" and "tables:"`,
    );
  }
  const problems = duplicateKeys(contents as YAMLMap, [], file, position);
  for (const warning of doc.warnings) {
    const { line, column } = position(warning.pos[0]);
    problems.push({ file, line, column, path: '', message: lowerFirst(warning.message) });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return fatal(undefined, `the YAML cannot be read: ${lowerFirst(error instanceof Error ? error.message : String(error))}`);
  }
  return { kind: 'mapping', document: () => parsed, data, problems };
}

/** Keys written twice in one mapping (YAML would silently keep the last one). */
export function duplicateKeys(node: unknown, path: ManifestPath, file: string, position: Position): Problem[] {
  const { isMap, isSeq } = yamlPackage();
  const problems: Problem[] = [];
  if (isMap(node)) {
    const seen = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      const first = seen.get(key);
      // Several `<<` merge keys are allowed.
      if (first && key !== '<<' && isNodeWithRange(pair.key) && isNodeWithRange(first.key)) {
        const { line, column } = position(pair.key.range[0]);
        problems.push({
          file,
          line,
          column,
          path: formatPath([...path, key]),
          message: `duplicate key "${key}": it is already at line ${position(first.key.range[0]).line}; each key may appear once`,
        });
      } else if (!first) {
        seen.set(key, pair);
      }
      problems.push(...duplicateKeys(pair.value, [...path, key], file, position));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => problems.push(...duplicateKeys(item, [...path, i], file, position)));
  }
  return problems;
}

function describeYamlError(error: YAMLError): string {
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return 'not valid YAML: a tab is used for indentation; YAML indents with spaces';
    case 'MULTIPLE_DOCS':
      return 'not valid YAML for a manifest: the file holds more than one YAML document ("---"); use one';
    default:
      return `not valid YAML: ${lowerFirst(error.message)}`;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
