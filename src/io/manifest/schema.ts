/*
 * The manifest's JSON Schema (schema/indexes.schema.json): the compiled validator, and the fields each
 * kind of mapping takes, for the messages about unknown fields.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

let compiled: ValidateFunction | undefined;

export function validator(): ValidateFunction {
  if (!compiled) {
    // Shipped next to dist/ (package.json "files"): ../../../schema from both src/io/manifest and dist/io/manifest.
    const schema = JSON.parse(readFileSync(new URL('../../../schema/indexes.schema.json', import.meta.url), 'utf8'));
    compiled = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(schema);
  }
  return compiled;
}

const ROOT_FIELDS = ['version', 'defaults', 'settings', 'budgets', 'tables'];
export const FIELDS: Readonly<Record<string, readonly string[]>> = {
  root: ROOT_FIELDS,
  defaults: ['schema', 'prune'],
  settings: [
    'concurrency',
    'lockTimeout',
    'buildLockTimeout',
    'statementTimeout',
    'maintenanceWorkMem',
    'maxParallelMaintenanceWorkers',
    'retries',
    'analyzeAfterBuild',
    'allowLockingDrops',
    'searchPath',
  ],
  budgets: ['indexToTableRatio'],
  table: ['prune', 'indexes'],
  index: ['columns', 'unique', 'method', 'include', 'where', 'with', 'nullsNotDistinct', 'tablespace', 'comment', 'queries'],
  column: ['column', 'expression', 'opclass', 'opclassParams', 'collation', 'order', 'nulls'],
  query: ['sql', 'params', 'p95'],
};
