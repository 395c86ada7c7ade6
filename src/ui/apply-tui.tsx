/*
 * The live apply screen (Ink). Components take props only: the view model from apply-state.ts, the
 * time, the terminal width and the palette. Finished rows go to <Static> (printed once, they scroll
 * away like a log); below them the live part: overall progress, running actions with their phase,
 * bar, lock waits and partitions, the next pending ones, and the summary last.
 *
 * Every line is laid out and truncated here, to the width given, before it is coloured, so a narrow
 * terminal gets shorter lines rather than wrapped garbage. Only database errors wrap, indented.
 */
import { Box, Static, Text } from 'ink';
import { actionElapsed, actionTimeLeft, overallProgress } from './apply-measures.js';
import { cleanupText, qualified, summaryText, verifiedText } from './apply-words.js';
import {
  type ActionView,
  type ApplyView,
  type PartitionView,
  type WaitView,
} from './apply-state.js';
import { printableName, printableText } from '../core/printable.js';
import { blockerText, oneLine, percent } from './apply-plain.js';
import type { Palette } from './color.js';
import { kindColor, STATE_SYMBOLS, stateColor } from './apply-colors.js';
import { bar, fit, layout, length, spread, text, type Segment } from './tui-layout.js';
import { SYMBOLS } from './plan-text.js';
import { shardLines } from './citus-lines.js';
import { formatDuration } from './units.js';
import { pluralise as plural } from '../core/text.js';

/** Below this width a running row puts its phase on a line of its own. */
export const NARROW_COLUMNS = 60;
const INDENT = '    ';
const MAX_BLOCKERS = 3;
const MAX_PARTITION_ROWS = 6;

function Line({ children }: { readonly children: string }) {
  return <Text wrap="truncate-end">{children}</Text>;
}

function identity(a: ActionView, columns: number, colors: Palette): Segment[] {
  const word = columns >= NARROW_COLUMNS ? ` ${a.state.padEnd(9)}` : '';
  const quiet = a.state === 'pending' || a.state === 'skipped';
  return [
    text(`${STATE_SYMBOLS[a.state]}${word} `, stateColor(a.state, colors)),
    text(`${SYMBOLS[a.action.kind]} `, kindColor(a.action.kind, colors)),
    text(`${qualified(a.action.table)} ${printableName(a.action.index)}`, quiet ? colors.dim : colors.bold),
  ];
}

/** PostgreSQL's detail and hint may run over lines; a name inside them must not drive the terminal. */
function printableLines(text: string): string {
  return text.split('\n').map(printableText).join('\n');
}

function Lines({ lines, columns }: { readonly lines: readonly string[]; readonly columns: number }) {
  return (
    <Box flexDirection="column" width={columns}>
      {lines.map((line, i) => (
        <Line key={i}>{line}</Line>
      ))}
    </Box>
  );
}

export interface HeaderProps {
  readonly view: ApplyView;
  readonly now: number;
  readonly columns: number;
  readonly colors: Palette;
}

/** Overall progress: a bar over all actions, how many finished, failures so far, time since start. */
export function Header({ view, now, columns, colors }: HeaderProps) {
  const progress = overallProgress(view, now);
  const label = columns >= NARROW_COLUMNS ? 'Overall ' : '';
  const counts = `${progress.finished}/${progress.total} finished`;
  const failed = progress.failed > 0 ? `, ${progress.failed} failed` : '';
  const elapsed = formatDuration(progress.elapsedMs);
  const barWidth = Math.max(5, Math.min(40, columns - length(label) - 1 - length(counts) - length(failed) - 2 - length(elapsed)));
  const lines = [
    layout(
      [text(label, colors.bold), bar(progress.fraction, barWidth), text(` ${counts}`, colors.bold), text(failed, colors.red), text(`  ${elapsed}`, colors.dim)],
      columns,
      colors,
    ),
  ];
  for (const notice of view.notices ?? []) lines.push(layout([text(printableText(notice), colors.yellow)], columns, colors));
  if (view.interrupt !== undefined) {
    lines.push(layout([text(`Interrupted (${view.interrupt.signal}): starting nothing new, cancelling running builds…`, colors.yellow)], columns, colors));
  }
  return <Lines lines={lines} columns={columns} />;
}

