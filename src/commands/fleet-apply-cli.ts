/*
 * The fleet side of `reconcile apply`: its flags (--per-host, --canary, --on-error, --max-failures,
 * --report, beside the fleet flags every command takes), the checks that keep one database's flags and a
 * fleet's apart, and the run. cli-commands.ts adds these to `apply` and hands a fleet over here.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { OnError } from '../core/fleet/schedule.js';
import type { ApplyOutput } from './apply.js';
import type { CommandContext } from './context.js';

function whole(minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum) throw new InvalidArgumentError(`must be a whole number of at least ${minimum}.`);
    return parsed;
  };
}

export interface FleetApplyFlags {
  readonly targets?: string;
  readonly targetsCmd?: string;
  readonly only?: readonly string[];
  readonly shard?: string;
  readonly parallel?: number;
  readonly perHost?: number;
  readonly canary?: number;
  readonly onError?: OnError;
  readonly maxFailures?: number;
  readonly report?: string;
}

/** The flags that only mean something for a fleet apply. */
const FLEET_ONLY = ['only', 'shard', 'parallel', 'perHost', 'canary', 'onError', 'maxFailures', 'report'] as const;

const FLAG_NAMES: Readonly<Record<(typeof FLEET_ONLY)[number], string>> = {
  only: '--only',
  shard: '--shard',
  parallel: '--parallel',
  perHost: '--per-host',
  canary: '--canary',
  onError: '--on-error',
  maxFailures: '--max-failures',
  report: '--report',
};

/** Adds apply's fleet flags to the command. */
export function withFleetApplyOptions(command: Command): Command {
  return command
    .addOption(new Option('--targets <file>', 'a fleet of databases instead of one (targets.yaml)'))
    .addOption(new Option('--targets-cmd <command>', 'a fleet read from a command printing one JSON object per line: {"name","url","labels"}'))
    .addOption(new Option('--only <selector>', 'with a fleet: only these targets, by name (* wildcards) or label=value (repeatable)').argParser((value: string, previous: string[] = []) => [...previous, value]))
    .addOption(new Option('--shard <K/N>', 'with a fleet: every N-th target in name order, from the K-th'))
    .addOption(new Option('--parallel <n>', 'with a fleet: targets applied at once (default 4)').argParser(whole(1)))
    .addOption(new Option('--per-host <n>', 'with a fleet: targets applied at once on one server host:port (default 1)').argParser(whole(1)))
    .addOption(new Option('--canary <n>', 'with a fleet: the first N targets (or those labelled canary: "true") are applied alone first; 0 for none (default 1)').argParser(whole(0)))
    .addOption(new Option('--on-error <what>', 'with a fleet: after a target fails, stop starting new ones, or continue (default stop)').choices(['stop', 'continue']))
    .addOption(new Option('--max-failures <n>', 'with a fleet: with --on-error continue, stop starting new targets after N failed').argParser(whole(1)))
    .addOption(new Option('--report <file>', 'with a fleet: write a JSON report of every target (schema/fleet-report.schema.json)'));
}

export function isFleetApply(flags: FleetApplyFlags): boolean {
  return flags.targets !== undefined || flags.targetsCmd !== undefined;
}

/** Refuses fleet flags without a fleet, and one database's flags with one. */
export function checkFleetApplyFlags(flags: FleetApplyFlags & { readonly databaseUrl?: string; readonly embedded?: boolean; readonly planFile?: string; readonly check?: boolean }): void {
  if (!isFleetApply(flags)) {
    const stray = FLEET_ONLY.find((name) => flags[name] !== undefined);
    if (stray) throw new UserError(`${FLAG_NAMES[stray]} works with a fleet only.`, 'Add --targets FILE or --targets-cmd CMD.');
    return;
  }
  if (flags.databaseUrl !== undefined || flags.embedded) {
    throw new UserError(`${flags.databaseUrl !== undefined ? '--database-url' : '--embedded'} and --targets cannot be used together.`, 'A fleet names its databases in the targets file.');
  }
  if (flags.check) {
    throw new UserError('--check works with one database, not with --targets.', 'Leave out --check; run reconcile check --targets … before and after instead.');
  }
  if (flags.planFile !== undefined) {
    throw new UserError('A saved plan is for one database, not for --targets.', 'Leave out the plan file: each target is planned when its turn comes.');
  }
}

export interface FleetApplyCliOptions extends FleetApplyFlags {
  readonly file: string;
  readonly fileGiven: boolean;
  readonly yes?: boolean;
  readonly output?: ApplyOutput;
  readonly concurrency?: number;
  readonly lockTimeoutMs?: number;
  readonly buildLockTimeoutMs?: number;
  readonly allowEmpty?: boolean;
  readonly allowLockingDrops?: boolean;
  readonly exactBloat?: boolean;
  readonly color?: boolean;
}

export async function runFleetApplyCli(options: FleetApplyCliOptions, context: CommandContext): Promise<number> {
  const { fleetPolicy, requireYes, runFleetApply } = await import('./fleet-apply.js');
  requireYes(options);
  fleetPolicy(options);
  const { loadFleetTargets } = await import('./fleet-apply-targets.js');
  const targets = await loadFleetTargets(options, context);
  return runFleetApply(options, context, targets);
}
