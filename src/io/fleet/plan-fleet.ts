/*
 * Planning a fleet: every distinct manifest read once (a bad one stops everything before any
 * connection), then up to --parallel targets at once, each read-only, their canonical forms shared,
 * their outcomes folded into groups as they finish (memory grows with the distinct plans, not with
 * the targets).
 */
import path from 'node:path';
import pLimit from 'p-limit';
import { Interrupted } from '../../core/errors.js';
import { FleetPlanCollector, type FleetPlan } from '../../core/fleet/plan-groups.js';
import type { FleetTarget } from '../../core/fleet/target.js';
import { DEFAULT_SETTINGS } from '../../core/model.js';
import { loadManifestFile, type LoadedManifest } from '../manifest/load.js';
import { CanonicalCache } from './canonical-share.js';
import { planTarget } from './plan-target.js';

export interface FleetPlanOptions {
  readonly parallel: number;
  readonly allowEmpty: boolean;
  readonly allowLockingDrops: boolean;
  readonly exactBloat?: boolean;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Share canonical forms between targets (default true). */
  readonly share?: boolean;
  /** Called as each target finishes, for progress. */
  readonly onTarget?: (target: FleetTarget, done: number) => void;
}

export interface LoadedManifests {
  readonly byPath: ReadonlyMap<string, LoadedManifest & { readonly display: string }>;
}

/** Each distinct manifest of the fleet, read and checked; the first bad one throws its problems. */
export async function loadFleetManifests(targets: readonly FleetTarget[], cwd = process.cwd()): Promise<LoadedManifests> {
  const byPath = new Map<string, LoadedManifest & { readonly display: string }>();
  for (const manifestPath of new Set(targets.filter((t) => t.unreachable === undefined).map((t) => t.manifestPath))) {
    const display = path.relative(cwd, manifestPath) || manifestPath;
    // Read by the name the user sees, so that problems name it so.
    const readAs = cwd === process.cwd() ? display : manifestPath;
    byPath.set(manifestPath, { ...(await loadManifestFile(readAs)), display });
  }
  return { byPath };
}

export async function planFleet(targets: readonly FleetTarget[], manifests: LoadedManifests, options: FleetPlanOptions): Promise<{ plan: FleetPlan; cache: CanonicalCache }> {
  const collector = new FleetPlanCollector(targets);
  const cache = new CanonicalCache();
  const limit = pLimit(options.parallel);
  let done = 0;
  await Promise.all(
    targets.map((target, position) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        const manifest = manifests.byPath.get(target.manifestPath);
        const outcome = await planTarget(target, {
          // Only a target that could not be listed has no manifest read: it is never planned.
          desired: manifest?.desired ?? { file: '', tables: [], settings: DEFAULT_SETTINGS, budgets: {} },
          manifestFile: manifest?.display ?? '',
          manifestSha256: manifest?.sha256 ?? '',
          allowEmpty: options.allowEmpty,
          allowLockingDrops: options.allowLockingDrops,
          exactBloat: options.exactBloat ?? false,
          ...(options.share === false ? {} : { share: cache }),
        });
        collector.add(position, outcome);
        done += 1;
        options.onTarget?.(target, done);
      }),
    ),
  );
  if (options.signal?.aborted) throw new Interrupted();
  return { plan: collector.result(), cache };
}
