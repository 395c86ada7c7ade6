/* `reconcile status` for a person: one aligned table of indexes per declared table, a closing line. */
import { assertNever } from '../core/actions.js';
import type { IndexBloat } from '../core/bloat.js';
import type { IndexFlag, IndexStatus, StatusReport, TableStatus } from '../core/status.js';
import { printableName, printableQualified, printableText } from '../core/printable.js';
import type { Palette } from './color.js';
import { formatBytes, formatCount, pluralise } from './units.js';
import { CONSTRAINT_WORDS } from '../core/policy.js';


export function percent(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `${(ratio * 100).toFixed(1)}%`;
}

/** A budget as written: 0.2 → `20%`, 0.125 → `12.5%`. */
export function budgetPercent(budget: number): string {
  return `${Number((budget * 100).toFixed(2))}%`;
}

export function flagText(index: IndexStatus, flag: IndexFlag): string {
  switch (flag) {
    case 'invalid':
      return 'invalid';
    case 'bloated': {
      const b = index.bloat;
      const sizes = b && b.kind !== 'unknown' ? `: ${formatBytes(b.sizeBytes)} → ~${formatBytes(b.expectedBytes)}` : '';
      return `bloated${sizes}, reconcile apply reindexes it`;
    }
    case 'building':
      return index.build ? `being built by pid ${index.build.pid} (${printableText(index.build.phase)})` : 'being built';
    case 'redundant':
      return `redundant: ${index.redundantTo === undefined ? '?' : printableName(index.redundantTo)} covers it`;
    case 'unused':
      return 'unused';
    case 'unmanaged':
      return 'unmanaged';
    case 'constraint': {
      const c = index.constraint;
      if (!c) return 'constraint';
      return c.name === index.name ? `constraint (${CONSTRAINT_WORDS[c.type]})` : `constraint ${printableName(c.name)} (${CONSTRAINT_WORDS[c.type]})`;
    }
    default:
      return assertNever(flag, 'flag');
  }
}

function paintFlag(flag: IndexFlag, text: string, colors: Palette): string {
  switch (flag) {
    case 'invalid':
      return colors.red(text);
    case 'redundant':
    case 'unused':
    case 'bloated':
      return colors.yellow(text);
    case 'building':
      return colors.cyan(text);
    case 'unmanaged':
    case 'constraint':
      return colors.dim(text);
    default:
      return assertNever(flag, 'flag');
  }
}

/** What the table line says after the table's name. */
export function tableHeadline(table: TableStatus, budget: number | undefined): { readonly text: string; readonly overBudget: string } {
  if (!table.exists) return { text: `does not exist (${pluralise(table.missing.length, 'declared index', 'declared indexes')})`, overBudget: '' };
  const kind = table.kind === 'matview' ? 'materialized view' : table.kind === 'partitioned' ? 'partitioned table' : 'table';
  const share = table.ratio === undefined ? '' : ` = ${percent(table.ratio)} of the ${kind}`;
  const limit = budget === undefined ? '' : ` (budget ${budgetPercent(budget)})`;
  return {
    text: `${kind} ${formatBytes(table.sizeBytes)}, indexes ${formatBytes(table.indexBytes)}${share}${limit}`,
    overBudget: table.overBudget ? 'over budget' : '',
  };
}

/** `~79.8%` estimated, `~9.7%?` estimated without what it could not model, `79.8%` measured, `-` when there is no figure. */
export function bloatCell(bloat: IndexBloat | undefined): string {
  if (bloat === undefined || bloat.kind === 'unknown') return '-';
  return `${bloat.kind === 'estimated' ? '~' : ''}${percent(bloat.ratio)}${bloat.caveat === undefined ? '' : '?'}`;
}

/** The note every output carries: how bloat was had, and for which methods. */
export function bloatNote(): string {
  return (
    'Bloat: ~ estimated from statistics (btree only; equal keys that a build deduplicates are counted from pg_stats distinct counts; ' +
    '? where deduplication could not be modelled, and the figure may read low); ' +
    '--exact-bloat measures btree, hash and gist indexes with pgstattuple, reading each whole; other methods are not measured.'
  );
}

/** The note every output carries: what idx_scan counts, and since when. */
export function scansNote(report: StatusReport): string {
  const since = report.statsReset === undefined ? 'never reset' : `last reset ${report.statsReset}`;
  return `Scans are counted by this server since its statistics were ${since}; a replica counts its own, so check it before dropping an index unused here.`;
}

