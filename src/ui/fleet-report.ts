/*
 * status and check across a fleet: each target's own report under its name (the single-database
 * renderers, unchanged), the targets that could not be reached or failed, and a closing line of fleet
 * totals.
 */
import { printableName, printableText } from '../core/printable.js';
import type { TargetOutcome } from '../io/fleet/each-target.js';
import type { Palette } from './color.js';

export interface ReportedTarget<R> {
  readonly name: string;
  readonly server: string;
  readonly outcome: TargetOutcome<R>;
}

function indent(text: string): string[] {
  return text.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `  ${line}`));
}

export function renderFleetText<R>(targets: readonly ReportedTarget<R>[], render: (value: R) => string, closing: string, colors: Palette): string {
  const lines: string[] = [];
  for (const { name, outcome } of targets) {
    lines.push(colors.bold(`== ${printableName(name)}`));
    switch (outcome.kind) {
      case 'done':
        lines.push(...indent(render(outcome.value)));
        break;
      case 'unreachable':
      case 'failed':
        lines.push(`  ${colors.red(outcome.kind)}: ${printableText(outcome.error)}`);
        break;
      default: {
        const never: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
    lines.push('');
  }
  lines.push(colors.bold(closing));
  return `${lines.join('\n')}\n`;
}

export function renderFleetMarkdown<R>(targets: readonly ReportedTarget<R>[], render: (value: R) => string, title: string, closing: string): string {
  const lines = [`### ${title}`, '', `**${printableText(closing).replace(/</g, '&lt;')}**`, ''];
  for (const { name, outcome } of targets) {
    lines.push(`<details><summary><code>${printableName(name).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>: ${outcome.kind === 'done' ? 'report' : outcome.kind}</summary>`, '');
    lines.push(outcome.kind === 'done' ? render(outcome.value).trimEnd() : printableText(outcome.error).replace(/</g, '&lt;'), '', '</details>', '');
  }
  return `${lines.join('\n')}`;
}

export function fleetJson<R>(kind: string, targets: readonly ReportedTarget<R>[], document: (value: R) => unknown, summary: unknown): string {
  return `${JSON.stringify(
    {
      formatVersion: 1,
      kind,
      summary,
      targets: targets.map(({ name, server, outcome }) => ({
        name,
        server,
        state: outcome.kind === 'done' ? 'done' : outcome.kind,
        ...(outcome.kind === 'done' ? { report: document(outcome.value) } : { error: outcome.error }),
      })),
    },
    null,
    2,
  )}\n`;
}
