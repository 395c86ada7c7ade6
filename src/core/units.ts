/*
 * Durations and sizes as the manifest writes them: a bare number (milliseconds / bytes) or a number
 * with one of PostgreSQL's own units, case-sensitive as PostgreSQL is (`512MB`, not `512mb`).
 */

/** A value the manifest gave for a duration or size that cannot be read; the message is for the user. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

// Same grammar as the JSON Schema's patterns: PostgreSQL also allows spaces between number and unit.
const QUANTITY = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*$/;

const DURATION_HELP = 'use a number of milliseconds or a value like 500ms, 5s, 2min, 1h';
const SIZE_HELP = 'use a number of bytes or a value like 64kB, 512MB, 1GB';

/** Milliseconds from `5000`, `"5s"`, `"500ms"`, `"2min"`, `"1h"`, `"1d"` or `"0"`. */
export function parseDuration(value: number | string): number {
  const ms = parseQuantity(value, DURATION_UNITS, 'duration', DURATION_HELP);
  // lock_timeout and friends take whole milliseconds; rounding 0.4ms to 0 would mean "no limit".
  if (!Number.isInteger(ms)) {
    throw new UnitError(`${show(value)} is not a whole number of milliseconds`);
  }
  return ms;
}

/** Bytes from `536870912`, `"512MB"`, `"64kB"`, `"1GB"`, `"1TB"` or `"100B"`. */
export function parseSize(value: number | string): number {
  return Math.round(parseQuantity(value, SIZE_UNITS, 'size', SIZE_HELP));
}

function parseQuantity(
  value: number | string,
  units: Readonly<Record<string, number>>,
  what: 'duration' | 'size',
  help: string,
): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UnitError(`${show(value)} is not a ${what}: ${help}`);
    if (value < 0) throw new UnitError(`${show(value)} is not a ${what}: it cannot be negative`);
    return value;
  }
  const match = QUANTITY.exec(value);
  if (!match) {
    if (/^\s*-/.test(value)) throw new UnitError(`${show(value)} is not a ${what}: it cannot be negative`);
    throw new UnitError(`${show(value)} is not a ${what}: ${help}`);
  }
  const amount = Number(match[1]);
  const unit = match[2] ?? '';
  if (unit === '') return amount;
  const factor = units[unit];
  if (factor !== undefined) return amount * factor;
  // PostgreSQL's units are case-sensitive, which surprises people: say so when that is the only problem.
  const sameLetters = Object.keys(units).find((u) => u.toLowerCase() === unit.toLowerCase());
  if (sameLetters !== undefined) {
    throw new UnitError(
      `${show(value)} is not a ${what}: units are case-sensitive, write ${match[1]}${sameLetters}`,
    );
  }
  throw new UnitError(`${show(value)} is not a ${what}: ${help}`);
}

function show(value: number | string): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const PERCENT = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$/;

/** A share from `"40%"` or `"12.5 %"`, as a fraction (0.4, 0.125); at most 100%. */
export function parsePercent(value: number | string): number {
  const match = typeof value === 'string' ? PERCENT.exec(value) : null;
  if (!match) {
    if (typeof value === 'number') throw new UnitError(`${show(value)} is not a percentage: write it with a percent sign, like ${value}%`);
    throw new UnitError(`${show(value)} is not a percentage: use a value like 30% or 12.5%`);
  }
  const amount = Number(match[1]);
  if (amount > 100) throw new UnitError(`${show(value)} is not a percentage: it is at most 100%`);
  return amount / 100;
}

/** `bytes` in the largest unit of 1024 it reaches (up to TB): the value in it and the unit's name. */
export function scaleBytes(bytes: number): { readonly value: number; readonly unit: 'bytes' | 'kB' | 'MB' | 'GB' | 'TB' } {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return { value, unit: units[unit]! };
}
