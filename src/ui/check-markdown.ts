/* `reconcile check` as a pull-request comment: the summary, then one row per declared query. */
import type { CheckReport } from '../core/explain.js';
import { checkHeadline, checkSummaryLine, formatBudget, formatMs, oneLine, paramsText, passed, readsText } from './check-text.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function renderCheckMarkdown(report: CheckReport): string {
  const lines = [`### Index check for ${code(report.manifestFile)}`, '', `**${checkSummaryLine(report)}**`, ''];
  if (report.results.length > 0) {
    lines.push(checkHeadline(report), '');
    const timed = report.analyze;
    lines.push(
      `| | table | index | query | uses index | plan reads${timed ? ' | p50 | p95 | budget' : ''} |`,
      `|---|---|---|---|---|---${timed ? '|--:|--:|--:' : ''}|`,
    );
    for (const r of report.results) {
      const uses = r.error ? `**failed:** ${r.error.message}` : r.usesIndex ? 'yes' : '**no**';
      const timing = timed
        ? r.timing
          ? ` | ${formatMs(r.timing.p50Ms)} | ${r.timing.overBudget ? `**${formatMs(r.timing.p95Ms)}**` : formatMs(r.timing.p95Ms)} | ${r.timing.budgetMs === undefined ? '-' : formatBudget(r.timing.budgetMs)}`
          : ' | - | - | -'
        : '';
      const params = r.check.params === undefined ? '' : ` params ${code(cell(paramsText(r.check.params)))}`;
      lines.push(
        `| ${passed(r) ? '✓' : '✗'} | ${code(`${r.check.schema}.${r.check.table}`)} | ${code(r.check.index)} | ${code(cell(oneLine(r.check.sql)))}${params} | ${cell(uses)} | ${cell(r.reads ? readsText(r) : '-')}${timing} |`,
      );
    }
    lines.push('');
    const hinted = report.results.filter((r) => r.hints.length > 0);
    for (const r of hinted) for (const hint of r.hints) lines.push(`- ${code(r.check.index)}: ${cell(hint)}`);
    if (hinted.length > 0) lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
