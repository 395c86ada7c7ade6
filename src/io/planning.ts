/*
 * Planning against a database: read the catalog, canonicalise the desired definitions, compute the plan.
 * The session is closed before anything is applied: an open canonicalisation transaction would block
 * DROP INDEX CONCURRENTLY.
 */
import type { DesiredState, LiveState } from '../core/model.js';
import { computePlan, type Plan, type PlanOptions } from '../core/plan.js';
import { planDocument, type PlanDocument } from '../core/plan-document.js';
import type { ResolutionPath } from '../core/search-path.js';
import { canonicalise, type CanonicalShare } from './canonical/index.js';
import { readBloat } from './bloat-reader.js';
import { readLiveState } from './catalog.js';
import { readCitusView } from './citus/planning.js';
import { withSession, type ConnectionTarget, type Session } from './db.js';
import { readResolutionPath } from './search-path.js';

export interface PlannedState {
  readonly plan: Plan;
  readonly live: LiveState;
  readonly document: PlanDocument;
}

export interface SessionPlanOptions extends Omit<PlanOptions, 'bloat'> {
  readonly manifestFile: string;
  readonly manifestSha256: string;
  /** Measure bloat with pgstattuple (reads each index whole) instead of estimating it. */
  readonly exactBloat?: boolean;
  /** Canonical forms shared between the targets of a fleet. */
  readonly share?: CanonicalShare;
}

/** The plan on an open session, with names resolved through `resolutionPath`: one database or a fleet's target. */
export async function planOnSession(
  session: Session,
  desired: DesiredState,
  resolutionPath: ResolutionPath,
  options: SessionPlanOptions,
): Promise<PlannedState> {
  const { share, exactBloat, manifestFile, manifestSha256, ...planOptions } = options;
  const read = await readLiveState(session, desired.tables);
  // On a Citus coordinator: sizes, rows and validity from the shards, and what Citus refuses.
  const citus = await readCitusView(session, desired, read, 'declared');
  const live = citus.live;
  // Only the tables whose maintenance block can ask for a reindex: the exact measure reads every index whole.
  const maintained = desired.tables.filter((table) => table.maintenance?.maxBloat !== undefined);
  const exact = exactBloat ?? false;
  const bloat = maintained.length > 0 ? await readBloat(session, maintained, { exact }) : undefined;
  const canonical = citus.refuse(await canonicalise(session, desired, read, { resolutionPath, ...(share ? { share } : {}) }));
  const computed = computePlan(desired, live, canonical, { ...planOptions, ...(bloat === undefined ? {} : { bloat }) });
  const plan = citus.warnings.length === 0 ? computed : { ...computed, warnings: [...computed.warnings, ...citus.warnings] };
  const document = planDocument({
    exactBloat: exact,
    plan,
    live,
    manifestFile,
    manifestSha256,
    searchPath: resolutionPath.schemas,
    now: new Date(),
  });
  return { plan, live, document };
}

export async function planAgainstDatabase(
  target: ConnectionTarget,
  desired: DesiredState,
  options: Omit<SessionPlanOptions, 'share'>,
): Promise<PlannedState> {
  const resolutionPath = await readResolutionPath(target, desired.settings);
  return withSession(target, (session) => planOnSession(session, desired, resolutionPath, options));
}
