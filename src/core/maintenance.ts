/*
 * The manifest's `maintenance:` block (top level, or per table beside `indexes`): when a declared valid
 * index is bloated enough to be rebuilt with REINDEX INDEX CONCURRENTLY. A table's own fields override
 * the top level's, field by field.
 */
import type { Maintenance } from './model.js';
import { parsePercent, parseSize, UnitError } from './units.js';

export interface MaintenanceInput {
  readonly maxBloat?: string | number;
  readonly minBloatSize?: string | number;
}

/** Wasted space below this is left alone unless the manifest says otherwise: small indexes are mostly page rounding. */
export const DEFAULT_MIN_BLOAT_BYTES = 1024 * 1024;

type Report = (path: readonly (string | number)[], message: string) => void;

function parsed<T>(value: string | number | undefined, parse: (v: string | number) => T, path: readonly (string | number)[], report: Report): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
    report(path, error.message);
    return undefined;
  }
}

/**
 * The table's maintenance policy from the top-level block and its own (at `tablePath`), or undefined
 * when neither exists. Unreadable values are reported at their place and left out.
 */
export function buildMaintenance(
  top: MaintenanceInput | undefined,
  own: MaintenanceInput | undefined,
  tablePath: readonly (string | number)[] | undefined,
  report: Report,
): Maintenance | undefined {
  if (top === undefined && own === undefined) return undefined;
  const field = <T>(name: keyof MaintenanceInput, parse: (v: string | number) => T): T | undefined => {
    // The top level's values are reported once, by the caller that reads them without a table.
    const mine = own?.[name] === undefined || tablePath === undefined ? undefined : parsed(own[name], parse, [...tablePath, 'maintenance', name], report);
    if (own?.[name] !== undefined) return mine;
    return parsed(top?.[name], parse, ['maintenance', name], () => undefined);
  };
  const maxBloat = field('maxBloat', parsePercent);
  const minBloatBytes = field('minBloatSize', parseSize) ?? DEFAULT_MIN_BLOAT_BYTES;
  return { ...(maxBloat === undefined ? {} : { maxBloat }), minBloatBytes };
}

/** Reports unreadable top-level values once. */
export function checkTopMaintenance(top: MaintenanceInput | undefined, report: Report): void {
  parsed(top?.maxBloat, parsePercent, ['maintenance', 'maxBloat'], report);
  parsed(top?.minBloatSize, parseSize, ['maintenance', 'minBloatSize'], report);
}
