/*
 * Apply events as NDJSON for machines: a version line, then each event as the executor emitted it,
 * with `at` as an ISO-8601 time instead of epoch milliseconds. Field names are a contract
 * (formatVersion 1): add fields freely, never rename or remove them.
 */
import type { ApplyEvent } from '../core/events.js';

export const APPLY_JSON_FORMAT_VERSION = 1;

export function applyJsonVersionLine(): string {
  return JSON.stringify({ type: 'version', formatVersion: APPLY_JSON_FORMAT_VERSION, tool: 'pg-index-reconciler' });
}

/** One event as one line of JSON (no trailing newline); `type` and `at` come first. */
export function applyEventJson(event: ApplyEvent): string {
  const { type, at, ...rest } = event;
  return JSON.stringify({ type, at: new Date(at).toISOString(), ...rest });
}
