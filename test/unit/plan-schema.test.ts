import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { samplePlan } from '../helpers/sample-plan.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false, validateFormats: false });
const validate = ajv.compile(schema);

describe('schema/plan.schema.json', () => {
  it('describes the JSON plan document', () => {
    const document = JSON.parse(JSON.stringify(samplePlan()));
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects a document of another format version or with a missing action field', () => {
    const document = JSON.parse(JSON.stringify(samplePlan()));
    expect(validate({ ...document, formatVersion: 2 })).toBe(false);
    const broken = { ...document, actions: [{ ...document.actions[0], definition: undefined }] };
    expect(validate(JSON.parse(JSON.stringify(broken)))).toBe(false);
  });
});