function waitLines(wait: WaitView, now: number, columns: number, colors: Palette): string[] {
  const line = (value: string) => layout([text(value, colors.yellow)], columns, colors);
  const lines = [line(`${INDENT}waiting ${formatDuration(Math.max(0, now - wait.since))} for ${wait.what}`)];
  for (const blocker of wait.blockers.slice(0, MAX_BLOCKERS)) lines.push(line(`${INDENT}  blocked by ${blockerText(blocker, columns)}`));
  if (wait.blockers.length > MAX_BLOCKERS) lines.push(line(`${INDENT}  … and ${wait.blockers.length - MAX_BLOCKERS} more`));
  return lines;
}

function partitionLines(partitions: readonly PartitionView[], columns: number, colors: Palette): string[] {
  // Many partitions: the earliest fold into one line, the latest (the running one among them) stay.
  const shown = partitions.length > MAX_PARTITION_ROWS ? partitions.slice(partitions.length - (MAX_PARTITION_ROWS - 1)) : partitions;
  const hidden = partitions.slice(0, partitions.length - shown.length);
  const lines: string[] = [];
  if (hidden.length > 0) {
    const done = hidden.filter((p) => p.state === 'done').length;
    const what = `${INDENT}${STATE_SYMBOLS.done} ${plural(hidden.length, 'earlier partition')}${done === hidden.length ? ' done' : `, ${done} done`}`;
    lines.push(layout([text(what, colors.dim)], columns, colors));
  }
  const nameWidth = Math.min(Math.max(...shown.map((p) => length(qualified(p.partition)))), Math.floor(columns / 3));
  const barWidth = columns < NARROW_COLUMNS ? 0 : Math.max(5, Math.min(16, Math.floor(columns / 6)));
  for (const p of shown) {
    const paint = stateColor(p.state, colors);
    const segments: Segment[] = [text(`${INDENT}${STATE_SYMBOLS[p.state]} `, paint), text(`${fit(qualified(p.partition), nameWidth).padEnd(nameWidth)}  `)];
    if (p.state === 'running') {
      if (p.fraction !== undefined) {
        if (barWidth > 0) segments.push(bar(p.fraction, barWidth), text(' '));
        segments.push(text(`${percent(p.fraction).padStart(4)}  `));
      }
      segments.push(text(p.phase, colors.dim));
    } else {
      segments.push(text(p.state === 'done' ? (p.step === 'attach' ? 'attached' : 'built') : p.state, paint));
    }
    lines.push(layout(segments, columns, colors));
  }
  return lines;
}

export interface ActionRowProps {
  readonly action: ActionView;
  readonly now: number;
  readonly columns: number;
  readonly colors: Palette;
}

/**
 * A running action: who and for how long; then bar, percentage, time left and phase (on narrow
 * terminals the phase gets a line of its own); then lock waits, a pending retry, and partitions.
 */
