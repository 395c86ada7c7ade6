/*
 * The flags every command takes for a fleet (--targets, --targets-cmd, --only, --shard, --parallel),
 * and turning them into the fleet's targets. A fleet flag without a fleet, or a fleet with a single
 * database's connection flags, is an error that says which.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { FleetTarget } from '../core/fleet/target.js';
import type { CommandContext, ConnectionOptions } from './context.js';

export interface FleetFlags {
  readonly targets?: string;
  readonly targetsCmd?: string;
  readonly only?: readonly string[];
  readonly shard?: string;
  readonly parallel?: number;
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number of at least 1.');
  return parsed;
}

/** Adds the fleet flags to a command; `parallel` is its default for --parallel. */
export function withFleetOptions(command: Command, parallel: number): Command {
  return command
    .addOption(new Option('--targets <file>', 'a fleet of databases instead of one (targets.yaml)'))
    .addOption(new Option('--targets-cmd <command>', 'a fleet read from a command printing one JSON object per line: {"name","url","labels"}'))
    .addOption(new Option('--only <selector>', 'with a fleet: only these targets, by name (* wildcards) or label=value (repeatable)').argParser((value: string, previous: string[] = []) => [...previous, value]))
    .addOption(new Option('--shard <K/N>', 'with a fleet: every N-th target in name order, from the K-th'))
    .addOption(new Option('--parallel <n>', `with a fleet: targets at once (default ${parallel})`).argParser(positive));
}

export function isFleet(flags: FleetFlags): boolean {
  return flags.targets !== undefined || flags.targetsCmd !== undefined;
}

/** Refuses fleet flags without a fleet, and single-database flags with one. */
export function checkFleetFlags(flags: FleetFlags & ConnectionOptions, singleOnly: Readonly<Record<string, unknown>> = {}): void {
  if (!isFleet(flags)) {
    const stray = (['only', 'shard', 'parallel'] as const).find((name) => flags[name] !== undefined);
    if (stray) throw new UserError(`--${stray} works with a fleet only.`, 'Add --targets FILE or --targets-cmd CMD.');
    return;
  }
  if (flags.databaseUrl !== undefined || flags.embedded) {
    throw new UserError(`${flags.databaseUrl !== undefined ? '--database-url' : '--embedded'} and --targets cannot be used together.`, 'A fleet names its databases in the targets file.');
  }
  for (const [flag, value] of Object.entries(singleOnly)) {
    if (value !== undefined && value !== false) throw new UserError(`${flag} works with one database only, not with --targets.`, `Leave out ${flag.split(' ')[0]}.`);
  }
}

export async function fleetTargets(flags: FleetFlags, manifest: { readonly file: string; readonly given: boolean }, context: CommandContext): Promise<FleetTarget[]> {
  // Loaded when used: it reaches pg, and main.ts imports this file for the flags alone.
  const { loadFleet } = await import('../io/fleet/load.js');
  return loadFleet({
    ...(flags.targets === undefined ? {} : { targets: flags.targets }),
    ...(flags.targetsCmd === undefined ? {} : { targetsCmd: flags.targetsCmd }),
    ...(flags.only === undefined ? {} : { only: flags.only }),
    ...(flags.shard === undefined ? {} : { shard: flags.shard }),
    manifest: manifest.file,
    manifestGiven: manifest.given,
    env: context.env,
    signal: context.signal,
  });
}
