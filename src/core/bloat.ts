/*
 * How much of an index is wasted space, in bytes and as a share of its size: pure arithmetic over
 * figures the database gives (io/bloat-reader.ts reads them).
 *
 * - btree, estimated: what a fresh build would take, from the index's tuple count (reltuples), the
 *   average widths and null fractions of its columns (pg_stats), its fillfactor and the page layout
 *   (page header, btree special space, line pointers, tuple headers, alignment), against the pages it
 *   has now. The well-known statistical estimate (as in ioguix/pgsql-bloat-estimation), with column
 *   alignment and the inner levels of the tree counted too, and, where a build deduplicates (13+), equal
 *   keys stored once as posting lists, from pg_stats' distinct counts (bloat-dedup.ts). No extension,
 *   nothing read but the catalog.
 * - btree, measured: pgstattuple's pgstatindex (reads the whole index): the live data on its leaf pages
 *   against what a fresh build packs into a page at the same fillfactor.
 * - hash and gist, measured only: pgstattuple (reads the whole index): live tuples against the pages.
 * - every other method (gin, spgist, brin, extensions'): not measured.
 */
import { indexKey } from './model.js';
import { dedupLeafPages, type Deduplication } from './bloat-dedup.js';

/** The figures of one index (for a partitioned index: of its leaves together). */
export type IndexBloat =
  | {
      readonly kind: 'estimated' | 'measured';
      readonly sizeBytes: number;
      /** What a fresh build would take. */
      readonly expectedBytes: number;
      /** sizeBytes - expectedBytes, never below 0. */
      readonly wastedBytes: number;
      /** wastedBytes / sizeBytes (0 for an empty index). */
      readonly ratio: number;
      /** Why an estimate may read low: what it could not model. */
      readonly caveat?: string;
    }
  | { readonly kind: 'unknown'; readonly reason: string };

export type KnownBloat = Extract<IndexBloat, { kind: 'estimated' | 'measured' }>;

/** Which methods can be estimated from statistics, and which only measured with pgstattuple. */
export const ESTIMATED_METHODS: readonly string[] = ['btree'];
export const MEASURED_METHODS: readonly string[] = ['btree', 'hash', 'gist'];

/** PostgreSQL's page layout (src/include/storage/bufpage.h, access/nbtree.h). */
const PAGE_HEADER = 24;
const BTREE_SPECIAL = 16;
const LINE_POINTER = 4;
const INDEX_TUPLE_HEADER = 8;
const NULL_BITMAP = 4;
/** A btree's inner pages are filled to 70% by a build (BTREE_NONLEAF_FILLFACTOR). */
const INNER_FILLFACTOR = 70;
export const BTREE_DEFAULT_FILLFACTOR = 90;

export interface ColumnStats {
  /** pg_stats.null_frac. */
  readonly nullFraction: number;
  /** pg_stats.avg_width: bytes of a non-null value as stored. */
  readonly averageWidth: number;
  /** pg_type.typlen: > 0 fixed length, -1 varlena, -2 cstring. */
  readonly length: number;
  /** pg_type.typalign: c, s, i, d. */
  readonly align: string;
  /** Distinct non-null values (pg_stats.n_distinct as a count, see distinctCount); undefined when unknown. */
  readonly distinct?: number;
}

export interface BtreeEstimateInput {
  readonly blockSize: number;
  /** MAXALIGN of the server: 8 on 64-bit platforms. */
  readonly maxAlign: number;
  /** Pages the index has now (pg_relation_size / block size). */
  readonly pages: number;
  /** The index's reltuples: undefined when it was never counted (never vacuumed or analyzed). */
  readonly tuples: number | undefined;
  /** Leaf fillfactor in percent. */
  readonly fillfactor: number;
  /** Every column stored in the index tuple (keys and INCLUDE), in order; undefined where pg_stats has none. */
  readonly columns: readonly (ColumnStats | undefined)[];
  /** The index stores a column of type `name`, whose statistics do not match its size on disk. */
  readonly hasNameColumn: boolean;
  /** Whether a fresh build deduplicates (deduplicationOf); undefined: it does not. */
  readonly deduplication?: Deduplication;
}

