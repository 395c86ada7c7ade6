/* `check --analyze --baseline` for a person: per table, each query's p95 before and now, then the guide's categories. */
import type { CategoryComparison, Comparison, QueryComparison } from '../core/check-comparison.js';
import { oneLine, pluralise } from '../core/text.js';
import type { Palette } from './color.js';
import { formatBudget, formatMs, paramsText } from './check-text.js';

/**
 * A change as a signed whole percentage: `-95%`, `+12%`, `0%`. Past -99 % one decimal, cut rather than
 * rounded, so that 148 ms → 0.1 ms reads -99.9 %, never -100 % (which would mean no time at all).
 */
export function formatChange(change: number): string {
  if (change < -0.99 && change > -1) return `${(Math.trunc(change * 1000) / 10).toFixed(1)}%`;
  const percent = Math.round(change * 100);
  return `${percent > 0 ? '+' : ''}${percent}%`;
}

/** An ISO timestamp as `2026-12-03 15:36 UTC`. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function comparisonHeadline(comparison: Comparison): string {
  const { before, after } = comparison;
  const label = comparison.baselineFile === undefined ? 'before the apply' : comparison.baselineFile;
  const runs = (n: number): string => `${pluralise(n, 'timed run')} each`;
  return (
    `p95 of each query declared in ${after.manifest}: before (${label}, ${formatWhen(before.createdAt)}, ${runs(before.runs)}) ` +
    `and now (${runs(after.runs)}); planning + execution time on the server.`
  );
}

export function timeText(query: { readonly p95Ms: number | null; readonly error: { readonly message: string } | null }): string {
  if (query.error) return 'failed';
  return query.p95Ms === null ? '-' : formatMs(query.p95Ms);
}

export function changeText(q: QueryComparison): string {
  if (q.change === undefined || q.trend === undefined) return '';
  return q.trend === 'same' ? `${formatChange(q.change)}, about the same` : `${formatChange(q.change)}, ${q.trend}`;
}

export function budgetText(q: QueryComparison): string {
  const category = q.after.category === null ? '' : ` (${q.after.category})`;
  if (q.after.budgetMs === null) return `no p95 budget${category}`;
  return `${q.budget === 'over' ? 'over the' : 'within'} ${formatBudget(q.after.budgetMs)} budget${category}`;
}

export function scansText(scans: readonly string[] | null): string {
  if (scans === null) return '-';
  return scans.length === 0 ? 'no table' : scans.join(', ');
}

function queryLines(q: QueryComparison, colors: Palette): string[] {
  const mark = q.passed ? colors.green(`✓ ${q.after.index}`) : colors.red(`✗ ${q.after.index}`);
  const change = changeText(q);
  const times = `p95 ${timeText(q.before)} → ${timeText(q.after)}${change ? ` (${change})` : ''}`;
  const budget = budgetText(q);
  const lines = [`  ${mark}  ${q.trend === 'slower' ? colors.yellow(times) : times}  ${q.budget === 'over' ? colors.red(budget) : budget}`];
  lines.push(`      ${colors.dim(oneLine(q.after.sql))}`);
  if (q.after.params !== null) lines.push(`      ${colors.dim(`params ${paramsText(q.after.params)}`)}`);
  const before = scansText(q.before.planScans);
  const now = scansText(q.after.planScans);
  if (q.before.planShape === q.after.planShape) lines.push(`      plan: ${now} (unchanged)`);
  else lines.push(`      plan before: ${before}`, `      plan now:    ${now}`);
  if (q.before.error) lines.push(`      ${colors.yellow(`failed before: ${q.before.error.message}`)}`);
  if (q.after.error) lines.push(`      ${colors.red(`failed now: ${q.after.error.message}`)}`);
  else if (!q.after.usesIndex) lines.push(`      ${colors.red(`does not use ${q.after.index} now`)}`);
  return lines;
}

/** Cells padded into columns; `right` lists the columns aligned right (numbers). */
export function columns(rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
        return right.has(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

export function categoryName(category: CategoryComparison): string {
  return category.category ?? 'no category';
}

export function categoryVerdict(category: CategoryComparison): string {
  if (category.budgetMs === null) return 'no budget';
  if (category.withinBudget === null) return `budget ${formatBudget(category.budgetMs)}, not measured`;
  return category.withinBudget ? `✓ under ${formatBudget(category.budgetMs)}` : `✗ over ${formatBudget(category.budgetMs)}`;
}

function categoryRows(categories: readonly CategoryComparison[]): string[] {
  const rows = categories.map((c) => [
    categoryName(c),
    pluralise(c.queries, 'query', 'queries'),
    `${c.faster} faster, ${c.slower} slower, ${c.same} about the same${c.unmeasured > 0 ? `, ${c.unmeasured} not measured` : ''}`,
    c.medianChange === null ? '' : `median ${formatChange(c.medianChange)}`,
    `slowest p95 ${c.worstBeforeMs === null ? '-' : formatMs(c.worstBeforeMs)} → ${c.worstAfterMs === null ? '-' : formatMs(c.worstAfterMs)}`,
    categoryVerdict(c),
  ]);
  return columns(rows, new Set([1])).map((line) => `  ${line}`);
}

export function comparisonSummaryLine(comparison: Comparison): string {
  const s = comparison.summary;
  if (s.queries === 0) return `No queries declared in ${comparison.after.manifest}: add queries: to an index to have check time them.`;
  const trends = [`${s.faster} faster`, `${s.slower} slower`, `${s.same} about the same`];
  if (s.unmeasured > 0) trends.push(`${s.unmeasured} not measured on both sides`);
  const now = [`${s.usingIndex} ${s.usingIndex === 1 ? 'uses its index' : 'use their index'} now`, `${s.overBudget} over budget`];
  if (s.failed > 0) now.push(`${s.failed} failed to run`);
  return `${pluralise(s.queries, 'query', 'queries')}: ${trends.join(', ')}; ${now.join(', ')}.`;
}

export function renderComparisonText(comparison: Comparison, colors: Palette): string {
  const lines: string[] = [];
  if (comparison.queries.length > 0) lines.push(colors.dim(comparisonHeadline(comparison)), '');
  let table: string | undefined;
  for (const q of comparison.queries) {
    const name = `${q.after.table.schema}.${q.after.table.name}`;
    if (name !== table) {
      if (table !== undefined) lines.push('');
      lines.push(colors.bold(name));
      table = name;
    }
    lines.push(...queryLines(q, colors));
  }
  if (comparison.categories.length > 0) {
    lines.push('', colors.bold("By the deployment guide's categories (the slowest p95 now against the category's budget):"), ...categoryRows(comparison.categories));
  }
  if (comparison.queries.length > 0) lines.push('');
  lines.push(colors.bold(comparisonSummaryLine(comparison)));
  return `${lines.join('\n')}\n`;
}
