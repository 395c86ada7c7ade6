/*
 * Paths into the manifest as ajv reports them (JSON Pointers), and what kind of thing lives at each:
 * shared by the rewording of schema errors and the removal of invalid parts.
 */
import type { ManifestPath } from '../../core/manifest-path.js';

const DURATION_SETTINGS = new Set(['lockTimeout', 'buildLockTimeout', 'statementTimeout', 'maxReplicaLagWait']);
const SIZE_SETTINGS = new Set(['maintenanceWorkMem', 'maxReplicaLag']);

function maintenanceField(name: string | undefined): string | undefined {
  return name === 'maxBloat' ? 'percent' : name === 'minBloatSize' ? 'size' : undefined;
}

/** What kind of thing lives at a path (of JSON Pointer segments); decides allowed fields and which errors are collapsed. */
export function shapeAt(path: readonly string[]): string | undefined {
  const [section, name, tableField, , indexField, , queryField] = path;
  if (path.length === 0) return 'root';
  if (path.length === 1) return section;
  if (section === 'settings' && path.length === 2) {
    if (DURATION_SETTINGS.has(name ?? '')) return 'duration';
    if (name === 'citus') return 'citus';
    return SIZE_SETTINGS.has(name ?? '') ? 'size' : undefined;
  }
  if (section === 'maintenance' && path.length === 2) return maintenanceField(name);
  if (section !== 'tables') return undefined;
  if (path.length === 2) return 'table';
  if (tableField === 'maintenance') return path.length === 3 ? 'maintenance' : path.length === 4 ? maintenanceField(path[3]) : undefined;
  if (tableField !== 'indexes') return undefined;
  if (path.length === 4) return 'index';
  if (indexField === 'columns' && path.length >= 6) return 'column';
  if (indexField === 'queries' && path.length === 6) return 'query';
  if (indexField === 'queries' && queryField === 'p95' && path.length === 7) return 'duration';
  return undefined;
}

/** The column entry a path is in or under (`tables.t.indexes.i.columns.N`), if any. */
export function columnEntryAt(path: readonly string[]): string[] | undefined {
  return path.length >= 6 && shapeAt(path.slice(0, 6)) === 'column' ? path.slice(0, 6) : undefined;
}

export function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** JSON Pointer segments → manifest path, with list positions as numbers. */
export function toManifestPath(path: readonly string[]): ManifestPath {
  return path.map((part, i) => {
    const parent = path[i - 1];
    const numeric = /^\d+$/.test(part) && (parent === 'columns' || parent === 'include' || parent === 'queries' || parent === 'params');
    return numeric ? Number(part) : part;
  });
}

export function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const part of path) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isPlainObject(current)) current = current[part];
    else return undefined;
  }
  return current;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