function alignOf(align: string, maxAlign: number): number {
  switch (align) {
    case 'c':
      return 1;
    case 's':
      return 2;
    case 'i':
      return 4;
    default:
      return Math.min(8, maxAlign);
  }
}

function alignUp(offset: number, to: number): number {
  return Math.ceil(offset / to) * to;
}

/** Bytes of the data part of an index tuple whose columns are each present with the given probability. */
export function averageDataWidth(columns: readonly ColumnStats[], maxAlign: number, present: (column: ColumnStats) => number): number {
  let offset = 0;
  for (const column of columns) {
    // Short varlenas (under 127 bytes) have a 1-byte header and no alignment.
    const aligned = column.length === -1 && column.averageWidth < 127 ? offset : alignUp(offset, alignOf(column.align, maxAlign));
    offset += present(column) * (aligned - offset + column.averageWidth);
  }
  return offset;
}

/**
 * The tuples of an index, without line pointers: those without nulls and those with one are counted apart
 * (nulls in different columns taken as never in the same row). A tuple with a null carries a bitmap after
 * its header, its data starts at the next MAXALIGN, and each tuple is MAXALIGNed on its own.
 */
export function tupleShapes(columns: readonly ColumnStats[], maxAlign: number): { readonly full: number; readonly sparse: number; readonly withNull: number } {
  const fraction = (c: ColumnStats): number => Math.min(1, Math.max(0, c.nullFraction));
  const withNull = Math.min(1, columns.reduce((sum, c) => sum + fraction(c), 0));
  const full = INDEX_TUPLE_HEADER + alignUp(averageDataWidth(columns, maxAlign, () => 1), maxAlign);
  const sparse =
    withNull === 0
      ? 0
      : alignUp(INDEX_TUPLE_HEADER + NULL_BITMAP, maxAlign) +
        alignUp(averageDataWidth(columns, maxAlign, (c) => 1 - Math.min(1, fraction(c) / withNull)), maxAlign);
  return { full, sparse, withNull };
}

/** Average bytes one tuple takes on a page, with its line pointer. */
export function averageItemWidth(columns: readonly ColumnStats[], maxAlign: number): number {
  const { full, sparse, withNull } = tupleShapes(columns, maxAlign);
  return (1 - withNull) * full + withNull * sparse + LINE_POINTER;
}

function perPage(itemWidth: number, blockSize: number, fillfactor: number): number {
  // A build leaves blockSize × (100 - ff)% free, and each page but the rightmost has a high key.
  return Math.max(1, Math.floor((blockSize - PAGE_HEADER - BTREE_SPECIAL - (blockSize * (100 - fillfactor)) / 100) / itemWidth) - 1);
}

/** Pages a build puts above `leaves` leaf pages, and the meta page, with pivot tuples of `itemWidth` bytes. */
export function upperPages(leaves: number, itemWidth: number, blockSize: number): number {
  let level = leaves;
  let pages = 1;
  while (level > 1) {
    level = Math.ceil(level / perPage(itemWidth, blockSize, INNER_FILLFACTOR));
    pages += level;
  }
  return pages;
}

/** Pages a fresh btree build of `tuples` tuples of `itemWidth` bytes takes: meta page, leaves, inner levels. */
export function freshBtreePages(tuples: number, itemWidth: number, blockSize: number, fillfactor: number): number {
  const leaves = Math.max(1, Math.ceil(tuples / perPage(itemWidth, blockSize, fillfactor)));
  return leaves + upperPages(leaves, itemWidth, blockSize);
}

function figure(kind: 'estimated' | 'measured', sizeBytes: number, expectedBytes: number, caveat?: string): KnownBloat {
  const wastedBytes = Math.max(0, sizeBytes - expectedBytes);
  const ratio = sizeBytes > 0 ? wastedBytes / sizeBytes : 0;
  return { kind, sizeBytes, expectedBytes: Math.min(expectedBytes, sizeBytes), wastedBytes, ratio, ...(caveat === undefined ? {} : { caveat }) };
}

