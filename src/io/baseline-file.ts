/* Saving `check --analyze --out before.json` and reading it back for `--baseline`, checked against schema/check-baseline.schema.json. */
import { readFile, writeFile } from 'node:fs/promises';
import Ajv2020 from 'ajv/dist/2020.js';
import { BASELINE_FORMAT_VERSION, type BaselineDocument } from '../core/check-baseline.js';
import { UserError } from '../core/errors.js';

type Validator = ReturnType<InstanceType<typeof Ajv2020.default>['compile']>;

let validator: Validator | undefined;

const MAKE_ONE = 'Measure the queries before the change with: reconcile check --analyze --out before.json';

export async function baselineValidator(): Promise<Validator> {
  if (validator) return validator;
  const schema = JSON.parse(await readFile(new URL('../../schema/check-baseline.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv2020.default({ allErrors: true, strict: false, validateFormats: false });
  validator = ajv.compile(schema);
  return validator;
}

export async function readBaselineFile(file: string): Promise<BaselineDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot read the baseline ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}.`, MAKE_ONE);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not a check baseline: it is not JSON (${(error as Error).message}).`, MAKE_ONE);
  }
  const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
  if (kind !== 'check-baseline') {
    const what = kind === undefined ? 'it has no "kind": "check-baseline"' : `its kind is ${JSON.stringify(kind)}, not "check-baseline"`;
    throw new UserError(`${file} is not a check baseline (check --analyze --out writes those): ${what}.`, MAKE_ONE);
  }
  if (typeof data === 'object' && data !== null && 'formatVersion' in data && data.formatVersion !== BASELINE_FORMAT_VERSION) {
    throw new UserError(`${file} is a check baseline of format version ${String(data.formatVersion)}; this reconcile reads version ${BASELINE_FORMAT_VERSION}.`, MAKE_ONE);
  }
  const validate = await baselineValidator();
  if (!validate(data)) {
    const first = validate.errors?.[0];
    const where = first ? `${first.instancePath || '/'} ${first.message ?? ''}`.trim() : 'it does not match schema/check-baseline.schema.json';
    throw new UserError(`${file} is not a valid check baseline: ${where}.`, MAKE_ONE);
  }
  return data as BaselineDocument;
}

export async function writeBaselineFile(file: string, document: BaselineDocument): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new UserError(`Cannot write the baseline to ${file}: ${reason}.`, 'Give --out a path in a directory you may write to.');
  }
}
