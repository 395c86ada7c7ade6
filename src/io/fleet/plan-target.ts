/*
 * One target's plan, as a fleet makes it: the same steps as planning one database (the role's search
 * path, the catalog, canonical forms, the plan), with the canonical forms shared through the fleet's
 * cache, a tenant's schema in place of defaults.schema, and every failure turned into the target's
 * outcome (a server that cannot be reached is `unreachable`; anything else `failed`), never thrown.
 */
import { DatabaseRefused, UserError, type Problem } from '../../core/errors.js';
import type { FleetTarget } from '../../core/fleet/target.js';
import type { TargetPlanOutcome } from '../../core/fleet/plan-groups.js';
import { tenantDesired, tenantResolutionPath } from '../../core/fleet/tenant.js';
import type { DesiredState } from '../../core/model.js';
import type { ResolutionPath } from '../../core/search-path.js';
import { pluralise, scrubSecrets } from '../../core/text.js';
import type { CanonicalShare } from '../canonical/index.js';
import { connect, type ConnectionTarget, type Session } from '../db.js';
import { planOnSession } from '../planning.js';
import { readResolutionPath } from '../search-path.js';

export interface TargetPlanOptions {
  readonly desired: DesiredState;
  /** The manifest as the user named it, and the hash of its bytes. */
  readonly manifestFile: string;
  readonly manifestSha256: string;
  readonly allowEmpty: boolean;
  readonly allowLockingDrops: boolean;
  /** Measure bloat with pgstattuple instead of estimating it (--exact-bloat). */
  readonly exactBloat?: boolean;
  readonly share?: CanonicalShare;
}

function messageOf(error: unknown): string {
  if (error instanceof DatabaseRefused) return `PostgreSQL refused: ${error.message}${error.code ? ` (SQLSTATE ${error.code})` : ''}`;
  if (error instanceof UserError) return error.hint ? `${error.message} ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Opens a session; a failure to connect makes the target unreachable. */
async function open(target: ConnectionTarget, pin: boolean): Promise<Session | { readonly unreachable: string }> {
  try {
    return await connect(target, { pin });
  } catch (error) {
    return { unreachable: scrubSecrets(messageOf(error), target.secrets) };
  }
}

/** The path the manifest's names resolve through, as for one database; a failure to connect makes the target unreachable. */
async function rolePath(target: ConnectionTarget, desired: DesiredState): Promise<ResolutionPath | { readonly unreachable: string }> {
  try {
    return await readResolutionPath(target, desired.settings);
  } catch (error) {
    // connect() turns every failure to connect into a UserError; a refused query is a DatabaseRefused.
    if (error instanceof UserError) return { unreachable: scrubSecrets(messageOf(error), target.secrets) };
    throw error;
  }
}

export async function planTarget(target: FleetTarget, options: TargetPlanOptions): Promise<TargetPlanOutcome> {
  if (target.unreachable !== undefined) return { kind: 'unreachable', error: target.unreachable };
  const connection: ConnectionTarget = { connectionString: target.connectionString, display: target.display, secrets: target.secrets };
  const fail = (error: unknown, problems: readonly Problem[] = []): TargetPlanOutcome => ({
    kind: 'failed',
    error: scrubSecrets(messageOf(error), target.secrets),
    problems,
  });
  let desired = options.desired;
  if (target.tenantSchema !== undefined) {
    const tenant = tenantDesired(desired, target.tenantSchema);
    if (!tenant.ok) return fail(new UserError(tenant.message));
    desired = tenant.desired;
  }
  try {
    const base = await rolePath(connection, desired);
    if ('unreachable' in base) return { kind: 'unreachable', error: base.unreachable };
    const path = target.tenantSchema === undefined ? base : tenantResolutionPath(base, target.tenantSchema);
    const session = await open(connection, true);
    if ('unreachable' in session) return { kind: 'unreachable', error: session.unreachable };
    try {
      const { plan, document } = await planOnSession(session, desired, path, {
        allowEmpty: options.allowEmpty,
        allowLockingDrops: options.allowLockingDrops,
        manifestFile: options.manifestFile,
        manifestSha256: options.manifestSha256,
        exactBloat: options.exactBloat ?? false,
        ...(options.share ? { share: options.share } : {}),
      });
      if (plan.problems.length > 0) {
        return fail(new UserError(`The plan cannot be made: ${pluralise(plan.problems.length, 'problem')} in ${options.manifestFile}.`), plan.problems);
      }
      return { kind: 'planned', document };
    } finally {
      await session.end();
    }
  } catch (error) {
    return fail(error);
  }
}
