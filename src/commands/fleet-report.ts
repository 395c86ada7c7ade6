/* `reconcile status --targets F` and `reconcile check --targets F`: per target and for the fleet. */
import { UserError } from '../core/errors.js';
import { checkDocument, checkPassed, type CheckReport } from '../core/explain.js';
import { categoriesPresent, computeStatus, statusDocument, type StatusCategory, type StatusReport } from '../core/status.js';
import { pluralise } from '../core/text.js';
import { readLiveState } from '../io/catalog.js';
import { withSession } from '../io/db.js';
import { eachTarget, type TargetOutcome } from '../io/fleet/each-target.js';
import { loadFleetManifests } from '../io/fleet/plan-fleet.js';
import { readStatusFacts } from '../io/status-reader.js';
import { readBloat } from '../io/bloat-reader.js';
import { renderCheckMarkdown } from '../ui/check-markdown.js';
import { renderCheckText } from '../ui/check-text.js';
import { fleetJson, renderFleetMarkdown, renderFleetText, type ReportedTarget } from '../ui/fleet-report.js';
import { renderStatusMarkdown } from '../ui/status-markdown.js';
import { renderStatusText } from '../ui/status-text.js';
import { DEFAULT_CHECK_RUNS } from './check.js';
import { runDeclaredChecks } from '../io/check-runner.js';
import { colorsFor, type CommandContext, type CommonOptions } from './context.js';
import { fleetTargets, type FleetFlags } from './fleet.js';
import { FAIL_WORDS } from './status.js';

export const DEFAULT_REPORT_PARALLEL = 8;

interface FleetReportOptions extends FleetFlags, CommonOptions {
  readonly file: string;
  readonly fileGiven: boolean;
  readonly format: 'text' | 'json' | 'markdown';
}

function counted<R>(reported: readonly ReportedTarget<R>[], kind: TargetOutcome<R>['kind']): number {
  return reported.filter((r) => r.outcome.kind === kind).length;
}

async function run<R>(options: FleetReportOptions, context: CommandContext, work: Parameters<typeof eachTarget<R>>[3]): Promise<ReportedTarget<R>[]> {
  const targets = await fleetTargets(options, { file: options.file, given: options.fileGiven }, context);
  const manifests = await loadFleetManifests(targets);
  const outcomes = await eachTarget(targets, manifests, { parallel: options.parallel ?? DEFAULT_REPORT_PARALLEL, signal: context.signal }, work);
  return targets.map((target, i) => ({ name: target.name, server: target.server, outcome: outcomes[i]! }));
}

function trouble<R>(reported: readonly ReportedTarget<R>[]): string[] {
  const parts: string[] = [];
  if (counted(reported, 'failed') > 0) parts.push(`${counted(reported, 'failed')} failed`);
  if (counted(reported, 'unreachable') > 0) parts.push(`${counted(reported, 'unreachable')} unreachable`);
  return parts;
}

