/* The plan as a reviewer reads it: Terraform's habits, one block per table. */
import { diffLines } from 'diff';
import { assertNever, hasChanges, summarise, type Action, type ActionKind, type BuildCost, type PlanSummary, type ReindexFigures } from '../core/actions.js';
import type { PlanDocument } from '../core/plan-document.js';
import { printableName, printableQualified, printableSql, printableText } from '../core/printable.js';
import type { Palette } from './color.js';
import { formatBytes, formatCount } from './units.js';

export const SYMBOLS: Readonly<Record<ActionKind, string>> = {
  create: '+',
  replace: '~',
  rename: '→',
  rebuild: '!',
  reindex: '↻',
  drop: '-',
  comment: '#',
  skip: '·',
};

const LEGEND: Readonly<Record<ActionKind, string>> = {
  create: 'create',
  replace: 'replace',
  rename: 'rename',
  rebuild: 'rebuild invalid',
  reindex: 'reindex bloated',
  drop: 'drop',
  comment: 'comment',
  skip: 'skip',
};

const LEGEND_ORDER: readonly ActionKind[] = ['create', 'replace', 'rename', 'rebuild', 'reindex', 'drop', 'comment', 'skip'];

/** `bloat 62 %, 1.3 GB → ~0.5 GB (estimated from statistics); needs ~0.5 GB free for the new copy while it builds`. */
export function reindexText(bloat: ReindexFigures): string {
  const method = bloat.method === 'measured' ? 'measured with pgstattuple' : 'estimated from statistics';
  const how = bloat.caveat === undefined ? method : `${method}, may read low: ${bloat.caveat}`;
  const percent = Math.round(bloat.ratio * 100);
  return (
    `bloat ${percent} %, ${formatBytes(bloat.sizeBytes)} → ~${formatBytes(bloat.expectedBytes)} (${how}); ` +
    `needs ~${formatBytes(bloat.roomBytes)} free for the new copy while it builds`
  );
}

export function costText(cost: BuildCost): string {
  const rows = cost.estimatedRows === undefined ? 'rows unknown: never analyzed' : `~${formatCount(cost.estimatedRows)} rows`;
  // Citus: the size and rows are the shards', which is where the build runs.
  const spread =
    cost.shards === undefined
      ? ''
      : ` in ${formatCount(cost.shards)} shard${cost.shards === 1 ? '' : 's'}${cost.nodes === undefined ? '' : ` on ${formatCount(cost.nodes)} node${cost.nodes === 1 ? '' : 's'}`}`;
  return `builds over ${formatBytes(cost.tableBytes)}${spread}, ${rows}`;
}

