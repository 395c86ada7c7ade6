/*
 * One target of a fleet apply: the single-database apply (the executor and checks of `reconcile apply`,
 * planned as a fleet plans a target: a tenant's schema, canonical forms shared) under the target's own
 * advisory lock, taken before it plans, ending in one of the fleet's target states. It never throws:
 * whatever goes wrong is that target's failure.
 */
import { assertNever } from '../../core/actions.js';
import { formatProblem } from '../../core/errors.js';
import type { ApplyEvent, ErrorInfo } from '../../core/events.js';
import type { FleetEvent, TargetOutcome } from '../../core/fleet/events.js';
import type { TargetState } from '../../core/fleet/schedule.js';
import type { FleetTarget } from '../../core/fleet/target.js';
import { buildsAnIndex, recordActions, type ActionRecords } from '../../core/fleet/target-actions.js';
import type { Settings } from '../../core/model.js';
import { describeAction } from '../../core/plan.js';
import { pluralise, scrubSecrets } from '../../core/text.js';
import { acquireApplyLock, ApplyLockHeld, type ApplyLock } from '../advisory-lock.js';
import { withSession } from '../db.js';
import { errorInfo, executePlan, type ExecuteOptions } from '../executor.js';
import type { LoadedManifest } from '../manifest/load.js';
import type { CanonicalShare } from '../canonical/index.js';
import type { PlanDocument } from '../../core/plan-document.js';
import { planTarget } from './plan-target.js';

export interface TargetApplyOptions {
  /** The target's desired state (manifests are read once per file by the caller). */
  readonly loadDesired: (target: FleetTarget) => Promise<LoadedManifest>;
  /** Command-line settings over each manifest's. */
  readonly overrides: Partial<Settings>;
  readonly allowEmpty: boolean;
  readonly allowLockingDrops: boolean;
  /** Measure bloat with pgstattuple instead of estimating it. */
  readonly exactBloat?: boolean;
  /** Ctrl-C: the target's running builds are cancelled and cleaned up, as one apply does. */
  readonly signal: AbortSignal;
  readonly emit: (event: FleetEvent) => void;
  /** Canonical forms shared between the fleet's targets alike. */
  readonly share?: CanonicalShare;
  readonly execute?: Pick<ExecuteOptions, 'pollIntervalMs' | 'backoff' | 'replicaLagPollMs' | 'applicationName'>;
}

function masked(info: ErrorInfo, target: FleetTarget): ErrorInfo {
  const scrub = (text: string): string => scrubSecrets(text, target.secrets);
  return {
    message: scrub(info.message),
    ...(info.code === undefined ? {} : { code: info.code }),
    ...(info.detail === undefined ? {} : { detail: scrub(info.detail) }),
    ...(info.hint === undefined ? {} : { hint: scrub(info.hint) }),
  };
}

/** Sizes of the indexes the target's done builds made (a partitioned index: its leaves). */
async function builtBytes(target: FleetTarget, records: ActionRecords): Promise<Map<number, number>> {
  const built = records.map((r, id) => ({ r, id })).filter(({ r }) => r.status === 'done' && buildsAnIndex(r));
  if (built.length === 0) return new Map();
  const { rows } = await withSession(target, (s) =>
    s.query<{ i: number; bytes: string }>(
      `SELECT n.i::int AS i,
              COALESCE((SELECT sum(pg_relation_size(t.relid)) FROM pg_partition_tree(c.oid) t WHERE c.relkind = 'I'), pg_relation_size(c.oid), 0)::text AS bytes
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS n(schema, name, i)
         LEFT JOIN pg_class c ON c.oid = to_regclass(format('%I.%I', n.schema, n.name))`,
      [built.map(({ r }) => r.table.schema), built.map(({ r }) => r.index)],
    ),
  );
  return new Map(rows.map((row) => [built[row.i - 1]!.id, Number(row.bytes)]));
}

/** The first failed action's error, with how many failed. */
function actionsFailed(records: ActionRecords): ErrorInfo {
  const failed = records.filter((r) => r.status === 'failed');
  const first = failed[0];
  const head = `${pluralise(failed.length, 'action')} of ${records.length} failed`;
  if (!first) return { message: head };
  return { ...first.error, message: `${head}; ${first.kind} ${first.index} on ${first.table.schema}.${first.table.name}: ${first.error?.message ?? 'failed'}` };
}

