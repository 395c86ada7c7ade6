/*
 * The live fleet screen (Ink), props only. Finished targets go to <Static> as they end (they scroll
 * away like a log); below, a row per running target with its current build's phase and progress and
 * its actions done of total, then the overall line (counts and bytes built), and the summary last.
 */
import { Box, Static, Text } from 'ink';
import { TARGET_STATES } from '../core/fleet/schedule.js';
import { printableText } from '../core/printable.js';
import { percent } from './apply-plain.js';
import type { Palette } from './color.js';
import { actionsDone, currentAction, fleetCounts, type FleetView, type TargetView } from './fleet-state.js';
import { fleetSummaryLines, outcomeText, stateColor } from './fleet-words.js';
import { bar, fit, layout, spread, text } from './tui-layout.js';
import { formatBytes, formatDuration } from './units.js';

const BAR_WIDTH = 20;
const SYMBOL: Readonly<Record<TargetView['state'], string>> = {
  waiting: '○',
  running: '●',
  applied: '✓',
  'in-sync': '✓',
  failed: '✗',
  unreachable: '✗',
  busy: '⊘',
  'not-run': '-',
};

function Line({ children }: { readonly children: string }) {
  return <Text wrap="truncate-end">{children}</Text>;
}

function nameWidth(view: FleetView): number {
  return Math.min(28, Math.max(8, ...view.targets.map((t) => printableText(t.name).length)));
}

/** `✓ tenants/a   applied   3 of 3 actions done in 8.1s, 2.1 MB built; in sync` */
export function finishedRow(target: TargetView, width: number, names: number, colors: Palette): string {
  const state = target.state === 'waiting' || target.state === 'running' ? 'not-run' : target.state;
  const paint = stateColor(state, colors);
  const outcome = target.outcome === undefined ? '' : outcomeText(target.outcome);
  return layout([text(`${SYMBOL[target.state]} `, paint), text(`${printableText(target.name).padEnd(names)}  `, colors.bold), text(`${state.padEnd(12)}`, paint), text(outcome)], width, colors);
}

/**
 * Two lines: `● tenants/b   ████░░░░  42%   actions 1/3   12.0s`, then what its current action does
 * (`    items_v: building index: scanning table`, or what it waits for).
 */
export function runningRows(target: TargetView, now: number, width: number, names: number, colors: Palette): string[] {
  const action = currentAction(target);
  const { done, total } = actionsDone(target);
  const doing =
    action === undefined
      ? target.apply.actions.length === 0
        ? 'planning'
        : 'between actions'
      : `${action.action.index}: ${action.waiting !== undefined ? `waiting for ${action.waiting.what}` : (action.phase ?? 'starting')}`;
  const fraction = action?.fraction;
  const left = [text(`${SYMBOL.running} `, colors.cyan), text(printableText(target.name).padEnd(names), colors.bold), ...(target.canary ? [text('  canary', colors.magenta)] : [])];
  const elapsed = target.startedAt === undefined ? '' : formatDuration(Math.max(0, now - target.startedAt));
  const right = [
    ...(fraction === undefined ? [] : [bar(fraction, BAR_WIDTH), text(` ${percent(fraction).padStart(4)}`)]),
    text(`   actions ${done}/${total}   ${elapsed}`, colors.dim),
  ];
  return [spread(left, right, width, colors), layout([text(`    ${printableText(doing)}`)], width, colors)];
}

/** `Fleet: 2 running, 4 waiting · 3 applied, 1 in-sync, 1 failed · 18.4 MB built · 1m02s` */
export function overallLine(view: FleetView, now: number, width: number, colors: Palette): string {
  const counts = fleetCounts(view);
  const ended = TARGET_STATES.filter((s) => counts.byState[s] > 0).map((s) => `${counts.byState[s]} ${s}`);
  const elapsed = view.startedAt === undefined ? 0 : (view.summary?.durationMs ?? Math.max(0, now - view.startedAt));
  const parts = [`${counts.running} running, ${counts.waiting} waiting`, ...(ended.length === 0 ? [] : [ended.join(', ')]), `${formatBytes(counts.bytesBuilt)} built`, formatDuration(elapsed)];
  return layout([text(`Fleet: ${parts.join(' · ')}`, colors.bold)], width, colors);
}

export interface FleetAppProps {
  readonly view: FleetView;
  readonly now: number;
  readonly columns: number;
  readonly colors: Palette;
}

export function FleetApp({ view, now, columns, colors }: FleetAppProps) {
  const width = Math.max(20, columns);
  const names = nameWidth(view);
  const byName = new Map(view.targets.map((t) => [t.name, t]));
  const running = view.targets.filter((t) => t.state === 'running').flatMap((t) => runningRows(t, now, width, names, colors));
  const live = view.startedAt === undefined || view.summary !== undefined ? [] : [...running, overallLine(view, now, width, colors)];
  const stopping = view.stopping !== undefined && view.summary === undefined ? [colors.yellow(fit(`Stopping: ${printableText(view.stopping)}`, width))] : [];
  const summary = view.summary === undefined ? [] : fleetSummaryLines(view.summary, colors);
  return (
    <Box flexDirection="column">
      <Static items={view.finished.map((name) => byName.get(name)).filter((t): t is TargetView => t !== undefined)}>
        {(target) => (
          <Box key={target.name} width={width}>
            <Line>{finishedRow(target, width, names, colors)}</Line>
          </Box>
        )}
      </Static>
      <Box flexDirection="column" width={width}>
        {[...live, ...stopping, ...summary].map((line, i) => (
          <Line key={i}>{line}</Line>
        ))}
      </Box>
    </Box>
  );
}
