/*
 * The commands and their flags (a contract: never rename them). Each command is loaded when it runs:
 * its dependencies (the parser, pg, ajv, Ink) are most of the start-up time, and `--help` needs none.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from './core/units.js';
import type { CommandContext } from './commands/context.js';
import type { ApplyOutput } from './commands/apply.js';
import { checkFleetApplyFlags, isFleetApply, withFleetApplyOptions, type FleetApplyFlags } from './commands/fleet-apply-cli.js';
import type { CheckCommandOptions } from './commands/check.js';
import type { PlanFormat } from './commands/plan.js';
import type { StatusCommandOptions } from './commands/status.js';
import { checkFleetFlags, isFleet, withFleetOptions, type FleetFlags } from './commands/fleet.js';
import { UserError } from './core/errors.js';

export interface CommandWiring {
  readonly program: Command;
  readonly context: CommandContext;
  /** Records the command's exit code. */
  readonly exit: (code: number) => void;
}

export function defineCommands(wiring: CommandWiring): void {
  for (const define of [validateCommand, planCommand, applyCommand, statusCommand, checkCommand, exportCommand]) define(wiring);
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number of at least 1.');
  return parsed;
}

function duration(value: string): number {
  try {
    return parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const fileOption = (): Option => new Option('-f, --file <file>', 'the manifest').default('indexes.yaml');
const urlOption = (): Option => new Option('--database-url <url>', 'connection URL (else DATABASE_URL, else the PG* variables)');
const embeddedOption = (): Option => new Option('--embedded', 'run against a throwaway embedded PostgreSQL');

function validateCommand({ program, context, exit }: CommandWiring): void {
  program
    .command('validate')
    .description('check the manifest offline: schema, SQL fragments, names; no database')
    .addOption(fileOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: { file: string; format: 'text' | 'json' }) => {
      const { runValidate } = await import('./commands/validate.js');
      exit(await runValidate(options, {
        stdout: (text) => context.stdout.write(text),
        stderr: (text) => context.stderr.write(text),
      }));
    });
}

function planCommand({ program, context, exit }: CommandWiring): void {
  const command = program
    .command('plan')
    .description('read the catalog and print what apply would change')
    .addOption(fileOption())
    .addOption(urlOption())
    .addOption(embeddedOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sql', 'markdown']).default('text'))
    .option('--out <file>', 'save the plan for `reconcile apply <file>`')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .option('--allow-empty', 'permit a prune that leaves a declared table with none of its indexes')
    .option('--allow-locking-drops', 'permit a non-concurrent drop (partitioned indexes)')
    .option('--exact-bloat', 'measure index bloat with the pgstattuple extension (reads every index whole) instead of estimating it from statistics');
  withFleetOptions(command, 8).action(
    async (options: { file: string; format: PlanFormat; databaseUrl?: string; embedded?: boolean; out?: string; detailedExitcode?: boolean; allowEmpty?: boolean; allowLockingDrops?: boolean; exactBloat?: boolean } & FleetFlags, self: Command) => {
      const color = program.opts<{ color: boolean }>().color;
      checkFleetFlags(options, { '--out FILE': options.out });
      if (isFleet(options)) {
        if (options.format === 'sql') throw new UserError('--format sql is a script for one database, not for --targets.', 'Use --format text, json or markdown for a fleet.');
        const { runFleetPlan } = await import('./commands/fleet-plan.js');
        exit(await runFleetPlan({ ...options, format: options.format, fileGiven: self.getOptionValueSource('file') === 'cli', color }, context));
        return;
      }
      const { runPlan } = await import('./commands/plan.js');
      exit(await runPlan({ ...options, color }, context));
    },
  );
}

function applyCommand({ program, context, exit }: CommandWiring): void {
  const command = program
    .command('apply')
    .description('apply the plan (or a saved plan file) online, with a live view of the builds')
    .argument('[plan]', 'a plan saved with `reconcile plan --out`; applied without asking, if it is not stale')
    .addOption(fileOption())
    .addOption(urlOption())
    .addOption(embeddedOption())
    .option('--yes', 'apply without asking')
    .addOption(new Option('--output <renderer>', 'tui (default on a terminal) | plain | json').choices(['tui', 'plain', 'json']))
    .option('--concurrency <n>', 'tables built at once (overrides settings.concurrency)', positiveInteger)
    .option('--lock-timeout <duration>', 'for drops, renames, comments (overrides settings.lockTimeout)', duration)
    .option('--build-lock-timeout <duration>', 'for concurrent builds; 0 = none (overrides settings.buildLockTimeout)', duration)
    .option('--allow-empty', 'permit a prune that leaves a declared table with none of its indexes')
    .option('--allow-locking-drops', 'permit a non-concurrent drop (partitioned indexes)')
    .option('--exact-bloat', 'measure index bloat with the pgstattuple extension (reads every index whole) instead of estimating it from statistics')
    .option('--check', 'time the declared queries before and after the apply (check --analyze) and print the comparison');
  withFleetApplyOptions(command).action(
    async (planFile: string | undefined, options: { file: string; databaseUrl?: string; embedded?: boolean; yes?: boolean; output?: ApplyOutput; concurrency?: number; lockTimeout?: number; buildLockTimeout?: number; allowEmpty?: boolean; allowLockingDrops?: boolean; exactBloat?: boolean; check?: boolean } & FleetApplyFlags, command: Command) => {
      const { lockTimeout, buildLockTimeout, ...rest } = options;
      const common = {
        ...rest,
        ...(lockTimeout === undefined ? {} : { lockTimeoutMs: lockTimeout }),
        ...(buildLockTimeout === undefined ? {} : { buildLockTimeoutMs: buildLockTimeout }),
        fileGiven: command.getOptionValueSource('file') === 'cli',
        color: program.opts<{ color: boolean }>().color,
      };
      checkFleetApplyFlags({ ...options, ...(planFile === undefined ? {} : { planFile }) });
      if (isFleetApply(options)) {
        const { runFleetApplyCli } = await import('./commands/fleet-apply-cli.js');
        exit(await runFleetApplyCli(common, context));
        return;
      }
      const { runApply } = await import('./commands/apply.js');
      exit(await runApply({ ...common, ...(planFile === undefined ? {} : { planFile }) }, context));
    },
  );
}

function statusCommand({ program, context, exit }: CommandWiring): void {
  const command = program
    .command('status')
    .description('index health of the declared tables: valid, size, size/table ratio, bloat, scans, unused, redundant')
    .addOption(fileOption())
    .addOption(urlOption())
    .addOption(embeddedOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--fail-on <categories>', 'exit 1 when any is present: budget,invalid,redundant,unused,bloat', (value: string, previous: string[] = []) => [
      ...previous,
      ...value.split(',').map((part) => part.trim()).filter((part) => part.length > 0),
    ])
    .option('--exact-bloat', 'measure index bloat with the pgstattuple extension (reads every index whole) instead of estimating it from statistics')
    .action(async (options: { file: string; format: StatusCommandOptions['format']; failOn?: string[]; databaseUrl?: string; embedded?: boolean; exactBloat?: boolean } & FleetFlags, self: Command) => {
      checkFleetFlags(options);
      if (isFleet(options)) {
        const { runFleetStatus } = await import('./commands/fleet-report.js');
        const failOn = (options.failOn ?? []) as StatusCommandOptions['failOn'];
        exit(await runFleetStatus({ ...options, failOn, fileGiven: self.getOptionValueSource('file') === 'cli', color: program.opts<{ color: boolean }>().color }, context));
        return;
      }
      const { runStatus } = await import('./commands/status.js');
      exit(await runStatus(
        { ...options, failOn: (options.failOn ?? []) as StatusCommandOptions['failOn'], color: program.opts<{ color: boolean }>().color },
        context,
      ));
    });
  withFleetOptions(command, 8);
}

function checkCommand({ program, context, exit }: CommandWiring): void {
  const command = program
    .command('check')
    .description('run the queries each index declares under EXPLAIN (read-only, rolled back); fail when the planner does not use the index')
    .addOption(fileOption())
    .addOption(urlOption())
    .addOption(embeddedOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--analyze', 'also run the queries and hold them to their p95 budgets')
    .option('--runs <n>', 'timed runs per query with --analyze (default 5)', positiveInteger)
    .option('--out <file>', 'with --analyze: save the timings, to compare with after a change')
    .option('--baseline <file>', 'with --analyze: compare the timings with ones saved by --out (p95 before and now, change, budgets)')
    .action(async (options: { file: string; format: CheckCommandOptions['format']; analyze?: boolean; runs?: number; out?: string; baseline?: string; databaseUrl?: string; embedded?: boolean } & FleetFlags, self: Command) => {
      checkFleetFlags(options, { '--out FILE': options.out, '--baseline FILE': options.baseline });
      if (isFleet(options)) {
        const { runFleetCheck } = await import('./commands/fleet-report.js');
        exit(await runFleetCheck({ ...options, fileGiven: self.getOptionValueSource('file') === 'cli', color: program.opts<{ color: boolean }>().color }, context));
        return;
      }
      const { runCheck } = await import('./commands/check.js');
      exit(await runCheck({ ...options, color: program.opts<{ color: boolean }>().color }, context));
    });
  withFleetOptions(command, 8);
}

function exportCommand({ program, context, exit }: CommandWiring): void {
  program
    .command('export')
    .description('write a manifest for the live database indexes to stdout (adopting an existing schema)')
    .addOption(urlOption())
    .addOption(embeddedOption())
    .option('--schema <schema>', 'a schema to export (repeatable); default every non-system schema', collect, [])
    .option('--table <table>', 'a table to export, as name or schema.name (repeatable)', collect, [])
    .action(async (options: { schema: string[]; table: string[]; databaseUrl?: string; embedded?: boolean }) => {
      const { runExport } = await import('./commands/export.js');
      exit(await runExport(options, context));
    });
}
