/*
 * The words every apply renderer prints the same way: what a step is doing, a table's name, the closing
 * summary, what a failed action left behind, and the check after the last action.
 */
import type { StepKind, TableRef } from '../core/actions.js';
import type { SummaryEvent } from './apply-state.js';
import { printableQualified, printableText } from '../core/printable.js';
import { formatDuration } from './units.js';
import { pluralise as plural } from '../core/text.js';

/** What a step is doing before (or instead of) progress reports from pg_stat_progress_create_index. */
export function stepPhase(kind: StepKind, partition?: TableRef): string {
  const on = partition === undefined ? '' : ` ${qualified(partition)}`;
  switch (kind) {
    case 'build':
      return `starting build${on === '' ? '' : ` on${on}`}`;
    case 'build-parent':
      return 'creating the parent index (ON ONLY)';
    case 'attach':
      return `attaching${on}`;
    case 'drop':
      return 'dropping concurrently';
    case 'drop-locking':
      return 'dropping (locks the table)';
    case 'rename':
      return 'renaming';
    case 'swap':
      return 'swapping names';
    case 'comment':
      return 'setting the comment';
    case 'analyze':
      return 'analyzing the table';
    case 'reindex':
      return `starting reindex${on === '' ? '' : ` on${on}`}`;
    default: {
      const unhandled: never = kind;
      return String(unhandled);
    }
  }
}

/** `schema.table` as printed: a name with a line break or other control character escaped. */
export function qualified(table: TableRef): string {
  return printableQualified(table.schema, table.name);
}

/** The closing line every renderer prints: `Applied 5 actions in 12.3s: 4 done, 1 failed.` */
export function summaryText(summary: Omit<SummaryEvent, 'type' | 'at'>): string {
  const total = summary.done + summary.failed + summary.skipped + summary.cancelled;
  const parts = [`${summary.done} done`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped`);
  if (summary.cancelled > 0) parts.push(`${summary.cancelled} cancelled`);
  const head = summary.interrupted ? `Interrupted after ${formatDuration(summary.durationMs)}` : `Applied ${plural(total, 'action')} in ${formatDuration(summary.durationMs)}`;
  return `${head}: ${parts.join(', ')}.`;
}

/** What the run left in the database, for a failed or cancelled action. */
export function cleanupText(cleanedUp: readonly string[], leftBehind: readonly string[]): string[] {
  const lines: string[] = [];
  if (cleanedUp.length > 0) lines.push(`dropped ${printableText(cleanedUp.join(', '))} again`);
  if (leftBehind.length > 0) lines.push(`left behind ${printableText(leftBehind.join(', '))}, invalid: the next plan drops ${leftBehind.length === 1 ? 'it' : 'them'}`);
  return lines;
}

export function verifiedText(verified: { readonly inSync: boolean; readonly differences: readonly string[] }): string {
  if (verified.inSync) return 'In sync: the database matches the manifest.';
  return `Not in sync after apply: ${verified.differences.length === 0 ? 'the catalog differs from the manifest' : printableText(verified.differences.join('; '))}.`;
}