/** Puts each clause of a definition on its own line, so that a line diff points at what changed. */
export function definitionLines(definition: string): string {
  return definition.replace(/ (?=USING |INCLUDE \(|NULLS NOT DISTINCT|WITH \(|WHERE )/g, '\n    ');
}

function definitionDiff(oldDefinition: string, newDefinition: string, colors: Palette): string[] {
  const lines: string[] = [];
  const before = definitionLines(printableSql(oldDefinition));
  const after = definitionLines(printableSql(newDefinition));
  for (const part of diffLines(`${before}\n`, `${after}\n`)) {
    const prefix = part.added ? '+ ' : part.removed ? '- ' : '  ';
    const paint = part.added ? colors.green : part.removed ? colors.red : colors.dim;
    for (const line of part.value.replace(/\n$/, '').split('\n')) lines.push(`      ${paint(`${prefix}${line}`)}`);
  }
  return lines;
}

/** A comment as printed: JSON quotes and escapes, and whatever JSON leaves raw (C1, separators, bidi) escaped too. */
function commentText(comment: string | undefined): string {
  return comment === undefined ? 'none' : printableText(JSON.stringify(comment));
}

function actionLines(action: Action, colors: Palette): string[] {
  const symbol = SYMBOLS[action.kind];
  // Names and definitions come from the database too: printed so that none can break or forge a line.
  const index = printableName(action.index);
  const reason = printableText(action.reason);
  switch (action.kind) {
    case 'create':
      return [
        `  ${colors.green(`${symbol} ${index}`)}  ${colors.dim(costText(action.cost))}`,
        `      ${printableSql(action.steps[0]?.sql[0] ?? action.definition)}`,
      ];
    case 'replace':
      return [
        `  ${colors.yellow(`${symbol} ${index}`)}  ${colors.dim(`${reason}; ${costText(action.cost)}`)}`,
        ...definitionDiff(action.oldDefinition, action.newDefinition, colors),
      ];
    case 'rename':
      return [`  ${colors.cyan(`${symbol} ${index}`)}  ${colors.dim(`renamed from ${printableName(action.from)}: ${reason}`)}`];
    case 'rebuild':
      return [
        `  ${colors.magenta(`${symbol} ${index}`)}  ${colors.dim(`${reason}; ${costText(action.cost)}`)}`,
        `      ${printableSql(action.definition)}`,
      ];
    case 'reindex':
      return [
        `  ${colors.magenta(`${symbol} ${index}`)}  ${colors.dim(reindexText(action.bloat))}`,
        ...action.steps.flatMap((step) => step.sql.map((sql) => `      ${printableSql(sql)}`)),
      ];
    case 'drop':
      return [
        `  ${colors.red(`${symbol} ${index}`)}  ${colors.dim(reason)}`,
        ...(action.locking ? [`      ${colors.yellow('takes an ACCESS EXCLUSIVE lock on the table while it runs')}`] : []),
      ];
    case 'comment':
      return [`  ${colors.cyan(`${symbol} ${index}`)}  ${colors.dim(`comment: ${commentText(action.from)} → ${commentText(action.to)}`)}`];
    case 'skip':
      return [`  ${colors.dim(`${symbol} ${index}  ${reason}`)}`];
    default:
      return assertNever(action, 'action');
  }
}

/** What the plan does, in the closing line's words and order. */
const COUNT_WORDS: readonly (readonly [keyof PlanSummary, string])[] = [
  ['create', 'to create'],
  ['replace', 'to replace'],
  ['rename', 'to rename'],
  ['rebuild', 'to rebuild'],
  ['reindex', 'to reindex'],
  ['drop', 'to drop'],
  ['comment', 'to comment'],
  ['skip', 'skipped'],
];

/** `3 to create, 1 to drop` (skips counted unless `skips` is false). */
export function countsText(summary: PlanSummary, skips = true): string {
  return COUNT_WORDS.filter(([kind]) => (skips || kind !== 'skip') && summary[kind] > 0)
    .map(([kind, words]) => `${summary[kind]} ${words}`)
    .join(', ');
}

export function summaryLine(summary: PlanSummary, manifestName: string, changes: boolean): string {
  if (!changes) {
    const skipped = summary.skip > 0 ? ` ${summary.skip} index${summary.skip === 1 ? ' is' : 'es are'} being built by another session and left alone.` : '';
    return summary.skip > 0 ? `No changes to make now.${skipped}` : `No changes. The indexes match ${manifestName}.`;
  }
  return `Plan: ${countsText(summary)}.`;
}

export function renderPlanText(plan: PlanDocument, colors: Palette): string {
  const lines: string[] = [];
  for (const warning of plan.warnings) lines.push(colors.yellow(`Warning: ${printableText(warning)}`), '');
  const kinds = new Set(plan.actions.map((action) => action.kind));
  if (kinds.size > 0) {
    lines.push(colors.dim(`Symbols: ${LEGEND_ORDER.filter((k) => kinds.has(k)).map((k) => `${SYMBOLS[k]} ${LEGEND[k]}`).join('  ')}`), '');
  }
  const tables = new Map<string, Action[]>();
  for (const action of plan.actions) {
    const key = JSON.stringify([action.table.schema, action.table.name]);
    tables.set(key, [...(tables.get(key) ?? []), action]);
  }
  for (const actions of tables.values()) {
    const table = (actions[0] as Action).table;
    lines.push(colors.bold(printableQualified(table.schema, table.name)));
    for (const action of actions) lines.push(...actionLines(action, colors));
    lines.push('');
  }
  if (plan.unmanaged.length > 0) {
    lines.push(colors.dim(`Unmanaged: ${plan.unmanaged.length} index${plan.unmanaged.length === 1 ? '' : 'es'} not in ${plan.manifest.file}, kept (prune is off):`));
    for (const index of plan.unmanaged) {
      lines.push(colors.dim(`  ${printableQualified(index.table.schema, index.table.name)}  ${printableName(index.index)}`));
    }
    lines.push('');
  }
  lines.push(colors.bold(summaryLine(summarise(plan.actions), plan.manifest.file, hasChanges(plan.actions))));
  return `${lines.join('\n')}\n`;
}
