/*
 * `reconcile apply --targets FILE --yes`: the fleet's targets, each applied as one apply would be,
 * canary first, then in waves (SPEC §8), with a live view, plain lines or NDJSON, and `--report FILE`.
 */
import { UserError } from '../core/errors.js';
import type { FleetEvent } from '../core/fleet/events.js';
import { fleetReport } from '../core/fleet/report.js';
import { DEFAULT_FLEET_POLICY, stopText, type FleetPolicy, type OnError } from '../core/fleet/schedule.js';
import type { FleetTarget } from '../core/fleet/target.js';
import type { Settings } from '../core/model.js';
import { applyFleet, fleetExitCode } from '../io/fleet/apply-fleet.js';
import { writeFleetReport } from '../io/fleet/report-file.js';
import { loadFleetManifests } from '../io/fleet/plan-fleet.js';
import type { LoadedManifest } from '../io/manifest/load.js';
import { chooseOutput, type ApplyRunFlags } from './apply.js';
import { colorsFor, type CommandContext, type CommonOptions } from './context.js';

export interface FleetApplyCommandOptions extends CommonOptions, ApplyRunFlags {
  readonly parallel?: number;
  readonly perHost?: number;
  readonly canary?: number;
  readonly onError?: OnError;
  readonly maxFailures?: number;
  readonly report?: string;
}

/** The policy the flags ask for; --max-failures alone means --on-error continue. */
export function fleetPolicy(options: FleetApplyCommandOptions): FleetPolicy {
  if (options.onError === 'stop' && options.maxFailures !== undefined) {
    throw new UserError('--max-failures works with --on-error continue, not with --on-error stop.', 'Leave out --on-error stop: --max-failures N goes on until N targets failed.');
  }
  const onError: OnError = options.onError ?? (options.maxFailures === undefined ? 'stop' : 'continue');
  return {
    canary: options.canary ?? DEFAULT_FLEET_POLICY.canary,
    parallel: options.parallel ?? DEFAULT_FLEET_POLICY.parallel,
    perHost: options.perHost ?? DEFAULT_FLEET_POLICY.perHost,
    onError,
    maxFailures: options.maxFailures ?? DEFAULT_FLEET_POLICY.maxFailures,
  };
}

function overrides(options: FleetApplyCommandOptions): Partial<Settings> {
  return {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    ...(options.buildLockTimeoutMs === undefined ? {} : { buildLockTimeoutMs: options.buildLockTimeoutMs }),
  };
}

/** Every distinct manifest read and checked before any target starts: a bad one stops the fleet at once. */
async function manifestsOf(targets: readonly FleetTarget[]): Promise<(target: FleetTarget) => Promise<LoadedManifest>> {
  const { byPath } = await loadFleetManifests(targets);
  return async (target) => {
    const manifest = byPath.get(target.manifestPath);
    if (manifest === undefined) throw new Error(`no manifest was read for ${target.name}`);
    return manifest;
  };
}

/** A fleet is not approved target by target: --yes is the approval, checked before anything is read. */
export function requireYes(options: Pick<FleetApplyCommandOptions, 'yes'>): void {
  if (!options.yes) {
    throw new UserError(
      'apply --targets needs --yes: a fleet is not approved target by target.',
      'Review what would change with reconcile plan --targets … first, then run apply --targets … --yes.',
    );
  }
}

export async function runFleetApply(options: FleetApplyCommandOptions, context: CommandContext, targets: readonly FleetTarget[]): Promise<number> {
  requireYes(options);
  const policy = fleetPolicy(options);
  if (targets.length === 0) throw new UserError('The fleet has no targets.', 'Check the targets file, --only and --shard.');
  const loadDesired = await manifestsOf(targets);
  const output = chooseOutput(options, context);
  const colors = colorsFor(context, options);
  // Loaded here: Ink and React cost most of the CLI's start-up.
  const { createFleetRenderer } = await import('../ui/fleet-renderer.js');
  const renderer = createFleetRenderer(output, context.stdout, colors);
  const interrupt = new AbortController();
  const onAbort = (): void => interrupt.abort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  let result;
  try {
    result = await applyFleet(targets, {
      policy,
      listener: (event: FleetEvent) => renderer.onEvent(event),
      loadDesired,
      overrides: overrides(options),
      allowEmpty: options.allowEmpty ?? false,
      allowLockingDrops: options.allowLockingDrops ?? false,
      exactBloat: options.exactBloat ?? false,
      signal: interrupt.signal,
    });
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await renderer.finish();
  }
  if (options.report !== undefined) {
    await writeFleetReport(
      options.report,
      fleetReport({
        targets,
        outcomes: result.outcomes,
        policy,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        interrupted: result.interrupted,
        ...(result.stopped ? { stopped: stopText(result.stopped, policy.onError) } : {}),
      }),
    );
  }
  return fleetExitCode(result);
}
