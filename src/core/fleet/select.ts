/*
 * Narrowing a fleet: `--only SELECTOR` (a name, a name with `*` wildcards, or `label=value`; repeated,
 * a target is kept when any selector matches it) and `--shard K/N` (every N-th target in name order,
 * from the K-th, 1-based), so that N jobs given K = 1..N cover the fleet exactly once between them.
 */
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import type { FleetTarget } from './target.js';

export type Selector =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'pattern'; readonly pattern: string; readonly regex: RegExp }
  | { readonly kind: 'label'; readonly label: string; readonly value: string };

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseSelector(text: string): Selector {
  const trimmed = text.trim();
  if (trimmed === '') throw new UserError('--only needs a target name or label=value.', 'For example: --only eu-main or --only region=eu.');
  const equals = trimmed.indexOf('=');
  if (equals === 0) throw new UserError(`--only ${JSON.stringify(text)} has no label name before "=".`, 'Write --only label=value, e.g. --only region=eu.');
  if (equals > 0) return { kind: 'label', label: trimmed.slice(0, equals), value: trimmed.slice(equals + 1) };
  if (trimmed.includes('*')) {
    const source = trimmed
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return { kind: 'pattern', pattern: trimmed, regex: new RegExp(`^${source}$`) };
  }
  return { kind: 'name', name: trimmed };
}

export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard ${JSON.stringify(text)} is not K/N with 1 <= K <= N.`, 'For example --shard 2/4: the second of four shards.');
  }
  return { index, count };
}

export function matches(selector: Selector, target: Pick<FleetTarget, 'name' | 'labels'>): boolean {
  switch (selector.kind) {
    case 'name':
      return target.name === selector.name;
    case 'pattern':
      return selector.regex.test(target.name);
    case 'label':
      return Object.hasOwn(target.labels, selector.label) && target.labels[selector.label] === selector.value;
    default: {
      const never: never = selector;
      throw new Error(`unknown selector ${JSON.stringify(never)}`);
    }
  }
}

function describe(selector: Selector): string {
  switch (selector.kind) {
    case 'name':
      return selector.name;
    case 'pattern':
      return selector.pattern;
    case 'label':
      return `${selector.label}=${selector.value}`;
    default: {
      const never: never = selector;
      throw new Error(`unknown selector ${JSON.stringify(never)}`);
    }
  }
}

/** Name order: by code unit, the same on every machine (no locale). */
export function byName(a: Pick<FleetTarget, 'name'>, b: Pick<FleetTarget, 'name'>): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The targets --only keeps (any selector matching), in their declared order. A selector that matches
 * no target is an error: a misspelt name would otherwise plan nothing and say all is well.
 */
export function selectTargets<T extends Pick<FleetTarget, 'name' | 'labels'>>(targets: readonly T[], selectors: readonly Selector[]): T[] {
  if (selectors.length === 0) return [...targets];
  for (const selector of selectors) {
    if (targets.some((target) => matches(selector, target))) continue;
    const suggestion = selector.kind === 'name' ? closest(selector.name, targets.map((t) => t.name)) : undefined;
    throw new UserError(
      `--only ${describe(selector)} matches no target of the fleet.`,
      suggestion ? `Did you mean --only ${suggestion}?` : 'Give a target name, a name with * wildcards, or label=value.',
    );
  }
  return targets.filter((target) => selectors.some((selector) => matches(selector, target)));
}

/** The shard's targets: every N-th in name order from the K-th, returned in their declared order. */
export function shardTargets<T extends Pick<FleetTarget, 'name'>>(targets: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...targets];
  const kept = new Set([...targets].sort(byName).filter((_, i) => i % shard.count === shard.index - 1));
  return targets.filter((target) => kept.has(target));
}
