/*
 * btree deduplication (PostgreSQL 13+) in the bloat estimate: whether a fresh build of an index stores
 * equal keys once, as posting lists, and how many pages it then takes. Pure arithmetic over the catalog
 * and pg_stats facts io/bloat-reader.ts reads; core/bloat.ts calls it.
 *
 * A build (nbtsort.c, _bt_load) deduplicates when the index is not unique, deduplicate_items is not off,
 * and every key column's operator class says equality is image equality (_bt_allequalimage: no INCLUDE
 * columns, an equalimage support function that returns true). Each run of equal keys becomes posting
 * list tuples: the key once, then 6 bytes per heap TID, each tuple at most a tenth of a page.
 */
import { parseBool } from './definition-text.js';

/** Whether a fresh build deduplicates: `unknown` where the catalog cannot tell. */
export type Deduplication = { readonly kind: 'yes' } | { readonly kind: 'no' | 'unknown'; readonly reason: string };

export interface DedupKeyColumn {
  /**
   * The equalimage support function (pg_amproc number 4) of the column's operator class: `btequalimage`
   * (always true), `btvarstrequalimage` (true for a deterministic collation), another function's name,
   * or undefined when the operator class has none (numeric, float4/8, jsonb, arrays, composites, ranges).
   */
  readonly equalImage: string | undefined;
  /** The column's collation is deterministic (true for types without collation). */
  readonly deterministic: boolean;
}

export interface DedupFacts {
  readonly serverVersionNum: number;
  readonly unique: boolean;
  /** The deduplicate_items storage parameter as written, undefined when not set (default on). */
  readonly deduplicateItems: string | undefined;
  /** The index has INCLUDE columns. */
  readonly hasInclude: boolean;
  readonly keys: readonly DedupKeyColumn[];
}

/** What _bt_load and _bt_allequalimage decide for a fresh build. */
export function deduplicationOf(facts: DedupFacts): Deduplication {
  if (facts.serverVersionNum < 130000) return { kind: 'no', reason: 'before PostgreSQL 13' };
  // A unique index deduplicates only at insert time (version churn, 14+); a build never does.
  if (facts.unique) return { kind: 'no', reason: 'a unique index: a build does not deduplicate' };
  if (facts.deduplicateItems !== undefined && parseBool(facts.deduplicateItems) === false) {
    return { kind: 'no', reason: 'deduplicate_items is off' };
  }
  if (facts.hasInclude) return { kind: 'no', reason: 'INCLUDE columns' };
  for (const [at, key] of facts.keys.entries()) {
    if (key.equalImage === undefined) return { kind: 'no', reason: `column ${at + 1}: its operator class cannot deduplicate` };
    if (key.equalImage === 'btvarstrequalimage') {
      if (!key.deterministic) return { kind: 'no', reason: `column ${at + 1}: a nondeterministic collation` };
    } else if (key.equalImage !== 'btequalimage') {
      return { kind: 'unknown', reason: `column ${at + 1}: its operator class decides with ${key.equalImage}` };
    }
  }
  return { kind: 'yes' };
}

/**
 * pg_stats.n_distinct as a count of the distinct values among `indexRows` of the `rows` it describes:
 * negative is minus a share of `rows`. A partial index holds fewer rows, taken as drawn at random from
 * the table's (its predicate independent of the key).
 */
export function distinctCount(nDistinct: number, rows: number, indexRows = rows): number {
  const all = nDistinct >= 0 ? nDistinct : -nDistinct * Math.max(0, rows);
  if (indexRows >= rows || all <= 0) return all;
  // Each value held rows/all times: the chance that none of its rows is among those the index holds.
  return all * (1 - Math.pow(1 - Math.max(0, indexRows) / rows, rows / all));
}

const HEAP_TID = 6;
const LINE_POINTER = 4;

function alignUp(offset: number, to: number): number {
  return Math.ceil(offset / to) * to;
}

