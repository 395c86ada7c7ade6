/*
 * `reconcile export`: live indexes (read in structured form) → a manifest document. Pure.
 * Indexes the declarable-index policy (core/policy.ts) gives to an owner (a constraint, a partitioned
 * index, an extension) and invalid ones are left out and named in the header, so adopting the tool on
 * an existing database starts from `export > indexes.yaml`, then `plan` says no changes. A partition's
 * own index is written under the partition's table key; an index attached to a partitioned index is
 * part of that one, and named in the header only when that one is not exported.
 */
import { Document } from 'yaml';

export interface ExportedKeyPart {
  readonly column?: string;
  readonly expression?: string;
  /** Only when it is not the type's default opclass; schema-qualified outside pg_catalog. */
  readonly opclass?: string;
  /** Operator class parameters (`siglen=32`), in catalog order. */
  readonly opclassParams?: readonly { readonly name: string; readonly value: string }[];
  /** Only when it differs from what the column or expression would have anyway. */
  readonly collation?: string;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export interface ExportedIndex {
  readonly schema: string;
  readonly table: string;
  readonly tableKind: 'table' | 'partitioned' | 'matview';
  readonly name: string;
  readonly method: string;
  readonly unique: boolean;
  readonly nullsNotDistinct: boolean;
  readonly keys: readonly ExportedKeyPart[];
  readonly include: readonly string[];
  readonly predicate?: string;
  readonly storage: readonly { readonly name: string; readonly value: string }[];
  readonly tablespace?: string;
  readonly comment?: string;
  /** Why it is left out of the manifest, when it is. */
  readonly leftOut?: string;
  /** For an index attached to a partitioned index: the top of that tree. */
  readonly partOf?: { readonly schema: string; readonly name: string };
}

export interface ExportHeader {
  readonly source: string;
  readonly date: string;
}

type ColumnEntry = string | Record<string, string | Record<string, string | number>>;

function columnEntry(key: ExportedKeyPart): ColumnEntry {
  const order = key.desc ? 'desc' : undefined;
  // Defaults: ASC NULLS LAST, DESC NULLS FIRST.
  const nulls = key.desc ? (key.nullsFirst ? undefined : 'last') : key.nullsFirst ? 'first' : undefined;
  const params = key.opclassParams ?? [];
  const plain = key.column !== undefined && !key.opclass && params.length === 0 && !key.collation && !order && !nulls;
  if (plain) return key.column!;
  return {
    ...(key.column !== undefined ? { column: key.column } : { expression: key.expression ?? '' }),
    ...(key.opclass ? { opclass: key.opclass } : {}),
    ...(params.length > 0 ? { opclassParams: Object.fromEntries(params.map((p) => [p.name, storageValue(p.value)])) } : {}),
    ...(key.collation ? { collation: key.collation } : {}),
    ...(order ? { order } : {}),
    ...(nulls ? { nulls } : {}),
  };
}

function storageValue(value: string): string | number {
  return /^(0|[1-9][0-9]{0,8})$/.test(value) ? Number(value) : value;
}

function indexEntry(index: ExportedIndex): Record<string, unknown> {
  return {
    ...(index.unique ? { unique: true } : {}),
    ...(index.method !== 'btree' ? { method: index.method } : {}),
    columns: index.keys.map(columnEntry),
    ...(index.include.length > 0 ? { include: [...index.include] } : {}),
    ...(index.predicate !== undefined ? { where: index.predicate } : {}),
    ...(index.storage.length > 0 ? { with: Object.fromEntries(index.storage.map((p) => [p.name, storageValue(p.value)])) } : {}),
    ...(index.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
    ...(index.tablespace !== undefined ? { tablespace: index.tablespace } : {}),
    ...(index.comment !== undefined ? { comment: index.comment } : {}),
  };
}

/** One name of a table key, quoted the way parseTableKey (core/desired.ts) reads it back. */
function keyName(name: string): string {
  return /[."]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/** The manifest's table key: `name` in the default schema, else `schema.name`. */
export function exportTableKey(schema: string, table: string, defaultSchema = 'public'): string {
  return schema === defaultSchema ? keyName(table) : `${keyName(schema)}.${keyName(table)}`;
}

export interface ExportResult {
  readonly text: string;
  /** Indexes written to the manifest. */
  readonly exported: number;
  /** Indexes named in the header as left out. */
  readonly leftOut: number;
}

export function exportManifest(indexes: readonly ExportedIndex[], header: ExportHeader): ExportResult {
  const tables: Record<string, { indexes: Record<string, unknown> }> = {};
  const leftOut: string[] = [];
  const present = new Set(indexes.map((index) => `${index.schema}\u0000${index.name}`));
  let exported = 0;
  for (const index of indexes) {
    const key = exportTableKey(index.schema, index.table);
    tables[key] ??= { indexes: {} };
    if (index.leftOut) {
      // A partition's piece of a partitioned index in this export is that index's business.
      if (index.partOf && present.has(`${index.partOf.schema}\u0000${index.partOf.name}`)) continue;
      leftOut.push(`${index.schema}.${index.name} (${index.leftOut})`);
      continue;
    }
    tables[key].indexes[index.name] = indexEntry(index);
    exported += 1;
  }
  for (const [key, table] of Object.entries(tables)) if (Object.keys(table.indexes).length === 0) delete tables[key];
  const document = new Document({ version: 1, defaults: { schema: 'public', prune: false }, tables });
  document.commentBefore = [
    ' yaml-language-server: $schema=./schema/indexes.schema.json',
    ` Exported by reconcile export from ${header.source} on ${header.date}.`,
    ...(leftOut.length > 0
      ? [' Left out, because they are not declared in a manifest:', ...leftOut.map((line) => `   ${line}`)]
      : []),
  ].join('\n');
  return { text: document.toString({ lineWidth: 0 }), exported, leftOut: leftOut.length };
}
