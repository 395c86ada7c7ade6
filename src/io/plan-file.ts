/* Reading a saved plan (`reconcile plan --out plan.json`) back, checked against schema/plan.schema.json. */
import { readFile } from 'node:fs/promises';
import Ajv2020 from 'ajv/dist/2020.js';
import { UserError } from '../core/errors.js';
import type { PlanDocument } from '../core/plan-document.js';

let validator: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;

async function validatePlan(): Promise<NonNullable<typeof validator>> {
  if (validator) return validator;
  const schema = JSON.parse(await readFile(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv2020.default({ allErrors: true, strict: false, validateFormats: false });
  validator = ajv.compile(schema);
  return validator;
}

export async function readPlanFile(file: string): Promise<PlanDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot read the saved plan ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}.`, 'Make one with: reconcile plan --out plan.json');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not a saved plan: it is not JSON (${(error as Error).message}).`, 'Make one with: reconcile plan --out plan.json');
  }
  if (typeof data === 'object' && data !== null && 'formatVersion' in data && data.formatVersion !== 1) {
    throw new UserError(`${file} is a plan of format version ${String(data.formatVersion)}; this reconcile reads version 1.`);
  }
  const validate = await validatePlan();
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new UserError(
      `${file} is not a valid saved plan: ${first ? `${first.instancePath || '/'} ${first.message ?? ''}`.trim() : 'it does not match schema/plan.schema.json'}.`,
      'Saved plans are meant to be applied as written; make a new one with reconcile plan --out.',
    );
  }
  return data as PlanDocument;
}
