/*
 * Places in the manifest: a path of keys and list indexes, how it is printed, and how problems are
 * reported at the line and column the manifest's reader finds for it.
 */
import { hasUnsafeCharacters, printableName } from './printable.js';
import type { SourceRef } from './model.js';

/** A path into the manifest: mapping keys and list indexes. */
export type ManifestPath = readonly (string | number)[];

export interface LocateOptions {
  /** Point at the mapping key of the last path element rather than at its value. */
  readonly at?: 'key' | 'value';
  /** A UTF-16 offset inside a text value, for errors inside SQL fragments. */
  readonly offset?: number;
}

/** Where a path is in the manifest file; given by the reader of the file (see io/manifest/). */
export type Locate = (path: ManifestPath, options?: LocateOptions) => SourceRef;

/** `tables.users.indexes.idx_x.columns[0]`; a key with a line break or other control character escaped. */
export function formatPath(path: ManifestPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const text = hasUnsafeCharacters(part) ? printableName(part) : part;
      out += out === '' ? text : `.${text}`;
    }
  }
  return out;
}

/** Collects a problem at a place in the manifest. */
export type Report = (path: ManifestPath, message: string, at?: LocateOptions) => void;
