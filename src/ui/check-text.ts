/* `reconcile check` for a person: per table, each declared query, whether its index is used, timings. */
import type { CheckReport, CheckResult, Timing } from '../core/explain.js';
import type { QueryParam } from '../core/model.js';
import type { Palette } from './color.js';
import { formatDuration } from './units.js';
import { oneLine } from '../core/text.js';

/** Query times are often well under a millisecond: keep two significant places. */
export function formatMs(ms: number): string {
  // Thresholds on the rounded value, so that 9.999 prints as 10.0ms, not 10.00ms.
  if (Number(ms.toFixed(2)) < 10) return `${ms.toFixed(2)}ms`;
  if (Number(ms.toFixed(1)) < 100) return `${ms.toFixed(1)}ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  return formatDuration(Math.round(ms));
}

/** A budget as the manifest would write it: `50ms`, `0.5ms`, `2s`. */
export function formatBudget(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export { oneLine };

/** A query's params as the manifest could write them: `[42, "live", null]`. */
export function paramsText(params: readonly QueryParam[]): string {
  return `[${params.map((value) => JSON.stringify(value)).join(', ')}]`;
}

export function passed(result: CheckResult): boolean {
  return result.error === undefined && result.usesIndex && !result.timing?.overBudget;
}

export function readsText(result: CheckResult): string {
  const scans = result.reads?.scans ?? [];
  return scans.length === 0 ? 'no table' : scans.join(', ');
}

/** What the verdict line says after the index name. */
export function verdictText(result: CheckResult): string {
  if (result.error) return `failed: ${result.error.message}${result.error.code ? ` (SQLSTATE ${result.error.code})` : ''}`;
  return result.usesIndex ? `uses it: ${readsText(result)}` : `not used; the plan reads ${readsText(result)}`;
}

export function timingText(timing: Timing): string {
  const measured = `p50 ${formatMs(timing.p50Ms)}, p95 ${formatMs(timing.p95Ms)} over ${timing.runs} run${timing.runs === 1 ? '' : 's'}`;
  if (timing.budgetMs === undefined) return `${measured}; no p95 budget`;
  return timing.overBudget ? `${measured}: over the ${formatBudget(timing.budgetMs)} budget` : `${measured}; budget ${formatBudget(timing.budgetMs)}`;
}

export function checkSummaryLine(report: CheckReport): string {
  const s = report.summary;
  if (s.queries === 0) return `No queries declared in ${report.manifestFile}: add queries: to an index to have check run them.`;
  const parts = [`${s.usingIndex} ${s.usingIndex === 1 ? 'uses its index' : 'use their index'}`, `${s.notUsingIndex} ${s.notUsingIndex === 1 ? 'does' : 'do'} not`];
  if (s.failed > 0) parts.push(`${s.failed} failed to run`);
  const budget = report.analyze ? `; ${s.overBudget} over budget` : '';
  return `${s.queries} quer${s.queries === 1 ? 'y' : 'ies'}: ${parts.join(', ')}${budget}.`;
}

export function checkHeadline(report: CheckReport): string {
  const how = report.analyze
    ? `run under EXPLAIN ANALYZE, ${report.runs} timed run${report.runs === 1 ? '' : 's'} each after one warm-up (planning + execution time on the server)`
    : 'run under EXPLAIN';
  const path = report.searchPath === undefined ? '' : ` with search_path ${report.searchPath}`;
  return `Queries declared in ${report.manifestFile}, ${how}${path}, read-only and rolled back.`;
}

export function renderCheckText(report: CheckReport, colors: Palette): string {
  const lines: string[] = [];
  if (report.results.length > 0) lines.push(colors.dim(checkHeadline(report)), '');
  let table: string | undefined;
  for (const result of report.results) {
    const name = `${result.check.schema}.${result.check.table}`;
    if (name !== table) {
      if (table !== undefined) lines.push('');
      lines.push(colors.bold(name));
      table = name;
    }
    const ok = passed(result);
    const verdict = verdictText(result);
    lines.push(`  ${ok ? colors.green(`✓ ${result.check.index}`) : colors.red(`✗ ${result.check.index}`)}  ${result.usesIndex ? verdict : colors.red(verdict)}`);
    lines.push(`      ${colors.dim(oneLine(result.check.sql))}`);
    if (result.check.params !== undefined) lines.push(`      ${colors.dim(`params ${paramsText(result.check.params)}`)}`);
    if (result.timing) lines.push(`      ${result.timing.overBudget ? colors.red(timingText(result.timing)) : timingText(result.timing)}`);
    for (const hint of result.hints) lines.push(`      ${colors.yellow(hint)}`);
    if (!ok) {
      const s = result.check.source;
      lines.push(`      ${colors.dim(`declared at ${s.file}:${s.line}:${s.column}`)}`);
    }
  }
  if (report.results.length > 0) lines.push('');
  lines.push(colors.bold(checkSummaryLine(report)));
  return `${lines.join('\n')}\n`;
}
