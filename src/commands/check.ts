/*
 * `reconcile check`: run the queries each index declares it serves under EXPLAIN (read-only, rolled
 * back) and fail when the planner does not use that index; with --analyze, time them against their
 * p95 budgets, save the timings (--out) and compare them with timings saved before (--baseline).
 */
import { assertNever } from '../core/actions.js';
import { baselineDocument, baselineMismatch, declaredIdentity, type BaselineDocument, type MeasurementIdentity } from '../core/check-baseline.js';
import { compareBaselines, comparisonDocument, type Comparison } from '../core/check-comparison.js';
import { UserError } from '../core/errors.js';
import { checkDocument, checkPassed, checkReport, declaredChecks, type CheckReport } from '../core/explain.js';
import type { DesiredState } from '../core/model.js';
import { pluralise } from '../core/text.js';
import { readBaselineFile, writeBaselineFile } from '../io/baseline-file.js';
import { runDeclaredChecks, type CheckRun } from '../io/check-runner.js';
import { readDatabaseIdentity } from '../io/database-identity.js';
import { withSession } from '../io/db.js';
import { loadManifest } from '../io/manifest/load.js';
import type { Palette } from '../ui/color.js';
import { renderComparisonMarkdown } from '../ui/check-comparison-markdown.js';
import { renderComparisonText } from '../ui/check-comparison-text.js';
import { renderCheckMarkdown } from '../ui/check-markdown.js';
import { renderCheckText } from '../ui/check-text.js';
import { colorsFor, withConnection, type CommandContext, type CommonOptions, type ConnectionOptions } from './context.js';

export type CheckFormat = 'text' | 'json' | 'markdown';

export const DEFAULT_CHECK_RUNS = 5;

export interface CheckCommandOptions extends ConnectionOptions, CommonOptions {
  readonly file: string;
  readonly format: CheckFormat;
  /** Time each query too (EXPLAIN ANALYZE: it runs, read-only, rolled back). */
  readonly analyze?: boolean;
  /** Timed runs per query with --analyze; default 5. */
  readonly runs?: number;
  /** Save the timings here (needs --analyze). */
  readonly out?: string;
  /** Compare the timings with this saved baseline (needs --analyze). */
  readonly baseline?: string;
}

function checkOptions(options: CheckCommandOptions): { readonly analyze: boolean; readonly runs: number } {
  const runs = options.runs ?? DEFAULT_CHECK_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`--runs must be a whole number of at least 1, not ${runs}.`);
  const analyze = options.analyze ?? false;
  for (const [flag, value] of [['--out', options.out], ['--baseline', options.baseline]] as const) {
    if (value !== undefined && !analyze) {
      throw new UserError(`check ${flag} works with timings, and only --analyze measures them.`, `Add --analyze: reconcile check --analyze ${flag} ${value}`);
    }
  }
  return { analyze, runs };
}

/** The queries' timings now, as a baseline document; undefined when nothing was declared. */
export function measured(run: CheckRun, now: Date = new Date()): BaselineDocument | undefined {
  return run.database === undefined ? undefined : baselineDocument(run.report, { createdAt: now.toISOString(), database: run.database });
}

/** Refuses a baseline measured on another database or for other queries than are measured now. */
export function refuseForeignBaseline(before: MeasurementIdentity, now: MeasurementIdentity, names: { readonly baseline?: string; readonly manifest: string }): void {
  const baseline = names.baseline ?? 'the measurement before the apply';
  const mismatch = baselineMismatch(before, now, { baseline, manifest: names.manifest });
  if (mismatch === undefined) return;
  const out = names.baseline ?? 'before.json';
  throw new UserError(
    `Cannot compare with the baseline: ${mismatch.reason}`,
    mismatch.cause === 'database'
      ? `A baseline compares one database before and after a change: measure this one before the change with reconcile check --analyze --out ${out}`
      : `Measure the queries ${names.manifest} declares now, before the change: reconcile check --analyze --out ${out}`,
  );
}

export function renderComparison(comparison: Comparison, format: CheckFormat, colors: Palette): string {
  switch (format) {
    case 'text':
      return renderComparisonText(comparison, colors);
    case 'json':
      return `${JSON.stringify(comparisonDocument(comparison), null, 2)}\n`;
    case 'markdown':
      return renderComparisonMarkdown(comparison);
    default:
      return assertNever(format, 'check format');
  }
}

function renderReport(report: CheckReport, format: CheckFormat, colors: Palette): string {
  switch (format) {
    case 'text':
      return renderCheckText(report, colors);
    case 'json':
      return `${JSON.stringify(checkDocument(report), null, 2)}\n`;
    case 'markdown':
      return renderCheckMarkdown(report);
    default:
      return assertNever(format, 'check format');
  }
}

/**
 * Runs the declared queries; a manifest that declares none needs no connection. A baseline is checked
 * against the database and the declared queries first: a foreign one fails before minutes of timing.
 */
async function runChecks(desired: DesiredState, before: BaselineDocument | undefined, options: CheckCommandOptions, context: CommandContext, how: { analyze: boolean; runs: number }): Promise<CheckRun> {
  const checks = declaredChecks(desired);
  if (checks.length === 0) return { report: checkReport(options.file, how, []) };
  return withConnection(context, options, async (target) => {
    if (before !== undefined) {
      const database = await withSession(target, readDatabaseIdentity);
      refuseForeignBaseline(before, declaredIdentity(database, checks), { baseline: options.baseline, manifest: options.file });
    }
    return runDeclaredChecks(target, desired, { manifestFile: options.file, ...how, signal: context.signal });
  });
}

export async function runCheck(options: CheckCommandOptions, context: CommandContext): Promise<number> {
  const how = checkOptions(options);
  // Read first: a missing or foreign baseline should fail before minutes of timing.
  const before = options.baseline === undefined ? undefined : await readBaselineFile(options.baseline);
  const desired = await loadManifest(options.file);
  if (options.baseline !== undefined && declaredChecks(desired).length === 0) {
    throw new UserError(`${options.file} declares no queries, so there is nothing to compare with ${options.baseline}.`, 'Declare the queries each index serves (queries: under the index), then measure them before and after.');
  }
  const run = await runChecks(desired, before, options, context, how);
  const colors = colorsFor(context, options);
  const now = measured(run);
  if (options.out !== undefined && now !== undefined) await writeBaselineFile(options.out, now);
  if (before === undefined || now === undefined) {
    context.stdout.write(renderReport(run.report, options.format, colors));
    if (options.out !== undefined && options.format === 'text') {
      context.stdout.write(
        now === undefined
          ? `\nNothing saved to ${options.out}: no queries are declared.\n`
          : `\nSaved the timings of ${pluralise(run.report.results.length, 'query', 'queries')} to ${options.out}; compare with them after the change: reconcile check --analyze --baseline ${options.out}\n`,
      );
    }
    // Saving a baseline is a measurement, usually before the indexes exist: only a query that could not run fails it.
    if (options.out !== undefined) return run.report.summary.failed === 0 ? 0 : 1;
    return checkPassed(run.report) ? 0 : 1;
  }
  // Checked again on what was measured (the URL may reach another database by now): the comparison needs every query on both sides.
  refuseForeignBaseline(before, now, { baseline: options.baseline, manifest: options.file });
  const comparison = compareBaselines(before, now, options.baseline);
  context.stdout.write(renderComparison(comparison, options.format, colors));
  return comparison.summary.passed ? 0 : 1;
}