/** The statistical estimate for a btree index. */
export function estimateBtreeBloat(input: BtreeEstimateInput): IndexBloat {
  if (input.hasNameColumn) return { kind: 'unknown', reason: 'a column of type name: its statistics do not give its size' };
  if (input.tuples === undefined) return { kind: 'unknown', reason: 'never vacuumed or analyzed: no tuple count' };
  const missing = input.columns.findIndex((c) => c === undefined);
  if (missing >= 0) return { kind: 'unknown', reason: `no statistics for column ${missing + 1}: ANALYZE the table` };
  const columns = input.columns as readonly ColumnStats[];
  const sizeBytes = input.pages * input.blockSize;
  const dedup = input.deduplication;
  const pages = dedup?.kind === 'yes' ? dedupPages(input.tuples, columns, input) : dedup?.kind === 'unknown' ? { reason: dedup.reason } : undefined;
  if (typeof pages === 'number') return figure('estimated', sizeBytes, pages * input.blockSize);
  const plain = freshBtreePages(input.tuples, averageItemWidth(columns, input.maxAlign), input.blockSize, input.fillfactor);
  return figure('estimated', sizeBytes, plain * input.blockSize, pages === undefined ? undefined : `deduplication not modelled: ${pages.reason}`);
}

/**
 * Pages of a fresh deduplicating build: the rows without nulls spread over the combinations of the
 * columns' distinct values, and the rows with a null over the combinations that hold one (for one column:
 * a single key). Combinations are counted as the product of the columns' counts, capped at the rows: an
 * upper bound that errs towards a larger build, and so towards reading bloat low, never high.
 */
function dedupPages(tuples: number, columns: readonly ColumnStats[], layout: BtreeEstimateInput): number | { reason: string } {
  const unknown = columns.findIndex((c) => c.distinct === undefined);
  if (unknown >= 0) return { reason: `no distinct count for column ${unknown + 1}` };
  const counts = columns.map((c) => Math.max(1, c.distinct!));
  const combinations = counts.reduce((p, d) => p * d, 1);
  const withNulls = counts.reduce((p, d) => p * (d + 1), 1) - combinations;
  const { full, sparse, withNull } = tupleShapes(columns, layout.maxAlign);
  const groups = [
    { rows: tuples * (1 - withNull), keys: combinations, baseBytes: full },
    { rows: tuples * withNull, keys: withNulls, baseBytes: sparse },
  ];
  // No key is expected twice: the build is the plain one.
  if (groups.every((g) => g.rows <= g.keys)) return freshBtreePages(tuples, averageItemWidth(columns, layout.maxAlign), layout.blockSize, layout.fillfactor);
  const leaves = dedupLeafPages(groups, layout.blockSize, layout.maxAlign, layout.fillfactor);
  return leaves + upperPages(leaves, full + LINE_POINTER, layout.blockSize);
}

/** What pgstatindex() returns, the fields the measure needs. */
export interface BtreeMeasureInput {
  readonly blockSize: number;
  readonly indexBytes: number;
  readonly internalPages: number;
  readonly leafPages: number;
  /** Percent, as pgstatindex gives it (NaN when there are no leaf pages). */
  readonly averageLeafDensity: number;
  readonly fillfactor: number;
}

/** The exact figure from pgstatindex: live leaf data as a fresh build would pack it. */
export function measureBtreeBloat(input: BtreeMeasureInput): IndexBloat {
  const usable = input.blockSize - PAGE_HEADER - BTREE_SPECIAL;
  // The density a fresh build reaches, in pgstatindex's terms (free space over usable space).
  const freshDensity = (usable - (input.blockSize * (100 - input.fillfactor)) / 100) / usable;
  const density = Number.isFinite(input.averageLeafDensity) ? input.averageLeafDensity / 100 : 0;
  const leaves = input.leafPages === 0 ? 0 : Math.max(1, Math.ceil((input.leafPages * density) / freshDensity));
  const inner = input.leafPages === 0 ? 0 : Math.ceil((input.internalPages * leaves) / input.leafPages);
  return figure('measured', input.indexBytes, (1 + Math.max(1, leaves) + inner) * input.blockSize);
}

