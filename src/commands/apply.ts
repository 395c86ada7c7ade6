/*
 * `reconcile apply [plan.json]`: show the plan, get approval, take the apply lock, run the actions with a
 * live renderer, then read the catalog again and check it matches the manifest.
 */
import type { Action, TableRef } from '../core/actions.js';
import { UserError } from '../core/errors.js';
import type { ApplyEvent } from '../core/events.js';
import { tableKey, type DesiredState, type LiveState, type Settings } from '../core/model.js';
import { describeAction } from '../core/plan.js';
import { savedPlanStaleness } from '../core/saved-plan.js';
import { acquireApplyLock } from '../io/advisory-lock.js';
import type { ConnectionTarget } from '../io/db.js';
import { executePlan } from '../io/executor.js';
import { loadManifestFile } from '../io/manifest/load.js';
import { readPlanFile } from '../io/plan-file.js';
import { planAgainstDatabase } from '../io/planning.js';
import { renderPlanText } from '../ui/plan-text.js';
import { compareAfterApply, measureBeforeApply } from './apply-check.js';
import { colorsFor, withConnection, type CommandContext, type CommonOptions, type ConnectionOptions } from './context.js';

export type ApplyOutput = 'tui' | 'plain' | 'json';

/** The apply flags one database and a fleet share: the approval, the renderer, and what overrides the manifest's settings. */
export interface ApplyRunFlags {
  readonly yes?: boolean;
  readonly output?: ApplyOutput;
  readonly concurrency?: number;
  readonly lockTimeoutMs?: number;
  readonly buildLockTimeoutMs?: number;
  readonly allowEmpty?: boolean;
  readonly allowLockingDrops?: boolean;
  readonly exactBloat?: boolean;
}

export interface ApplyCommandOptions extends ConnectionOptions, CommonOptions, ApplyRunFlags {
  readonly file: string;
  /** Whether -f was given explicitly (a saved plan otherwise names its own manifest). */
  readonly fileGiven: boolean;
  readonly planFile?: string;
  /** Time the declared queries before and after the apply and print the comparison (see apply-check). */
  readonly check?: boolean;
}

function effectiveSettings(desired: DesiredState, options: ApplyCommandOptions): Settings {
  return {
    ...desired.settings,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    ...(options.buildLockTimeoutMs === undefined ? {} : { buildLockTimeoutMs: options.buildLockTimeoutMs }),
  };
}

export function chooseOutput(options: Pick<ApplyCommandOptions, 'output'>, context: CommandContext): ApplyOutput {
  if (options.output) return options.output;
  const ci = context.env.CI !== undefined && context.env.CI !== '' && context.env.CI !== 'false';
  return context.stdout.isTTY && !ci ? 'tui' : 'plain';
}

function actionKey(action: Action): string {
  return `${describeAction(action)} on ${action.table.schema}.${action.table.name}`;
}

/** Declared tables the catalog does not have (now): a saved plan for them is stale. */
function missingTables(desired: DesiredState, live: LiveState): TableRef[] {
  return desired.tables.filter((t) => !live.tables.has(tableKey(t.schema, t.name))).map((t) => ({ schema: t.schema, name: t.name }));
}

async function approve(options: ApplyCommandOptions, context: CommandContext): Promise<boolean> {
  if (options.yes || options.planFile) return true;
  if (!context.stdinIsTTY || !context.stdout.isTTY) {
    throw new UserError(
      'apply needs approval, and there is no terminal to ask on.',
      'Pass --yes, or save a plan and apply that file: reconcile plan --out plan.json && reconcile apply plan.json',
    );
  }
  const answer = await context.prompt('\nDo you want to apply these changes? Only "yes" will be accepted: ');
  return answer.trim() === 'yes';
}

