/*
 * Apply events as plain timestamped lines, printed as they happen: for CI logs, pipes and terminals
 * without a live screen. Columns: UTC time to the second, a padded event word, the action
 * (`schema.table index`), then free text. One line per event, except that progress lines are thinned
 * out (see `shouldPrintProgress`) and a plan's skipped actions get a line each when it is announced.
 *
 *   2026-11-25T10:00:01Z  start     public.users idx_users_email (create, pid 4242)
 *   2026-11-25T10:00:05Z  progress  public.users idx_users_email 42% building index: scanning table, ~12s left
 */
import type { ApplyEvent, Blocker, ErrorInfo, PlannedAction } from '../core/events.js';
import { printableName, printableSql, printableText } from '../core/printable.js';
import { cleanupText, qualified, summaryText, verifiedText } from './apply-words.js';
import type { Palette } from './color.js';
import { formatDuration } from './units.js';
import { oneLine as flatten } from '../core/text.js';
import { describeShardProgress } from '../core/citus/progress.js';

const WORD_WIDTH = 9;
/** A progress line at least this often while the percentage moves… */
export const PROGRESS_INTERVAL_MS = 5_000;
/** …and at least this often while nothing moves, so a log shows the build is alive. */
export const PROGRESS_HEARTBEAT_MS = 60_000;
const QUERY_WIDTH = 80;

export function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Whitespace (newlines in queries and PostgreSQL's details) folded to one space, so a line stays a
 * line; any other control character (a terminal escape in a name the server quotes) escaped.
 */
export function oneLine(text: string): string {
  return printableText(flatten(text));
}

export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width <= 1 ? '…'.slice(0, width) : `${chars.slice(0, width - 1).join('')}…`;
}

