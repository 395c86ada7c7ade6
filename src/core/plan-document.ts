/*
 * The plan as a stable, versioned document: what `--format json` prints and `--out` saves, and what
 * `apply plan.json` approves (see saved-plan.ts). Its JSON Schema is schema/plan.schema.json.
 */
import { createHash } from 'node:crypto';
import { hasChanges, summarise, type Action, type PlanSummary, type UnmanagedIndex } from './actions.js';
import type { LiveState } from './model.js';
import type { Plan } from './plan.js';

export const PLAN_FORMAT_VERSION = 1;

export interface PlanDocument {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly createdAt: string;
  readonly manifest: { readonly file: string; readonly sha256: string };
  readonly database: {
    readonly serverVersion: string;
    readonly catalogFingerprint: string;
    /** The search_path the manifest's names resolved through, pg_catalog first; builds run under it. */
    readonly searchPath?: readonly string[];
    /** Bloat was measured with pgstattuple (--exact-bloat): apply measures it again the same way. */
    readonly exactBloat?: true;
  };
  readonly summary: PlanSummary;
  readonly changes: boolean;
  readonly actions: readonly Action[];
  readonly unmanaged: readonly UnmanagedIndex[];
  readonly warnings: readonly string[];
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * What a saved plan was computed from: the index definitions and states of the declared tables (not
 * sizes or scan counts, which change all the time). Any change here makes a saved plan stale.
 */
export function catalogFingerprint(live: LiveState): string {
  const tables = [...live.tables.values()].map((t) => [t.schema, t.name, t.kind, t.owner].join('\u0000')).sort();
  const indexes = live.indexes
    .map((i) => [i.schema, i.table, i.name, i.definition, i.valid, i.ready, i.tablespace ?? '', i.comment ?? '', i.parentIndex ?? ''].join('\u0000'))
    .sort();
  return sha256(JSON.stringify({ tables, indexes }));
}

export interface DocumentInputs {
  readonly plan: Plan;
  readonly live: LiveState;
  readonly manifestFile: string;
  readonly manifestSha256: string;
  readonly searchPath: readonly string[];
  readonly now: Date;
  readonly exactBloat?: boolean;
}

export function planDocument({ plan, live, manifestFile, manifestSha256, searchPath, now, exactBloat }: DocumentInputs): PlanDocument {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: now.toISOString(),
    manifest: { file: manifestFile, sha256: manifestSha256 },
    database: { serverVersion: live.serverVersion, catalogFingerprint: catalogFingerprint(live), searchPath, ...(exactBloat ? { exactBloat: true as const } : {}) },
    summary: summarise(plan.actions),
    changes: hasChanges(plan.actions),
    actions: plan.actions,
    unmanaged: plan.unmanaged,
    warnings: plan.warnings,
  };
}