export function runningRowLines({ action: a, now, columns, colors }: ActionRowProps): string[] {
  const elapsed = actionElapsed(a, now);
  const left = actionTimeLeft(a, now);
  const leftText = left === undefined ? '' : `~${formatDuration(left)} left`;
  const phase = a.phase ?? 'starting';
  const narrow = columns < NARROW_COLUMNS;
  const lines = [spread(identity(a, columns, colors), [text(elapsed === undefined ? '' : formatDuration(elapsed), colors.dim)], columns, colors)];
  if (narrow) {
    lines.push(layout([text(`${INDENT}${phase}`)], columns, colors));
    if (a.fraction !== undefined) {
      const tail = ` ${percent(a.fraction).padStart(4)}${leftText === '' ? '' : ` ${leftText}`}`;
      const barWidth = Math.max(5, Math.min(30, columns - INDENT.length - length(tail)));
      lines.push(layout([text(INDENT), bar(a.fraction, barWidth), text(tail)], columns, colors));
    }
  } else {
    const barWidth = Math.max(10, Math.min(30, Math.floor((columns - INDENT.length) / 3)));
    const gauge: Segment[] = a.fraction === undefined ? [] : [bar(a.fraction, barWidth), text(` ${percent(a.fraction).padStart(4)}  `)];
    // Time left gets a fixed column so that phases line up under each other.
    const timeLeft = a.fraction === undefined && leftText === '' ? [] : [text(`${leftText.padEnd(11)}  `)];
    lines.push(layout([text(INDENT), ...gauge, ...timeLeft, text(phase, colors.dim)], columns, colors));
  }
  if (a.waiting !== undefined) lines.push(...waitLines(a.waiting, now, columns, colors));
  if (a.retry !== undefined) {
    const r = a.retry;
    // The executor retries the same statement without a new event: count the delay down, then say it runs again.
    const left = r.at + r.delayMs - now;
    const when = left > 0 ? `retry ${r.attempt}/${r.retries} in ${formatDuration(left)}` : `retry ${r.attempt}/${r.retries} running`;
    const what = `${INDENT}${when} after: ${oneLine(r.error.message)}`;
    lines.push(layout([text(what, colors.yellow)], columns, colors));
  }
  if (a.partitions.length > 0) lines.push(...partitionLines(a.partitions, columns, colors));
  if (a.shards !== undefined) lines.push(...shardLines(a.shards, INDENT).map((line) => layout([text(line, colors.dim)], columns, colors)));
  return lines;
}

/** A finished action, printed once: verdict, duration, and for a failure the database's own words. */
export function FinishedRow({ action: a, columns, colors }: Omit<ActionRowProps, 'now'>) {
  const notes: string[] = [];
  if (a.partitions.length > 0) notes.push(plural(a.partitions.length, 'partition'));
  if (a.retryCount > 0) notes.push(plural(a.retryCount, 'retry').replace(/retrys$/, 'retries'));
  if (a.state === 'skipped' && a.phase !== undefined) notes.push(a.phase);
  // Actions that never started (cancelled first, or not run after a failure on their table) have no duration.
  const duration = a.startedAt === undefined ? undefined : (a.durationMs ?? (a.finishedAt === undefined ? undefined : a.finishedAt - a.startedAt));
  if (a.startedAt === undefined && (a.state === 'cancelled' || a.state === 'failed')) notes.push('not started');
  const left: Segment[] = [...identity(a, columns, colors), text(notes.length === 0 ? '' : `  ${notes.join(', ')}`, colors.dim)];
  const head = spread(left, [text(duration === undefined ? '' : formatDuration(duration), colors.dim)], columns, colors);
  const error = a.error;
  const cleanup = cleanupText(a.cleanedUp, a.leftBehind);
  return (
    <Box flexDirection="column" width={columns}>
      <Line>{head}</Line>
      {error === undefined ? null : (
        <Box flexDirection="column" paddingLeft={INDENT.length} width={columns}>
          <Text>{colors.red(`${printableText(error.message)}${error.code === undefined ? '' : ` (${error.code})`}`)}</Text>
          {error.detail === undefined ? null : <Text>{printableLines(error.detail)}</Text>}
          {error.hint === undefined ? null : <Text>{colors.dim(`hint: ${printableLines(error.hint)}`)}</Text>}
        </Box>
      )}
      {cleanup.map((line) => (
        <Box key={line} paddingLeft={INDENT.length} width={columns}>
          <Text>{colors.dim(line)}</Text>
        </Box>
      ))}
    </Box>
  );
}

export function Summary({ view, columns, colors }: { readonly view: ApplyView; readonly columns: number; readonly colors: Palette }) {
  const { summary, verified } = view;
  if (summary === undefined && verified === undefined) return null;
  const bad = summary !== undefined && (summary.failed > 0 || summary.cancelled > 0 || summary.interrupted);
  return (
    <Box flexDirection="column" width={columns} marginTop={1}>
      {verified === undefined ? null : (
        <Box width={columns}>
          <Text>{(verified.inSync ? colors.green : colors.red)(verifiedText(verified))}</Text>
        </Box>
      )}
      {summary === undefined ? null : (
        <Box width={columns}>
          <Text>{colors.bold((bad ? colors.red : colors.green)(summaryText(summary)))}</Text>
        </Box>
      )}
    </Box>
  );
}