export function percent(fraction: number): string {
  // Floor, so 100% means finished, never 99.6% rounded up.
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** `pid 123 (idle in transaction, open 2m05s: UPDATE users SET …)` */
export function blockerText(blocker: Blocker, queryWidth = QUERY_WIDTH): string {
  const facts: string[] = [];
  if (blocker.applicationName) facts.push(printableText(blocker.applicationName));
  if (blocker.state) facts.push(printableText(blocker.state));
  if (blocker.transactionSeconds !== undefined) facts.push(`open ${formatDuration(blocker.transactionSeconds * 1000)}`);
  const query = blocker.query === undefined || oneLine(blocker.query) === '' ? '' : truncate(oneLine(blocker.query), queryWidth);
  const inner = [facts.join(', '), query].filter((part) => part !== '').join(': ');
  return inner === '' ? `pid ${blocker.pid}` : `pid ${blocker.pid} (${inner})`;
}

/** `could not create unique index "x" — Key (email)=(a@b) is duplicated. — hint: …` */
export function errorText(error: ErrorInfo): string {
  const parts = [oneLine(error.message)];
  if (error.detail) parts.push(oneLine(error.detail));
  if (error.hint) parts.push(`hint: ${oneLine(error.hint)}`);
  return parts.join(' — ');
}

interface Printed {
  readonly at: number;
  readonly phase: string;
  readonly partition: string;
  readonly percent?: number;
  /** Citus: shards built so far; a new count earns a line. */
  readonly shardsBuilt?: number;
}

/**
 * Whether a progress event earns a line: always on a new phase or partition; otherwise when it crosses
 * a 10 % step, or when 5 s have passed and the percentage moved, or after a minute of silence.
 */
export function shouldPrintProgress(last: Printed | undefined, next: Printed): boolean {
  if (last === undefined || last.phase !== next.phase || last.partition !== next.partition || last.shardsBuilt !== next.shardsBuilt) return true;
  const since = next.at - last.at;
  if (next.percent !== undefined && last.percent !== undefined) {
    if (Math.floor(next.percent / 10) > Math.floor(last.percent / 10)) return true;
    if (since >= PROGRESS_INTERVAL_MS && next.percent !== last.percent) return true;
  } else if (next.percent !== last.percent && since >= PROGRESS_INTERVAL_MS) {
    return true;
  }
  return since >= PROGRESS_HEARTBEAT_MS;
}

export type PlainFormatter = (event: ApplyEvent) => readonly string[];

/** A formatter with memory: it names actions from the `planned` event and thins out progress lines. */
/** What the plain formatter remembers between events. */
interface PlainState {
  readonly colors: Palette;
  /** A fleet's target name, after the time on every line. */
  readonly label?: string;
  readonly actions: Map<number, PlannedAction>;
  readonly lastProgress: Map<number, Printed>;
  readonly started: Set<number>;
}

function line(state: PlainState, at: number, word: string, text: string, paint: (s: string) => string = (s) => s): string {
  const label = state.label === undefined ? '' : `${state.label}  `;
  return `${state.colors.dim(isoSeconds(at))}  ${label}${paint(word.padEnd(WORD_WIDTH))} ${text}`;
}

function target(state: PlainState, id: number): string {
  const action = state.actions.get(id);
  return action === undefined ? `action #${id}` : `${qualified(action.table)} ${printableName(action.index)}`;
}

function withCleanup(text: string, cleanedUp: readonly string[], leftBehind: readonly string[]): string {
  const notes = cleanupText(cleanedUp, leftBehind);
  return notes.length === 0 ? text : `${text} [${notes.join('; ')}]`;
}

function plannedLines(state: PlainState, event: Extract<ApplyEvent, { type: 'planned' }>): string[] {
  state.actions.clear();
  state.lastProgress.clear();
  state.started.clear();
  for (const action of event.actions) state.actions.set(action.id, action);
  const tables = new Set(event.actions.map((a) => qualified(a.table))).size;
  const head = line(
    state,
    event.at,
    'planned',
    `${event.actions.length} action${event.actions.length === 1 ? '' : 's'} on ${tables} table${tables === 1 ? '' : 's'}, ${event.concurrency} at a time`,
    state.colors.bold,
  );
  const skips = event.actions
    .filter((a) => a.kind === 'skip')
    .map((a) => line(state, event.at, 'skipped', `${target(state, a.id)}: ${printableText(a.reason)}`, state.colors.dim));
  return [head, ...skips];
}

function progressLines(state: PlainState, event: Extract<ApplyEvent, { type: 'progress' }>): string[] {
  const pct = event.fraction === undefined ? undefined : Math.floor(Math.min(1, Math.max(0, event.fraction)) * 100);
  const next: Printed = {
    at: event.at,
    phase: event.phase,
    partition: event.partition === undefined ? '' : qualified(event.partition),
    ...(pct === undefined ? {} : { percent: pct }),
    ...(event.shards === undefined ? {} : { shardsBuilt: event.shards.built }),
  };
  if (!shouldPrintProgress(state.lastProgress.get(event.actionId), next)) return [];
  state.lastProgress.set(event.actionId, next);
  const parts = [target(state, event.actionId)];
  if (event.partition !== undefined) parts.push(`on ${qualified(event.partition)}`);
  if (pct !== undefined) parts.push(`${pct}%`);
  const phase = printableText(event.phase);
  parts.push(event.etaMs === undefined ? phase : `${phase}, ~${formatDuration(event.etaMs)} left`);
  if (event.shards !== undefined) parts.push(`— ${printableText(describeShardProgress(event.shards))}`);
  return [line(state, event.at, 'progress', parts.join(' '))];
}

/** How a finished action ended: done, failed (with the database's words) or cancelled. */
function endLines(state: PlainState, event: Extract<ApplyEvent, { type: 'action-done' | 'action-failed' | 'action-cancelled' }>): string[] {
  const { colors } = state;
  state.lastProgress.delete(event.actionId);
  const name = target(state, event.actionId);
  const started = state.started.has(event.actionId);
  switch (event.type) {
    case 'action-done':
      return [line(state, event.at, 'done', `${name} in ${formatDuration(event.durationMs)}`, colors.green)];
    case 'action-failed': {
      // An action that never started (its table's earlier action failed) has no duration to tell.
      const text = `${name}${started ? ` after ${formatDuration(event.durationMs)}` : ''}: ${errorText(event.error)}`;
      return [line(state, event.at, 'failed', withCleanup(text, event.cleanedUp, event.leftBehind), colors.red)];
    }
    case 'action-cancelled': {
      const text = withCleanup(`${name}${started ? '' : ' before it started'}`, event.cleanedUp, event.leftBehind);
      return [line(state, event.at, 'cancelled', text, colors.yellow)];
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** `label` (a fleet's target name, padded) goes after the time on every line. */
export function createPlainFormatter(colors: Palette, label?: string): PlainFormatter {
  const state: PlainState = { colors, ...(label === undefined ? {} : { label }), actions: new Map(), lastProgress: new Map(), started: new Set() };
  return (event) => {
    switch (event.type) {
      case 'planned':
        return plannedLines(state, event);
      case 'action-started': {
        state.started.add(event.actionId);
        const kind = state.actions.get(event.actionId)?.kind ?? 'action';
        return [line(state, event.at, 'start', `${target(state, event.actionId)} (${kind}, pid ${event.pid})`, colors.cyan)];
      }
      case 'step-started': {
        const count = state.actions.get(event.actionId)?.stepCount;
        const position = count === undefined ? `${event.step + 1}` : `${event.step + 1}/${count}`;
        const on = event.partition === undefined ? '' : ` on ${qualified(event.partition)}`;
        // Line breaks between words fold to a space; inside a quoted name or a literal they are escaped.
        return [line(state, event.at, 'step', `${target(state, event.actionId)} ${position} ${event.kind}${on}: ${printableSql(event.sql).trim()}`)];
      }
      case 'progress':
        return progressLines(state, event);
      case 'waiting': {
        const blocked = event.blockers.length === 0 ? '' : `, blocked by ${event.blockers.map((b) => blockerText(b)).join(', ')}`;
        return [line(state, event.at, 'waiting', `${target(state, event.actionId)} for ${printableText(event.what)}${blocked}`, colors.yellow)];
      }
      case 'retry': {
        const text = `${target(state, event.actionId)} ${event.attempt}/${event.retries} in ${formatDuration(event.delayMs)}: ${errorText(event.error)}`;
        return [line(state, event.at, 'retry', text, colors.yellow)];
      }
      case 'action-done':
      case 'action-failed':
      case 'action-cancelled':
        return endLines(state, event);
      case 'interrupt':
        return [line(state, event.at, 'interrupt', `${event.signal}: starting nothing new, cancelling running builds`, colors.yellow)];
      case 'notice':
        return [line(state, event.at, 'notice', printableText(event.message), colors.yellow)];
      case 'verified':
        return [line(state, event.at, 'verified', verifiedText(event), event.inSync ? colors.green : colors.red)];
      case 'summary': {
        const bad = event.failed > 0 || event.cancelled > 0 || event.interrupted;
        return [line(state, event.at, 'summary', summaryText(event), bad ? colors.red : colors.green)];
      }
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  };
}
