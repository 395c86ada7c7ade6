/*
 * Running one database's read-only command (status, check) on every target of a fleet, --parallel at
 * once, each with its manifest (a tenant's schema in place of defaults.schema). A target that cannot
 * be reached or fails is an outcome, never thrown: the rest still run.
 */
import pLimit from 'p-limit';
import { DatabaseRefused, Interrupted, UserError } from '../../core/errors.js';
import type { FleetTarget } from '../../core/fleet/target.js';
import { tenantDesired } from '../../core/fleet/tenant.js';
import type { DesiredState } from '../../core/model.js';
import { scrubSecrets } from '../../core/text.js';
import type { ConnectionTarget } from '../db.js';
import type { LoadedManifests } from './plan-fleet.js';

export type TargetOutcome<R> =
  | { readonly kind: 'done'; readonly value: R }
  | { readonly kind: 'unreachable'; readonly error: string }
  | { readonly kind: 'failed'; readonly error: string };

export interface TargetWork {
  readonly target: FleetTarget;
  readonly connection: ConnectionTarget;
  readonly desired: DesiredState;
  /** The manifest as the user names it. */
  readonly manifestFile: string;
}

function messageOf(error: unknown): string {
  if (error instanceof DatabaseRefused) return `PostgreSQL refused: ${error.message}${error.code ? ` (SQLSTATE ${error.code})` : ''}`;
  if (error instanceof UserError) return error.hint ? `${error.message} ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export async function eachTarget<R>(
  targets: readonly FleetTarget[],
  manifests: LoadedManifests,
  options: { readonly parallel: number; readonly signal?: AbortSignal },
  work: (job: TargetWork) => Promise<R>,
): Promise<TargetOutcome<R>[]> {
  const limit = pLimit(options.parallel);
  const outcomes = await Promise.all(
    targets.map((target) =>
      limit(async (): Promise<TargetOutcome<R>> => {
        if (target.unreachable !== undefined) return { kind: 'unreachable', error: target.unreachable };
        if (options.signal?.aborted) return { kind: 'failed', error: 'not run: interrupted' };
        const manifest = manifests.byPath.get(target.manifestPath)!;
        let desired = manifest.desired;
        if (target.tenantSchema !== undefined) {
          const tenant = tenantDesired(desired, target.tenantSchema);
          if (!tenant.ok) return { kind: 'failed', error: tenant.message };
          desired = tenant.desired;
        }
        const connection: ConnectionTarget = { connectionString: target.connectionString, display: target.display, secrets: target.secrets };
        try {
          return { kind: 'done', value: await work({ target, connection, desired, manifestFile: manifest.display }) };
        } catch (error) {
          if (error instanceof Interrupted) throw error;
          const message = scrubSecrets(messageOf(error), target.secrets);
          // The connection's own failures (db.ts connectionError) all start so.
          return error instanceof UserError && error.message.startsWith('Cannot connect to') ? { kind: 'unreachable', error: message } : { kind: 'failed', error: message };
        }
      }),
    ),
  );
  if (options.signal?.aborted) throw new Interrupted();
  return outcomes;
}
