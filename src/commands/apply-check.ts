/*
 * `reconcile apply --check`: the guide's performance tests around the deployment. The declared queries
 * are timed (as `check --analyze`) once the apply is approved and before anything runs, and again after
 * the apply; the comparison is printed after the apply's summary (`--output json`: one more line,
 * `{"type":"check",…}`).
 */
import type { BaselineDocument } from '../core/check-baseline.js';
import { compareBaselines, comparisonDocument } from '../core/check-comparison.js';
import { declaredChecks } from '../core/explain.js';
import type { DesiredState } from '../core/model.js';
import { pluralise } from '../core/text.js';
import { runDeclaredChecks } from '../io/check-runner.js';
import type { ConnectionTarget } from '../io/db.js';
import type { ApplyOutput } from './apply.js';
import { DEFAULT_CHECK_RUNS, measured, refuseForeignBaseline, renderComparison } from './check.js';
import { colorsFor, type CommandContext, type CommonOptions } from './context.js';

export interface AroundApply {
  readonly target: ConnectionTarget;
  readonly desired: DesiredState;
  readonly manifestFile: string;
  readonly output: ApplyOutput;
  readonly context: CommandContext;
}

async function measure(around: AroundApply): Promise<BaselineDocument | undefined> {
  const run = await runDeclaredChecks(around.target, around.desired, {
    manifestFile: around.manifestFile,
    analyze: true,
    runs: DEFAULT_CHECK_RUNS,
    signal: around.context.signal,
  });
  return measured(run);
}

/** Times the declared queries before the apply; undefined when the manifest declares none. */
export async function measureBeforeApply(around: AroundApply): Promise<BaselineDocument | undefined> {
  const count = declaredChecks(around.desired).length;
  if (around.output !== 'json') {
    around.context.stdout.write(
      count === 0
        ? `--check: ${around.manifestFile} declares no queries, so there is nothing to time before and after.\n\n`
        : `Timing the ${pluralise(count, 'declared query', 'declared queries')} before the apply (EXPLAIN ANALYZE, ${DEFAULT_CHECK_RUNS} timed runs each)…\n\n`,
    );
  }
  return count === 0 ? undefined : measure(around);
}

/**
 * Times the queries again and prints the comparison. The apply's exit code stands when it failed;
 * after a successful apply, a query that misses its index or its budget makes it 1 (the indexes stay).
 */
export async function compareAfterApply(around: AroundApply, before: BaselineDocument, applied: number, options: CommonOptions): Promise<number> {
  const { context, output } = around;
  if (output !== 'json') context.stdout.write('\nTiming the declared queries again after the apply…\n\n');
  const after = await measure(around);
  if (after === undefined) return applied;
  refuseForeignBaseline(before, after, { manifest: around.manifestFile });
  const comparison = compareBaselines(before, after);
  if (output === 'json') {
    context.stdout.write(`${JSON.stringify({ type: 'check', at: after.createdAt, ...(comparisonDocument(comparison) as object) })}\n`);
  } else {
    context.stdout.write(renderComparison(comparison, 'text', colorsFor(context, options)));
  }
  if (applied !== 0) return applied;
  return comparison.summary.passed ? 0 : 1;
}