export async function applyTarget(target: FleetTarget, canary: boolean, options: TargetApplyOptions): Promise<TargetOutcome> {
  const startedAt = Date.now();
  options.emit({ type: 'target-started', at: startedAt, target: target.name, canary });
  let records: ActionRecords = [];
  let bytes = new Map<number, number>();
  const finish = (state: TargetState, error?: ErrorInfo): TargetOutcome => {
    const finishedAt = Date.now();
    const actions = records.map((r, id) => (bytes.has(id) ? { ...r, indexBytes: bytes.get(id)! } : r));
    const outcome: TargetOutcome = {
      name: target.name,
      state,
      canary,
      startedAt,
      finishedAt,
      durationMs: finishedAt - startedAt,
      ...(error === undefined ? {} : { error: masked(error, target) }),
      actions,
      bytesBuilt: [...bytes.values()].reduce((a, b) => a + b, 0),
    };
    options.emit({ type: 'target-finished', at: finishedAt, outcome });
    return outcome;
  };

  // A discovery whose server did not answer stands for targets that could not be listed.
  if (target.unreachable !== undefined) return finish('unreachable', { message: target.unreachable });
  let lock: ApplyLock;
  try {
    lock = await acquireApplyLock(target, options.execute?.applicationName === undefined ? {} : { applicationName: options.execute.applicationName });
  } catch (error) {
    return finish(error instanceof ApplyLockHeld ? 'busy' : 'unreachable', errorInfo(error));
  }
  try {
    const { state, error } = await planAndRun(target, options, (next) => (records = next), (next) => (bytes = next));
    return finish(state, error);
  } catch (error) {
    return finish('failed', errorInfo(error));
  } finally {
    await lock.release();
  }
}

/** The target's plan as a fleet makes it (a tenant's schema, canonical forms shared): a document, or why not. */
async function planned(target: FleetTarget, options: TargetApplyOptions, manifest: LoadedManifest): Promise<{ document: PlanDocument } | { state: TargetState; error: ErrorInfo }> {
  const outcome = await planTarget(target, {
    desired: manifest.desired,
    manifestFile: manifest.desired.file,
    manifestSha256: manifest.sha256,
    allowEmpty: options.allowEmpty,
    allowLockingDrops: options.allowLockingDrops,
    exactBloat: options.exactBloat ?? false,
    ...(options.share === undefined ? {} : { share: options.share }),
  });
  switch (outcome.kind) {
    case 'planned':
      return { document: outcome.document };
    case 'unreachable':
      return { state: 'unreachable', error: { message: outcome.error } };
    case 'failed':
      return { state: 'failed', error: { message: outcome.error, ...(outcome.problems.length === 0 ? {} : { detail: outcome.problems.map(formatProblem).join('\n') }) } };
    default:
      return assertNever(outcome, 'target plan outcome');
  }
}

async function planAndRun(
  target: FleetTarget,
  options: TargetApplyOptions,
  setRecords: (records: ActionRecords) => void,
  setBytes: (bytes: Map<number, number>) => void,
): Promise<{ state: TargetState; error?: ErrorInfo }> {
  const manifest = await options.loadDesired(target);
  const settings: Settings = { ...manifest.desired.settings, ...options.overrides };
  const current = await planned(target, options, manifest);
  if (!('document' in current)) return current;
  if (!current.document.changes) return { state: 'in-sync' };
  if (options.signal.aborted) return { state: 'not-run' };

  let records: ActionRecords = [];
  const listener = (event: ApplyEvent): void => {
    records = recordActions(records, event);
    setRecords(records);
    options.emit({ type: 'target-apply', target: target.name, event });
  };
  const searchPath = current.document.database.searchPath;
  const result = await executePlan(target, current.document.actions, settings, {
    ...options.execute,
    listener,
    signal: options.signal,
    ...(searchPath ? { searchPath } : {}),
  });
  setBytes(await builtBytes(target, records).catch(() => new Map<number, number>()));
  if (result.interrupted) return { state: 'failed', error: { message: 'interrupted: running builds were cancelled and what they left was dropped' } };
  const after = await planned(target, options, manifest);
  if (!('document' in after)) return { state: 'failed', error: { ...after.error, message: `could not check the result: ${after.error.message}` } };
  const differences = after.document.actions.filter((a) => a.kind !== 'skip').map((a) => `${describeAction(a)} on ${a.table.schema}.${a.table.name}`);
  listener({ type: 'verified', at: Date.now(), inSync: differences.length === 0, differences });
  if (result.failed > 0) return { state: 'failed', error: actionsFailed(records) };
  if (differences.length > 0) return { state: 'failed', error: { message: `not in sync after apply: ${differences.join('; ')}` } };
  return { state: 'applied' };
}