/** What pgstattuple() returns for a hash or gist index. */
export interface TupleMeasureInput {
  readonly blockSize: number;
  readonly indexBytes: number;
  readonly tupleCount: number;
  readonly tupleBytes: number;
  /** Percent: what a fresh build fills a page to (gist 90, hash 75 by default). */
  readonly fillfactor: number;
}

/** The measure for hash and gist: live tuples and their line pointers, at the fillfactor, against the size. */
export function measureTupleBloat(input: TupleMeasureInput): IndexBloat {
  const usable = input.blockSize - PAGE_HEADER - BTREE_SPECIAL;
  const live = input.tupleBytes + input.tupleCount * LINE_POINTER;
  const pages = 1 + Math.ceil(live / ((usable * input.fillfactor) / 100));
  return figure('measured', input.indexBytes, pages * input.blockSize);
}

/** A partitioned index: its leaves' figures together (unknown when any leaf is). */
export function sumBloat(leaves: readonly IndexBloat[]): IndexBloat {
  const unknown = leaves.find((b) => b.kind === 'unknown');
  if (unknown) return unknown;
  if (leaves.length === 0) return { kind: 'unknown', reason: 'no partitions' };
  const known = leaves as readonly KnownBloat[];
  const sizeBytes = known.reduce((s, b) => s + b.sizeBytes, 0);
  const wastedBytes = known.reduce((s, b) => s + b.wastedBytes, 0);
  return {
    kind: known.every((b) => b.kind === 'measured') ? 'measured' : 'estimated',
    sizeBytes,
    expectedBytes: sizeBytes - wastedBytes,
    wastedBytes,
    ratio: sizeBytes > 0 ? wastedBytes / sizeBytes : 0,
  };
}

/** Whether the figures pass both thresholds: more than `maxBloat` of the index wasted, and at least `minBytes`. */
export function isBloated(bloat: IndexBloat, maxBloat: number, minBytes: number): bloat is KnownBloat {
  return bloat.kind !== 'unknown' && bloat.ratio > maxBloat && bloat.wastedBytes >= minBytes;
}

/** Why an index of this method has no figure. */
export function unmeasuredReason(method: string, exact: boolean): string {
  if (MEASURED_METHODS.includes(method)) return exact ? 'not measured' : `${method} indexes are measured only with --exact-bloat (pgstattuple)`;
  return `${method} indexes are not measured`;
}

/** A leaf index of a partitioned index. */
export interface LeafIndex {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
}

/** What io/bloat-reader.ts read: a figure per valid index with storage, and the leaves of partitioned ones. */
export interface BloatFacts {
  /** `measured` with --exact-bloat (pgstattuple), else `estimated`. */
  readonly method: 'estimated' | 'measured';
  /** Keyed by indexKey(schema, name). */
  readonly indexes: ReadonlyMap<string, IndexBloat>;
  /** The leaf indexes of each valid partitioned index, keyed by its indexKey. */
  readonly leaves: ReadonlyMap<string, readonly LeafIndex[]>;
}

/** The figures of an index: its own, or its leaves' together for a partitioned index. */
export function bloatOf(facts: BloatFacts, index: { readonly schema: string; readonly name: string; readonly partitioned: boolean }): IndexBloat {
  const key = indexKey(index.schema, index.name);
  if (!index.partitioned) return facts.indexes.get(key) ?? { kind: 'unknown', reason: 'not read (invalid, or created meanwhile)' };
  return sumBloat((facts.leaves.get(key) ?? []).map((leaf) => bloatOf(facts, { schema: leaf.schema, name: leaf.name, partitioned: false })));
}

/** An index's bloat in the JSON document: its figures and how they were had, or why there are none. */
export function bloatDocument(bloat: IndexBloat | undefined): unknown {
  if (bloat === undefined) return null;
  if (bloat.kind === 'unknown') return { method: null, reason: bloat.reason };
  const figures = { method: bloat.kind, ratio: bloat.ratio, sizeBytes: bloat.sizeBytes, expectedBytes: bloat.expectedBytes, wastedBytes: bloat.wastedBytes };
  return bloat.caveat === undefined ? figures : { ...figures, caveat: bloat.caveat };
}
