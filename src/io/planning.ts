/*
 * Planning against a database: read the catalog, canonicalise the desired definitions, compute the plan.
 * The session is closed before anything is applied: an open canonicalisation transaction would block
 * DROP INDEX CONCURRENTLY.
 */
import type { DesiredState, LiveState } from '../core/model.js';
import { computePlan, type Plan, type PlanOptions } from '../core/plan.js';
import { planDocument, type PlanDocument } from '../core/plan-document.js';
import { canonicalise } from './canonical/index.js';
import { readLiveState } from './catalog.js';
import { withSession, type ConnectionTarget } from './db.js';
import { readResolutionPath } from './search-path.js';

export interface PlannedState {
  readonly plan: Plan;
  readonly live: LiveState;
  readonly document: PlanDocument;
}

export async function planAgainstDatabase(
  target: ConnectionTarget,
  desired: DesiredState,
  options: PlanOptions & { readonly manifestFile: string; readonly manifestSha256: string },
): Promise<PlannedState> {
  const resolutionPath = await readResolutionPath(target, desired.settings);
  return withSession(target, async (session) => {
    const live = await readLiveState(session, desired.tables);
    const canonical = await canonicalise(session, desired, live, { resolutionPath });
    const plan = computePlan(desired, live, canonical, options);
    const document = planDocument({
      plan,
      live,
      manifestFile: options.manifestFile,
      manifestSha256: options.manifestSha256,
      searchPath: resolutionPath.schemas,
      now: new Date(),
    });
    return { plan, live, document };
  });
}
