/* `check --analyze --baseline` as a pull-request comment: the summary, the guide's categories, then every query folded away. */
import type { Comparison } from '../core/check-comparison.js';
import { oneLine } from '../core/text.js';
import { formatBudget, formatMs, paramsText } from './check-text.js';
import { categoryName, categoryVerdict, comparisonHeadline, comparisonSummaryLine, formatChange, scansText, timeText } from './check-comparison-text.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function ms(value: number | null): string {
  return value === null ? '-' : formatMs(value);
}

export function renderComparisonMarkdown(comparison: Comparison): string {
  const lines = [`### Query timings before and after for ${code(comparison.after.manifest)}`, '', `**${comparisonSummaryLine(comparison)}**`, ''];
  if (comparison.queries.length === 0) return `${lines.join('\n').trimEnd()}\n`;
  lines.push(comparisonHeadline(comparison), '');
  lines.push(
    '| category | queries | faster | slower | median change | slowest p95 before | slowest p95 now | |',
    '|---|--:|--:|--:|--:|--:|--:|---|',
  );
  for (const c of comparison.categories) {
    const median = c.medianChange === null ? '-' : formatChange(c.medianChange);
    lines.push(`| ${categoryName(c)} | ${c.queries} | ${c.faster} | ${c.slower} | ${median} | ${ms(c.worstBeforeMs)} | ${ms(c.worstAfterMs)} | ${categoryVerdict(c)} |`);
  }
  lines.push('', `<details><summary>Every query (${comparison.queries.length})</summary>`, '');
  lines.push('| | table | index | query | p95 before | p95 now | change | budget | plan now |', '|---|---|---|---|--:|--:|--:|--:|---|');
  for (const q of comparison.queries) {
    const params = q.after.params === null ? '' : ` params ${code(cell(paramsText(q.after.params)))}`;
    const budget = q.after.budgetMs === null ? '-' : q.budget === 'over' ? `**over ${formatBudget(q.after.budgetMs)}**` : formatBudget(q.after.budgetMs);
    const change = q.change === undefined ? '-' : formatChange(q.change);
    const plan = q.after.error ? `**failed:** ${q.after.error.message}` : q.after.usesIndex ? scansText(q.after.planScans) : `**not using the index:** ${scansText(q.after.planScans)}`;
    lines.push(
      `| ${q.passed ? '✓' : '✗'} | ${code(`${q.after.table.schema}.${q.after.table.name}`)} | ${code(q.after.index)} | ${code(cell(oneLine(q.after.sql)))}${params} | ${timeText(q.before)} | ${timeText(q.after)} | ${change} | ${budget} | ${cell(plan)} |`,
    );
  }
  lines.push('', '</details>');
  return `${lines.join('\n')}\n`;
}
