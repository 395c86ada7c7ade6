/*
 * The fleet side of `reconcile apply`: its own flags (--per-host, --canary, --on-error, --max-failures,
 * --report) beside those every fleet command takes (fleet.ts), the checks that keep one database's flags
 * and a fleet's apart, and the run. cli-commands.ts adds these to `apply` and hands a fleet over here.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../core/errors.js';
import { DEFAULT_FLEET_POLICY, type OnError } from '../core/fleet/schedule.js';
import type { ApplyRunFlags } from './apply.js';
import type { CommandContext, ConnectionOptions } from './context.js';
import { checkFleetFlags, fleetTargets, isFleet, withFleetOptions, type FleetFlags } from './fleet.js';

function whole(minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum) throw new InvalidArgumentError(`must be a whole number of at least ${minimum}.`);
    return parsed;
  };
}

export interface FleetApplyFlags extends FleetFlags {
  readonly perHost?: number;
  readonly canary?: number;
  readonly onError?: OnError;
  readonly maxFailures?: number;
  readonly report?: string;
}

/** The flags that only apply takes for a fleet (the others every fleet command takes: fleet.ts). */
const APPLY_ONLY = { perHost: '--per-host', canary: '--canary', onError: '--on-error', maxFailures: '--max-failures', report: '--report' } as const;

/** Adds the fleet flags to `apply`: those every fleet command takes, then apply's own. */
export function withFleetApplyOptions(command: Command): Command {
  return withFleetOptions(command, DEFAULT_FLEET_POLICY.parallel)
    .addOption(new Option('--per-host <n>', 'with a fleet: targets applied at once on one server host:port (default 1)').argParser(whole(1)))
    .addOption(new Option('--canary <n>', 'with a fleet: the first N targets (or those labelled canary: "true") are applied alone first; 0 for none (default 1)').argParser(whole(0)))
    .addOption(new Option('--on-error <what>', 'with a fleet: after a target fails, stop starting new ones, or continue (default stop)').choices(['stop', 'continue']))
    .addOption(new Option('--max-failures <n>', 'with a fleet: with --on-error continue, stop starting new targets after N failed').argParser(whole(1)))
    .addOption(new Option('--report <file>', 'with a fleet: write a JSON report of every target (schema/fleet-report.schema.json)'));
}

export { isFleet as isFleetApply };

/** Refuses fleet flags without a fleet, and one database's flags (a saved plan, --check) with one. */
export function checkFleetApplyFlags(flags: FleetApplyFlags & ConnectionOptions & { readonly planFile?: string; readonly check?: boolean }): void {
  if (!isFleet(flags)) {
    const stray = (Object.keys(APPLY_ONLY) as (keyof typeof APPLY_ONLY)[]).find((name) => flags[name] !== undefined);
    if (stray) throw new UserError(`${APPLY_ONLY[stray]} works with a fleet only.`, 'Add --targets FILE or --targets-cmd CMD.');
  }
  if (isFleet(flags) && flags.planFile !== undefined) {
    throw new UserError('A saved plan is for one database, not for --targets.', 'Leave out the plan file: each target is planned when its turn comes.');
  }
  checkFleetFlags(flags, { '--check': flags.check });
}

export interface FleetApplyCliOptions extends FleetApplyFlags, ApplyRunFlags {
  readonly file: string;
  readonly fileGiven: boolean;
  readonly color?: boolean;
}

export async function runFleetApplyCli(options: FleetApplyCliOptions, context: CommandContext): Promise<number> {
  const { fleetPolicy, requireYes, runFleetApply } = await import('./fleet-apply.js');
  requireYes(options);
  fleetPolicy(options);
  const targets = await fleetTargets(options, { file: options.file, given: options.fileGiven }, context);
  return runFleetApply(options, context, targets);
}