export function statusSummaryLine(report: StatusReport): string {
  const s = report.summary;
  const parts = [`${s.invalid} invalid`, `${s.redundant} redundant`, `${s.unused} unused`];
  if (s.building > 0) parts.push(`${s.building} being built`);
  if (s.bloated > 0) parts.push(`${s.bloated} bloated`);
  if (report.budget !== undefined) parts.push(`${pluralise(s.tablesOverBudget, 'table')} over the ${budgetPercent(report.budget)} budget`);
  let line = `${pluralise(s.tables, 'table')}, ${pluralise(s.indexes, 'index', 'indexes')}: ${parts.join(', ')}.`;
  const missing: string[] = [];
  if (s.missingTables > 0) missing.push(`${pluralise(s.missingTables, 'declared table')} ${s.missingTables === 1 ? 'does' : 'do'} not exist`);
  if (s.missingIndexes > 0) missing.push(`${pluralise(s.missingIndexes, 'declared index', 'declared indexes')} ${s.missingIndexes === 1 ? 'is' : 'are'} missing`);
  if (missing.length > 0) line += ` ${capitalise(missing.join(' and '))}: see reconcile plan.`;
  return line;
}


function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface IndexRow {
  /** Printable: a name with a line break or other control character is shown escaped. */
  readonly name: string;
  readonly valid: string;
  readonly size: string;
  readonly ratio: string;
  readonly bloat: string;
  readonly scans: string;
  /** Each flag's text with its flag, for colouring. */
  readonly flags: readonly { readonly flag: IndexFlag | 'missing'; readonly text: string }[];
}

export function indexRows(table: TableStatus): IndexRow[] {
  const rows: IndexRow[] = table.indexes.map((index) => ({
    name: printableName(index.name),
    valid: index.valid ? 'yes' : 'no',
    size: formatBytes(index.sizeBytes),
    ratio: percent(index.ratio),
    bloat: bloatCell(index.bloat),
    scans: formatCount(index.scans),
    flags: index.flags.map((flag) => ({ flag, text: flagText(index, flag) })),
  }));
  for (const name of table.missing) {
    rows.push({ name: printableName(name), valid: '-', size: '-', ratio: '-', bloat: '-', scans: '-', flags: [{ flag: 'missing', text: 'missing: reconcile apply creates it' }] });
  }
  return rows;
}

const HEADINGS = { name: 'index', valid: 'valid', size: 'size', ratio: 'ratio', bloat: 'bloat', scans: 'scans', flags: 'flags' } as const;

export function renderStatusText(report: StatusReport, colors: Palette): string {
  const lines: string[] = [
    colors.bold(`Index status of ${report.manifestFile} on PostgreSQL ${report.serverVersion}`),
    colors.dim(scansNote(report)),
    colors.dim(bloatNote()),
    '',
  ];
  for (const table of report.tables) {
    const head = tableHeadline(table, report.budget);
    const name = colors.bold(printableQualified(table.schema, table.name));
    const over = head.overBudget ? `: ${colors.red(head.overBudget)}` : '';
    lines.push(`${name}  ${table.exists ? head.text : colors.red(head.text)}${over}`);
    const rows = table.exists ? indexRows(table) : [];
    if (rows.length === 0) {
      if (table.exists) lines.push(colors.dim('  no indexes'));
      lines.push('');
      continue;
    }
    const width = (pick: (row: IndexRow | typeof HEADINGS) => string): number => Math.max(...[HEADINGS, ...rows].map((r) => pick(r).length));
    const w = {
      name: width((r) => r.name),
      valid: width((r) => r.valid),
      size: width((r) => r.size),
      ratio: width((r) => r.ratio),
      bloat: width((r) => r.bloat),
      scans: width((r) => r.scans),
    };
    const line = (cells: { name: string; valid: string; size: string; ratio: string; bloat: string; scans: string }, flags: string): string =>
      `  ${cells.name.padEnd(w.name)}  ${cells.valid.padEnd(w.valid)}  ${cells.size.padStart(w.size)}  ${cells.ratio.padStart(w.ratio)}  ${cells.bloat.padStart(w.bloat)}  ${cells.scans.padStart(w.scans)}  ${flags}`.trimEnd();
    lines.push(colors.dim(line(HEADINGS, HEADINGS.flags)));
    for (const row of rows) {
      const flags = row.flags
        .map(({ flag, text }) => (flag === 'missing' ? colors.magenta(text) : paintFlag(flag, text, colors)))
        .join(', ');
      lines.push(line(row, flags));
    }
    lines.push('');
  }
  lines.push(colors.bold(statusSummaryLine(report)));
  return `${lines.join('\n')}\n`;
}
