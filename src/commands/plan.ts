/* `reconcile plan`: read the catalog, print what apply would change. */
import { writeFile } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { assertNever } from '../core/actions.js';
import { loadManifestFile } from '../io/manifest/load.js';
import { planAgainstDatabase } from '../io/planning.js';
import { renderPlanMarkdown } from '../ui/plan-markdown.js';
import { renderPlanSql } from '../ui/plan-sql.js';
import { renderPlanText } from '../ui/plan-text.js';
import { colorsFor, withConnection, type CommandContext, type CommonOptions, type ConnectionOptions } from './context.js';

export type PlanFormat = 'text' | 'json' | 'sql' | 'markdown';

export interface PlanCommandOptions extends ConnectionOptions, CommonOptions {
  readonly file: string;
  readonly format: PlanFormat;
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  readonly allowEmpty?: boolean;
  readonly allowLockingDrops?: boolean;
  readonly exactBloat?: boolean;
}

export async function runPlan(options: PlanCommandOptions, context: CommandContext): Promise<number> {
  // The hash of the very bytes that were planned: the file may change while the plan is made.
  const { desired, sha256: sha } = await loadManifestFile(options.file);
  const { document, plan } = await withConnection(context, options, (target) =>
    planAgainstDatabase(target, desired, {
      allowEmpty: options.allowEmpty ?? false,
      allowLockingDrops: options.allowLockingDrops ?? false,
      manifestFile: options.file,
      manifestSha256: sha,
      exactBloat: options.exactBloat ?? false,
    }),
  );
  if (plan.problems.length > 0) {
    throw new UserError(
      `The plan cannot be made: ${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'} in ${options.file}.`,
      undefined,
      plan.problems,
    );
  }
  if (options.out) await writePlanFile(options.out, `${JSON.stringify(document, null, 2)}\n`);
  switch (options.format) {
    case 'text':
      context.stdout.write(renderPlanText(document, colorsFor(context, options)));
      if (options.out) context.stdout.write(`\nSaved the plan to ${options.out}; run it with: reconcile apply ${options.out}\n`);
      break;
    case 'json':
      context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      break;
    case 'sql':
      context.stdout.write(renderPlanSql(document, desired.settings));
      break;
    case 'markdown':
      context.stdout.write(renderPlanMarkdown(document, desired.settings));
      break;
    default:
      return assertNever(options.format, 'plan format');
  }
  if (options.detailedExitcode && document.changes) return 2;
  return 0;
}

async function writePlanFile(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : (error as Error).message;
    throw new UserError(`Cannot write the plan to ${file}: ${reason}.`, 'Give --out a path in a directory you may write to.');
  }
}
