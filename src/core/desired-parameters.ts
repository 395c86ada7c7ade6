/*
 * Storage parameters (`with:`) and operator class parameters (`opclassParams:`) as the model keeps them.
 */
import { findControlCharacter } from './control-characters.js';
import type { ColumnEntryInput } from './manifest-input.js';
import type { ManifestPath, Report } from './manifest-path.js';
import type { StorageParameter } from './model.js';
import { printableName } from './printable.js';

/**
 * Storage parameters or operator class parameters: lower-case names, values kept as the text written
 * (PostgreSQL stores `fillfactor=90`, `siglen=32` verbatim), in manifest order.
 */
export function buildParameters(
  given: Readonly<Record<string, string | number | boolean>>,
  path: ManifestPath,
  what: string,
  examples: string,
  report: Report,
): StorageParameter[] {
  const parameters: StorageParameter[] = [];
  for (const [param, value] of Object.entries(given)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(param)) {
      const lower = param.toLowerCase();
      report(
        [...path, param],
        /^[a-z_][a-z0-9_]*$/.test(lower)
          ? `${what} names are lower case: write ${lower}`
          : `${JSON.stringify(param)} is not a ${what} name (${examples})`,
        { at: 'key' },
      );
    }
    const text = String(value);
    const control = findControlCharacter(text);
    if (control) {
      report(
        [...path, param],
        `the value of ${what} ${printableName(param)} contains a control character (${control.description}): write the value without it`,
        { offset: control.offset },
      );
    }
    parameters.push({ name: param, value: text });
  }
  return parameters;
}

export const OPCLASS_PARAMS_NEED_OPCLASS =
  'opclassParams needs an opclass beside it: parameters belong to an operator class, as in ' +
  '{ column: title, opclass: gist_trgm_ops, opclassParams: { siglen: 32 } }';

/** `opclassParams: { siglen: 32 }`, which only means something beside an `opclass`. */
export function buildOpclassParams(
  entry: ColumnEntryInput,
  entryPath: ManifestPath,
  report: Report,
): StorageParameter[] | undefined {
  if (entry.opclassParams === undefined) return undefined;
  const paramsPath: ManifestPath = [...entryPath, 'opclassParams'];
  if (entry.opclass === undefined) {
    report(paramsPath, OPCLASS_PARAMS_NEED_OPCLASS, { at: 'key' });
  }
  const params = buildParameters(entry.opclassParams, paramsPath, 'operator class parameter', 'e.g. siglen', report);
  return params.length === 0 ? undefined : params;
}
