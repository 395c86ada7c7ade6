/* `reconcile status` as a pull-request comment or a report page: a markdown table per declared table. */
import { printableQualified, printableText } from '../core/printable.js';
import type { StatusReport } from '../core/status.js';
import { bloatNote, indexRows, scansNote, statusSummaryLine, tableHeadline } from './status-text.js';

function cell(text: string): string {
  return printableText(text).replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function renderStatusMarkdown(report: StatusReport): string {
  const lines = [
    `### Index status for ${code(report.manifestFile)}`,
    '',
    `**${statusSummaryLine(report)}**`,
    '',
    `PostgreSQL ${report.serverVersion}. ${scansNote(report)}`,
    '',
    bloatNote(),
    '',
  ];
  for (const table of report.tables) {
    const head = tableHeadline(table, report.budget);
    lines.push(`#### ${code(printableQualified(table.schema, table.name))}: ${cell(head.text)}${head.overBudget ? `, **${head.overBudget}**` : ''}`, '');
    const rows = table.exists ? indexRows(table) : [];
    if (rows.length === 0) {
      if (table.exists) lines.push('No indexes.', '');
      continue;
    }
    lines.push('| index | valid | size | ratio | bloat | scans | flags |', '|---|---|--:|--:|--:|--:|---|');
    for (const row of rows) {
      const flags = row.flags.map(({ flag, text }) => (flag === 'invalid' || flag === 'missing' ? `**${text}**` : text)).join(', ');
      lines.push(`| ${cell(code(row.name))} | ${row.valid} | ${row.size} | ${row.ratio} | ${row.bloat} | ${row.scans} | ${cell(flags)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