export async function runApply(options: ApplyCommandOptions, context: CommandContext): Promise<number> {
  const saved = options.planFile ? await readPlanFile(options.planFile) : undefined;
  const manifestFile = saved && !options.fileGiven ? saved.manifest.file : options.file;
  // The hash of the very bytes that were planned, compared with a saved plan's: never a second read.
  const { desired, sha256: sha } = await loadManifestFile(manifestFile);
  const settings = effectiveSettings(desired, options);
  const output = chooseOutput(options, context);
  const colors = colorsFor(context, options);

  return withConnection(context, options, async (target) => {
    const planOptions = {
      allowEmpty: options.allowEmpty ?? false,
      allowLockingDrops: options.allowLockingDrops ?? false,
      manifestFile,
      manifestSha256: sha,
      // A saved plan measured with pgstattuple is checked against the same measure.
      exactBloat: (options.exactBloat ?? false) || saved?.database.exactBloat === true,
    };
    const current = await planAgainstDatabase(target, desired, planOptions);
    const problems = current.plan.problems;
    if (saved) {
      const stale = savedPlanStaleness(saved, {
        manifestSha256: sha,
        missingTables: missingTables(desired, current.live),
        problems: problems.length,
        document: current.document,
      });
      if (stale) {
        const next =
          stale.cause === 'tables'
            ? `Declare the tables as they are now in ${manifestFile}, then make a new plan with reconcile plan --out, review it, and apply that.`
            : stale.cause === 'problems'
              ? 'Fix the problems above, then make a new plan with reconcile plan --out, review it, and apply that.'
              : 'Make a new plan with reconcile plan --out, review it, and apply that.';
        throw new UserError(`Saved plan is stale: ${stale.reason}`, next, stale.cause === 'problems' ? problems : []);
      }
    }
    if (problems.length > 0) {
      throw new UserError(`The plan cannot be made: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${manifestFile}.`, undefined, problems);
    }
    // Always the actions generated now: a saved plan only approves them, once they equal it statement for statement.
    const document = current.document;
    if (output !== 'json') context.stdout.write(renderPlanText(document, colors));
    if (!document.changes) {
      if (options.check && output !== 'json') context.stdout.write('\n--check: no changes, so nothing to time before and after.\n');
      return 0;
    }
    if (output !== 'json') context.stdout.write('\n');
    if (!(await approve(options, context))) {
      context.stderr.write('Apply cancelled.\n');
      return 1;
    }
    const around = { target, desired, manifestFile, output, context };
    const before = options.check ? await measureBeforeApply(around) : undefined;
    const applied = await runActions(target, document.actions, settings, desired, planOptions, output, context, options, current.document.database.searchPath);
    return before === undefined || applied === 130 ? applied : compareAfterApply(around, before, applied, options);
  });
}

/** Runs the actions under the apply lock: whatever fails once it is taken (even creating the renderer) releases it. */
async function runActions(...args: Parameters<typeof renderActions>): Promise<number> {
  const lock = await acquireApplyLock(args[0]);
  try {
    return await renderActions(...args);
  } finally {
    await lock.release();
  }
}

async function renderActions(
  target: ConnectionTarget,
  actions: readonly Action[],
  settings: Settings,
  desired: DesiredState,
  planOptions: Parameters<typeof planAgainstDatabase>[2],
  output: ApplyOutput,
  context: CommandContext,
  options: ApplyCommandOptions,
  searchPath: readonly string[] | undefined,
): Promise<number> {
  // Loaded here: Ink and React cost most of the CLI's start-up, and only apply renders with them.
  const { createApplyRenderer } = await import('../ui/apply-renderer.js');
  const renderer = createApplyRenderer(output, context.stdout, colorsFor(context, options));
  const emit = (event: ApplyEvent): void => renderer.onEvent(event);
  const interrupt = new AbortController();
  const onAbort = (): void => {
    emit({ type: 'interrupt', at: Date.now(), signal: String(context.signal.reason ?? 'SIGINT') });
    interrupt.abort();
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await executePlan(target, actions, settings, { listener: emit, signal: interrupt.signal, ...(searchPath ? { searchPath } : {}) });
    if (result.interrupted) return 130;
    const after = await planAgainstDatabase(target, desired, planOptions);
    const differences = after.plan.actions.filter((action) => action.kind !== 'skip').map(actionKey);
    emit({ type: 'verified', at: Date.now(), inSync: differences.length === 0, differences });
    return result.failed > 0 || differences.length > 0 ? 1 : 0;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await renderer.finish();
  }
}
