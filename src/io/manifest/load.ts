/*
 * Reading indexes.yaml: YAML (with positions) → JSON Schema (ajv) → DesiredState (core/desired.ts).
 * Every problem is reported at once, at `file:line:column` and manifest path, in plain words: ajv's
 * messages and branch noise never reach the user.
 */
import { assertNever } from '../../core/actions.js';
import { buildDesiredState } from '../../core/desired.js';
import type { LocateOptions, ManifestPath } from '../../core/manifest-path.js';
import { sortProblems, UserError, type Problem } from '../../core/errors.js';
import { isSqlParserLoaded, loadSqlParser } from '../../core/parse-tree.js';
import type { DesiredState } from '../../core/model.js';
import { pluralise } from '../../core/text.js';
import { nulProblem, readManifestText } from './read.js';
import { withoutInvalidParts } from './salvage.js';
import { validator } from './schema.js';
import { describeSchemaErrors } from './schema-errors.js';
import { isPlainObject } from './schema-paths.js';
import { readYamlManifest } from './yaml-document.js';
import { makeLocator } from './yaml-locate.js';

export interface ManifestCheck {
  /** Set only when the manifest has no problems. */
  readonly state?: DesiredState;
  readonly problems: Problem[];
  /** What the manifest declares, counted even when it has problems. */
  readonly tableCount: number;
  readonly indexCount: number;
}

export interface LoadedManifest {
  readonly desired: DesiredState;
  /** SHA-256 (hex) of exactly the bytes the desired state was read from. */
  readonly sha256: string;
}

/** Reads and checks a manifest; throws UserError listing every problem. */
export async function loadManifest(file: string): Promise<DesiredState> {
  return (await loadManifestFile(file)).desired;
}

/**
 * Like loadManifest, with the hash of the bytes that were read: a saved plan records the text that was
 * planned, even when the file changes while the plan is made.
 */
export async function loadManifestFile(file: string): Promise<LoadedManifest> {
  const read = await readManifestText(file);
  if (read.kind === 'unreadable') {
    throw new UserError(`Cannot read ${file}: ${read.reason}.`, 'Pass the manifest with -f FILE.');
  }
  const check = read.kind === 'text' ? await checkLoaded(read.text, file) : onlyProblem(read.problem);
  if (check.state && read.kind === 'text') return { desired: check.state, sha256: read.sha256 };
  throw new UserError(`${file} has ${pluralise(check.problems.length, 'problem')}`, undefined, check.problems);
}

/**
 * Reads the file and checks it; never throws for bad input. A file that cannot be read is one problem
 * at 1:1, so `validate --format json` has one shape for every failure.
 */
export async function checkManifestFile(file: string): Promise<ManifestCheck> {
  const read = await readManifestText(file);
  switch (read.kind) {
    case 'text':
      return checkLoaded(read.text, file);
    case 'not-text':
      return onlyProblem(read.problem);
    case 'unreadable':
      return onlyProblem({ file, line: 1, column: 1, path: '', message: `cannot read the file: ${read.reason}` });
    default:
      return assertNever(read, 'read outcome');
  }
}

async function checkLoaded(text: string, file: string): Promise<ManifestCheck> {
  await loadSqlParser();
  return checkManifestText(text, file);
}

/**
 * Checks manifest text; `displayName` is the file as the user named it, used in every problem.
 * Needs the SQL parser loaded (`await loadSqlParser()` from core/fragments.js) for the fragment checks.
 */
export function checkManifestText(text: string, displayName: string): ManifestCheck {
  if (!isSqlParserLoaded()) {
    throw new Error('checkManifestText needs the SQL parser: await loadSqlParser() from core/fragments.js first');
  }
  const file = displayName;
  const nul = nulProblem(text, file);
  if (nul) return onlyProblem(nul);
  const yaml = readYamlManifest(text, file);
  if (yaml.kind === 'fatal') return onlyProblem(yaml.problem);
  const { data } = yaml;
  const locate = makeLocator(yaml.document, text, file);
  const problems: Problem[] = [...yaml.problems];
  const report = (path: ManifestPath, message: string, options: LocateOptions = {}): void => {
    const ref = locate(path, options);
    problems.push({ file, line: ref.line, column: ref.column, path: ref.path, message });
  };
  const { tableCount, indexCount } = countDeclared(data);

  const validate = validator();
  const valid = validate(data);
  const errors = valid ? [] : (validate.errors ?? []);
  for (const problem of describeSchemaErrors(errors, data)) report(problem.path, problem.message, problem.at);

  const { input, crossChecks, placeholders } = withoutInvalidParts(data, errors);
  const built = buildDesiredState(input, file, locate, { crossChecks, placeholders });
  problems.push(...built.problems);

  const unique = dedupe(problems);
  if (unique.length > 0 || !built.state) return { problems: sortProblems(unique), tableCount, indexCount };
  return { state: built.state, problems: [], tableCount, indexCount };
}

function onlyProblem(problem: Problem): ManifestCheck {
  return { problems: [problem], tableCount: 0, indexCount: 0 };
}

function countDeclared(data: unknown): { tableCount: number; indexCount: number } {
  if (!isPlainObject(data) || !isPlainObject(data['tables'])) return { tableCount: 0, indexCount: 0 };
  let indexCount = 0;
  const tables = Object.values(data['tables']);
  for (const table of tables) {
    if (isPlainObject(table) && isPlainObject(table['indexes'])) indexCount += Object.keys(table['indexes']).length;
  }
  return { tableCount: tables.length, indexCount };
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