export async function runFleetStatus(options: FleetReportOptions & { readonly failOn: readonly StatusCategory[]; readonly exactBloat?: boolean }, context: CommandContext): Promise<number> {
  const unknown = options.failOn.filter((c) => !(c in FAIL_WORDS));
  if (unknown.length > 0) {
    throw new UserError(`--fail-on does not know ${unknown.map((c) => JSON.stringify(c)).join(', ')}.`, 'Use any of budget, invalid, redundant, unused, bloat, comma-separated.');
  }
  const reported = await run<StatusReport>(options, context, ({ connection, desired, manifestFile }) =>
    withSession(connection, async (session) => {
      const live = await readLiveState(session, desired.tables);
      const facts = await readStatusFacts(session, desired.tables);
      const bloat = await readBloat(session, desired.tables, { exact: options.exactBloat ?? false });
      return computeStatus({ ...desired, file: manifestFile }, live, { ...facts, bloat });
    }),
  );
  const totals: Record<StatusCategory, number> = { budget: 0, invalid: 0, redundant: 0, unused: 0, bloat: 0 };
  let withFindings = 0;
  let failing = 0;
  for (const { outcome } of reported) {
    if (outcome.kind !== 'done') continue;
    const present = categoriesPresent(outcome.value);
    if (present.length > 0) withFindings += 1;
    if (present.some(({ category }) => options.failOn.includes(category))) failing += 1;
    for (const { category, count } of present) totals[category] += count;
  }
  const healthy = counted(reported, 'done') - withFindings;
  const findings = (Object.keys(totals) as StatusCategory[]).filter((c) => totals[c] > 0).map((c) => FAIL_WORDS[c](totals[c]));
  const parts = [
    ...(healthy > 0 ? [`${healthy} healthy`] : []),
    ...(withFindings > 0 ? [`${withFindings} with findings (${findings.join(', ')})`] : []),
    ...trouble(reported),
  ];
  const closing = `${pluralise(reported.length, 'target')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  const summary = { targets: reported.length, healthy, withFindings, failed: counted(reported, 'failed'), unreachable: counted(reported, 'unreachable'), totals };
  writeReport(options, context, reported, closing, 'fleet-status', 'Index status', {
    text: (r) => renderStatusText(r, colorsFor(context, options)),
    markdown: renderStatusMarkdown,
    json: statusDocument,
    summary,
  });
  if (failing > 0) context.stderr.write(`status failed (--fail-on ${options.failOn.join(',')}) on ${pluralise(failing, 'target')}.\n`);
  return failing > 0 || counted(reported, 'done') < reported.length ? 1 : 0;
}

export async function runFleetCheck(options: FleetReportOptions & { readonly analyze?: boolean; readonly runs?: number }, context: CommandContext): Promise<number> {
  const analyze = options.analyze ?? false;
  const runs = options.runs ?? DEFAULT_CHECK_RUNS;
  const reported = await run<CheckReport>(options, context, async ({ target, connection, desired, manifestFile }) => {
    const schemaFirst = target.tenantSchema === undefined ? {} : { schemaFirst: target.tenantSchema };
    return (await runDeclaredChecks(connection, desired, { manifestFile, analyze, runs, signal: context.signal, ...schemaFirst })).report;
  });
  const passed = reported.filter((r) => r.outcome.kind === 'done' && checkPassed(r.outcome.value)).length;
  const notPassed = counted(reported, 'done') - passed;
  const parts = [...(passed > 0 ? [`${passed} passed`] : []), ...(notPassed > 0 ? [`${notPassed} with failing checks`] : []), ...trouble(reported)];
  const closing = `${pluralise(reported.length, 'target')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  const summary = { targets: reported.length, passed, failingChecks: notPassed, failed: counted(reported, 'failed'), unreachable: counted(reported, 'unreachable') };
  writeReport(options, context, reported, closing, 'fleet-check', 'Index checks', {
    text: (r) => renderCheckText(r, colorsFor(context, options)),
    markdown: renderCheckMarkdown,
    json: checkDocument,
    summary,
  });
  return passed === reported.length ? 0 : 1;
}

function writeReport<R>(
  options: FleetReportOptions,
  context: CommandContext,
  reported: readonly ReportedTarget<R>[],
  closing: string,
  kind: string,
  title: string,
  renderers: { text: (r: R) => string; markdown: (r: R) => string; json: (r: R) => unknown; summary: unknown },
): void {
  switch (options.format) {
    case 'text':
      context.stdout.write(renderFleetText(reported, renderers.text, closing, colorsFor(context, options)));
      return;
    case 'json':
      context.stdout.write(fleetJson(kind, reported, renderers.json, renderers.summary));
      return;
    case 'markdown':
      context.stdout.write(renderFleetMarkdown(reported, renderers.markdown, `${title} for ${pluralise(reported.length, 'target')}`, closing));
      return;
    default: {
      const never: never = options.format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}