export interface ApplyAppProps {
  readonly view: ApplyView;
  /** The clock, for elapsed times and counting down estimates. */
  readonly now: number;
  /** Terminal width: every line is fitted to it. */
  readonly columns: number;
  /**
   * Terminal height, when known: the live part stays below it (Ink redraws the whole screen, static
   * part included, on every frame once the live part fills the terminal).
   */
  readonly rows?: number;
  readonly colors: Palette;
  /** Pending actions listed by name; the rest are counted. */
  readonly maxPendingRows?: number;
}

type StaticItem = { readonly key: 'title' } | { readonly key: number };

/** Running rows within `budget` lines: full while they fit, then two lines each, then counted. */
export function fitRunning(rows: readonly (readonly string[])[], budget: number, colors: Palette, columns: number): string[] {
  const full = rows.flat();
  if (full.length <= budget) return full;
  const short = rows.map((lines) => lines.slice(0, 2));
  if (short.flat().length <= budget) return short.flat();
  const shown = Math.max(0, Math.floor((budget - 1) / 2));
  return [...short.slice(0, shown).flat(), colors.dim(fit(`… and ${rows.length - shown} more running`, columns))];
}

export function ApplyApp({ view, now, columns, rows, colors, maxPendingRows = 5 }: ApplyAppProps) {
  const width = Math.max(20, columns);
  const tables = new Set(view.actions.map((a) => qualified(a.action.table))).size;
  // Static is append-only: the title, then finished actions in the order they finished.
  const items: StaticItem[] = view.startedAt === undefined ? [] : [{ key: 'title' }, ...view.finished.map((id) => ({ key: id }))];
  const byId = new Map(view.actions.map((a) => [a.action.id, a]));
  const pending = view.actions.filter((a) => a.state === 'pending');
  const title = `Applying ${plural(view.actions.length, 'action')} on ${plural(tables, 'table')}, ${view.concurrency} at a time`;

  // The live part's height: header, running rows, pending rows, summary; one line spare for the cursor.
  const headerHeight = items.length === 0 ? 0 : (view.interrupt === undefined ? 1 : 2) + (view.notices?.length ?? 0);
  const summaryHeight = view.summary === undefined && view.verified === undefined ? 0 : 1 + (view.summary === undefined ? 0 : 1) + (view.verified === undefined ? 0 : 1);
  const budget = rows === undefined ? Number.POSITIVE_INFINITY : Math.max(2, rows - 1 - headerHeight - summaryHeight);
  const running = fitRunning(
    view.actions.filter((a) => a.state === 'running').map((a) => runningRowLines({ action: a, now, columns: width, colors })),
    budget,
    colors,
    width,
  );
  // Up to maxPendingRows by name, and a line counting the rest, all within what is left of the budget.
  const room = Math.max(0, budget - running.length);
  let pendingShown = Math.min(pending.length, maxPendingRows, room);
  if (pendingShown < pending.length && pendingShown >= room) pendingShown = Math.max(0, room - 1);
  const pendingLines = pending.slice(0, pendingShown).map((a) => layout(identity(a, width, colors), width, colors));
  if (pending.length > pendingShown && room > 0) pendingLines.push(colors.dim(fit(`… and ${pending.length - pendingShown} more pending`, width)));

  return (
    <Box flexDirection="column" width={width}>
      <Static items={items}>
        {(item) => {
          if (item.key === 'title') {
            return (
              <Box key="title" width={width} marginBottom={1}>
                <Line>{colors.bold(fit(title, width))}</Line>
              </Box>
            );
          }
          const action = byId.get(item.key);
          return action === undefined ? null : <FinishedRow key={item.key} action={action} columns={width} colors={colors} />;
        }}
      </Static>
      {items.length === 0 ? null : <Header view={view} now={now} columns={width} colors={colors} />}
      <Lines lines={[...running, ...pendingLines]} columns={width} />
      <Summary view={view} columns={width} colors={colors} />
    </Box>
  );
}
