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
}

/**
 * Whether a progress event earns a line: always on a new phase or partition; otherwise when it crosses
 * a 10 % step, or when 5 s have passed and the percentage moved, or after a minute of silence.
 */
export function shouldPrintProgress(last: Printed | undefined, next: Printed): boolean {
  if (last === undefined || last.phase !== next.phase || last.partition !== next.partition) return true;
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
export function createPlainFormatter(colors: Palette): PlainFormatter {
  const actions = new Map<number, PlannedAction>();
  const lastProgress = new Map<number, Printed>();
  const started = new Set<number>();

  const line = (at: number, word: string, text: string, paint: (s: string) => string = (s) => s): string =>
    `${colors.dim(isoSeconds(at))}  ${paint(word.padEnd(WORD_WIDTH))} ${text}`;
  const target = (id: number): string => {
    const action = actions.get(id);
    return action === undefined ? `action #${id}` : `${qualified(action.table)} ${printableName(action.index)}`;
  };
  const withCleanup = (text: string, cleanedUp: readonly string[], leftBehind: readonly string[]): string => {
    const notes = cleanupText(cleanedUp, leftBehind);
    return notes.length === 0 ? text : `${text} [${notes.join('; ')}]`;
  };

  return (event) => {
    switch (event.type) {
      case 'planned': {
        actions.clear();
        lastProgress.clear();
        started.clear();
        for (const action of event.actions) actions.set(action.id, action);
        const tables = new Set(event.actions.map((a) => qualified(a.table))).size;
        const head = line(
          event.at,
          'planned',
          `${event.actions.length} action${event.actions.length === 1 ? '' : 's'} on ${tables} table${tables === 1 ? '' : 's'}, ${event.concurrency} at a time`,
          colors.bold,
        );
        const skips = event.actions
          .filter((a) => a.kind === 'skip')
          .map((a) => line(event.at, 'skipped', `${target(a.id)}: ${printableText(a.reason)}`, colors.dim));
        return [head, ...skips];
      }
      case 'action-started': {
        started.add(event.actionId);
        const kind = actions.get(event.actionId)?.kind ?? 'action';
        return [line(event.at, 'start', `${target(event.actionId)} (${kind}, pid ${event.pid})`, colors.cyan)];
      }
      case 'step-started': {
        const count = actions.get(event.actionId)?.stepCount;
        const position = count === undefined ? `${event.step + 1}` : `${event.step + 1}/${count}`;
        const on = event.partition === undefined ? '' : ` on ${qualified(event.partition)}`;
        // Line breaks between words fold to a space; inside a quoted name or a literal they are escaped.
        return [line(event.at, 'step', `${target(event.actionId)} ${position} ${event.kind}${on}: ${printableSql(event.sql).trim()}`)];
      }
      case 'progress': {
        const pct = event.fraction === undefined ? undefined : Math.floor(Math.min(1, Math.max(0, event.fraction)) * 100);
        const next: Printed = {
          at: event.at,
          phase: event.phase,
          partition: event.partition === undefined ? '' : qualified(event.partition),
          ...(pct === undefined ? {} : { percent: pct }),
        };
        if (!shouldPrintProgress(lastProgress.get(event.actionId), next)) return [];
        lastProgress.set(event.actionId, next);
        const parts = [target(event.actionId)];
        if (event.partition !== undefined) parts.push(`on ${qualified(event.partition)}`);
        if (pct !== undefined) parts.push(`${pct}%`);
        const phase = printableText(event.phase);
        parts.push(event.etaMs === undefined ? phase : `${phase}, ~${formatDuration(event.etaMs)} left`);
        return [line(event.at, 'progress', parts.join(' '))];
      }
      case 'waiting': {
        const blocked = event.blockers.length === 0 ? '' : `, blocked by ${event.blockers.map((b) => blockerText(b)).join(', ')}`;
        return [line(event.at, 'waiting', `${target(event.actionId)} for ${printableText(event.what)}${blocked}`, colors.yellow)];
      }
      case 'retry':
        return [
          line(
            event.at,
            'retry',
            `${target(event.actionId)} ${event.attempt}/${event.retries} in ${formatDuration(event.delayMs)}: ${errorText(event.error)}`,
            colors.yellow,
          ),
        ];
      case 'action-done':
        lastProgress.delete(event.actionId);
        return [line(event.at, 'done', `${target(event.actionId)} in ${formatDuration(event.durationMs)}`, colors.green)];
      case 'action-failed':
        lastProgress.delete(event.actionId);
        return [
          line(
            event.at,
            'failed',
            withCleanup(
              // An action that never started (its table's earlier action failed) has no duration to tell.
              `${target(event.actionId)}${started.has(event.actionId) ? ` after ${formatDuration(event.durationMs)}` : ''}: ${errorText(event.error)}`,
              event.cleanedUp,
              event.leftBehind,
            ),
            colors.red,
          ),
        ];
      case 'action-cancelled':
        lastProgress.delete(event.actionId);
        return [
          line(
            event.at,
            'cancelled',
            withCleanup(`${target(event.actionId)}${started.has(event.actionId) ? '' : ' before it started'}`, event.cleanedUp, event.leftBehind),
            colors.yellow,
          ),
        ];
      case 'interrupt':
        return [line(event.at, 'interrupt', `${event.signal}: starting nothing new, cancelling running builds`, colors.yellow)];
      case 'verified':
        return [line(event.at, 'verified', verifiedText(event), event.inSync ? colors.green : colors.red)];
      case 'summary': {
        const bad = event.failed > 0 || event.cancelled > 0 || event.interrupted;
        return [line(event.at, 'summary', summaryText(event), bad ? colors.red : colors.green)];
      }
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  };
}
