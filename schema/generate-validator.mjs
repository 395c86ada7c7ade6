// Compiles schema/indexes.schema.json into validator code once, at build time, instead of in every process
// that reads a manifest: src/io/manifest/schema-validator.generated.ts. `npm run build` runs it; a unit test
// fails when the file is older than the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = new URL('..', import.meta.url);
export const SCHEMA_FILE = new URL('schema/indexes.schema.json', root);
export const GENERATED_FILE = new URL('src/io/manifest/schema-validator.generated.ts', root);

/** The same options the validator had when it was compiled at run time; they decide the error objects. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, allowUnionTypes: true };

export function generateValidatorSource(schemaText = readFileSync(SCHEMA_FILE, 'utf8')) {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true, lines: true } });
  const code = standaloneCode.default(ajv, ajv.compile(JSON.parse(schemaText)));
  return [
    '// @ts-nocheck',
    '// Generated from schema/indexes.schema.json by schema/generate-validator.mjs (npm run build): do not edit.',
    "import { createRequire } from 'node:module';",
    '',
    // The generated code loads ajv's small runtime helpers with require().
    'const require = createRequire(import.meta.url);',
    code.replace(/^"use strict";/, ''),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = generateValidatorSource();
  let current = '';
  try {
    current = readFileSync(GENERATED_FILE, 'utf8');
  } catch {
    // not generated yet
  }
  // Written only when it changed, so a build does not touch the file's time for nothing.
  if (current !== source) writeFileSync(GENERATED_FILE, source);
}