/** Posting list tuples of a build are at most a tenth of a page less a line pointer (nbtsort.c). */
export function maxPostingTids(baseBytes: number, blockSize: number, maxAlign: number): number {
  const limit = Math.floor(Math.floor((blockSize * 10) / 100) / maxAlign) * maxAlign - LINE_POINTER;
  // MAXALIGN(base + 6n) must stay within the limit.
  return Math.max(1, Math.floor((Math.floor(limit / maxAlign) * maxAlign - baseBytes) / HEAP_TID));
}

/** Leaf items a build writes for one key holding `tids` heap TIDs: bytes with line pointers, items, and posting bytes. */
interface Items {
  readonly bytes: number;
  readonly items: number;
  readonly postingBytes: number;
}

function itemsOfKey(tids: number, baseBytes: number, perTuple: number, maxAlign: number): Items {
  const tuple = (n: number): number => (n === 1 ? baseBytes : alignUp(baseBytes + n * HEAP_TID, maxAlign));
  const full = Math.floor(tids / perTuple);
  const rest = tids - full * perTuple;
  const items = full + (rest > 0 ? 1 : 0);
  const bytes = full * tuple(perTuple) + (rest > 0 ? tuple(rest) : 0);
  return { bytes: bytes + items * LINE_POINTER, items, postingBytes: bytes - items * baseBytes };
}

/** A group of keys: `rows` heap TIDs spread evenly over `keys` distinct keys, each base tuple `baseBytes`. */
export interface KeyGroup {
  readonly rows: number;
  readonly keys: number;
  readonly baseBytes: number;
}

/** The leaf items a deduplicating build writes for a group; a fractional share of TIDs per key is interpolated. */
export function groupItems(group: KeyGroup, blockSize: number, maxAlign: number): Items {
  if (group.rows <= 0) return { bytes: 0, items: 0, postingBytes: 0 };
  const keys = Math.min(group.rows, Math.max(1, group.keys));
  const perKey = group.rows / keys;
  const perTuple = maxPostingTids(group.baseBytes, blockSize, maxAlign);
  const low = Math.max(1, Math.floor(perKey));
  const share = perKey - low;
  const a = itemsOfKey(low, group.baseBytes, perTuple, maxAlign);
  const b = share > 0 ? itemsOfKey(low + 1, group.baseBytes, perTuple, maxAlign) : a;
  const mix = (x: number, y: number): number => keys * ((1 - share) * x + share * y);
  return { bytes: mix(a.bytes, b.bytes), items: mix(a.items, b.items), postingBytes: mix(a.postingBytes, b.postingBytes) };
}

/**
 * Items a build puts on one leaf page (_bt_buildadd): it adds items while the free space stays above the
 * fillfactor's reserve (counting the last item's posting list, which the high key drops) and above the
 * item plus a heap TID; the last item added then moves to the next page and leaves a high key behind.
 */
export function leafCapacity(itemBytes: number, postingBytes: number, blockSize: number, fillfactor: number): number {
  // Page header 24, btree special space 16, the high key's line pointer, and PageGetFreeSpace's own.
  const free = blockSize - 24 - 16 - 2 * LINE_POINTER;
  const reserve = Math.floor((blockSize * (100 - fillfactor)) / 100);
  const stop = Math.max(itemBytes + 8 - LINE_POINTER, reserve - postingBytes);
  return Math.max(2, Math.floor((free - stop) / itemBytes));
}

/** Leaf pages a deduplicating build of these groups takes. */
export function dedupLeafPages(groups: readonly KeyGroup[], blockSize: number, maxAlign: number, fillfactor: number): number {
  const all = groups.map((g) => groupItems(g, blockSize, maxAlign));
  const items = all.reduce((s, g) => s + g.items, 0);
  if (items === 0) return 1;
  const bytes = all.reduce((s, g) => s + g.bytes, 0);
  const posting = all.reduce((s, g) => s + g.postingBytes, 0);
  return Math.max(1, Math.ceil(items / leafCapacity(bytes / items, posting / items, blockSize, fillfactor)));
}
