/*
 * Reading a targets file: YAML with positions → JSON Schema (ajv) → specs. Problems are reported like a
 * manifest's, each at file:line:column with its path, all at once.
 */
import path from 'node:path';
import type { Locate, LocateOptions, ManifestPath } from '../../core/manifest-path.js';
import { sortProblems, UserError, type Problem } from '../../core/errors.js';
import { targetsFileSpec, type TargetsFileSpec } from '../../core/fleet/targets-file.js';
import { pluralise } from '../../core/text.js';
import { nulProblem, readManifestText } from '../manifest/read.js';
import { describeValue } from '../manifest/schema-errors.js';
import { duplicateKeys, parseYaml } from '../manifest/yaml-document.js';
import { makeLocator } from '../manifest/yaml-locate.js';
import { yamlPackage } from '../manifest/yaml-package.js';
import { describeTargetsErrors, targetsValidator } from './targets-schema.js';

export interface TargetsFile {
  /** As the user named it: what problems show. */
  readonly file: string;
  /** Its directory: manifests are relative to it. */
  readonly directory: string;
  readonly spec: TargetsFileSpec;
  /** Path in the file → place, for problems found later (environment, duplicates). */
  readonly locate: Locate;
}

/** A problem at a place in a targets file. */
export function problemAt(file: string, locate: Locate, at: ManifestPath, message: string, options: LocateOptions = {}): Problem {
  const ref = locate(at, options);
  return { file, line: ref.line, column: ref.column, path: ref.path, message };
}

export async function readTargetsFile(file: string): Promise<TargetsFile> {
  const read = await readManifestText(file);
  if (read.kind === 'unreadable') throw new UserError(`Cannot read the targets file ${file}: ${read.reason}.`, 'Pass the fleet with --targets FILE.');
  if (read.kind === 'not-text') throw failed(file, [read.problem]);
  const nul = nulProblem(read.text, file);
  if (nul) throw failed(file, [nul]);
  const text = read.text;
  const parsed = parseYaml(text);
  const { doc, position } = parsed;
  const fatal = (offset: number | undefined, message: string): UserError => {
    const { line, column } = offset === undefined ? { line: 1, column: 1 } : position(offset);
    return failed(file, [{ file, line, column, path: '', message }]);
  };
  if (doc.errors.length > 0) {
    const first = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0]!;
    throw fatal(first.pos[0], `not valid YAML: ${first.message.charAt(0).toLowerCase()}${first.message.slice(1)}`);
  }
  const { isMap, isScalar, isSeq } = yamlPackage();
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    throw fatal(undefined, 'the file is empty: a targets file starts with "version: 1" and lists "targets:" or "discover:"');
  }
  if (!isMap(contents)) {
    const what = isSeq(contents) ? 'a list' : describeValue(isScalar(contents) ? contents.value : contents);
    throw fatal(contents.range?.[0] ?? 0, `the file holds ${what}, not a targets file: a mapping with "version: 1" and "targets:" or "discover:"`);
  }
  const problems: Problem[] = duplicateKeys(contents, [], file, position);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw fatal(undefined, `the YAML cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const locate = makeLocator(() => parsed, text, file);
  const validate = targetsValidator();
  if (!validate(data)) {
    for (const problem of describeTargetsErrors(validate.errors ?? [], data)) problems.push(problemAt(file, locate, problem.path, problem.message, problem.at ?? {}));
  }
  if (problems.length > 0) throw failed(file, problems);
  return { file, directory: path.dirname(path.resolve(file)), spec: targetsFileSpec(data as Parameters<typeof targetsFileSpec>[0]), locate };
}

export function failed(file: string, problems: readonly Problem[]): UserError {
  return new UserError(`${file} has ${pluralise(problems.length, 'problem')}`, undefined, sortProblems(problems));
}
