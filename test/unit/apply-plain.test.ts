import { describe, expect, it } from 'vitest';
import type { ApplyEvent, PlannedAction } from '../../src/core/events.js';
import { blockerText, createPlainFormatter, errorText, shouldPrintProgress } from '../../src/ui/apply-plain.js';
import { createApplyRenderer } from '../../src/ui/apply-renderer.js';
import { PLAIN, palette } from '../../src/ui/color.js';

const T = Date.parse('2026-11-25T10:00:00Z');
const users = { schema: 'public', name: 'users' };
const events = { schema: 'public', name: 'events' };
const at = (seconds: number) => T + seconds * 1000;

const actions: PlannedAction[] = [
  { id: 0, kind: 'create', table: users, index: 'idx_users_email', reason: 'not in database', stepCount: 2 },
  { id: 1, kind: 'drop', table: users, index: 'users_old_idx', reason: 'not in indexes.yaml', stepCount: 1 },
  { id: 2, kind: 'create', table: events, index: 'idx_events_at', reason: 'not in database', stepCount: 4 },
  { id: 3, kind: 'skip', table: users, index: 'idx_users_role', reason: 'being built by pid 77 right now', stepCount: 0 },
];

const run: ApplyEvent[] = [
  { type: 'planned', at: at(0), actions, concurrency: 2 },
  { type: 'action-started', at: at(1), actionId: 0, pid: 4242 },
  { type: 'step-started', at: at(1), actionId: 0, step: 0, kind: 'build', sql: 'CREATE UNIQUE INDEX CONCURRENTLY idx_users_email\n  ON public.users USING btree (email)' },
  { type: 'progress', at: at(2), actionId: 0, phase: 'waiting for writers before build', fraction: 0 },
  {
    type: 'waiting',
    at: at(2),
    actionId: 0,
    what: 'writers on public.users to finish (before the build)',
    blockers: [{ pid: 123, state: 'idle in transaction', query: 'UPDATE users\n   SET name = $1 WHERE id = $2', transactionSeconds: 125 }],
  },
  { type: 'progress', at: at(3), actionId: 0, phase: 'waiting for writers before build', fraction: 0 },
  { type: 'progress', at: at(5), actionId: 0, phase: 'building index: scanning table', fraction: 0.42, etaMs: 12_000 },
  { type: 'progress', at: at(6), actionId: 0, phase: 'building index: scanning table', fraction: 0.45, etaMs: 11_000 },
  { type: 'progress', at: at(7), actionId: 0, phase: 'building index: scanning table', fraction: 0.51, etaMs: 9_000 },
  { type: 'action-started', at: at(7), actionId: 1, pid: 4243 },
  { type: 'step-started', at: at(7), actionId: 1, step: 0, kind: 'drop', sql: 'DROP INDEX CONCURRENTLY public.users_old_idx' },
  { type: 'retry', at: at(8), actionId: 1, attempt: 1, retries: 3, delayMs: 2_000, error: { message: 'canceling statement due to lock timeout', code: '55P03' } },
  { type: 'action-done', at: at(11), actionId: 1, durationMs: 4_200 },
  {
    type: 'action-failed',
    at: at(12),
    actionId: 0,
    durationMs: 11_000,
    error: { message: 'could not create unique index "idx_users_email"', code: '23505', detail: 'Key (email)=(a@b) is duplicated.' },
    cleanedUp: ['idx_users_email'],
    leftBehind: [],
  },
  { type: 'action-started', at: at(12), actionId: 2, pid: 4242 },
  { type: 'step-started', at: at(12), actionId: 2, step: 1, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY idx_events_at_2024 ON public.events_2024 (at)', partition: { schema: 'public', name: 'events_2024' } },
  { type: 'progress', at: at(13), actionId: 2, phase: 'building index: loading tuples in tree', fraction: 0.8, partition: { schema: 'public', name: 'events_2024' } },
  { type: 'action-done', at: at(14), actionId: 2, durationMs: 2_000 },
  { type: 'verified', at: at(15), inSync: false, differences: ['public.users: idx_users_email is missing'] },
  { type: 'summary', at: at(15), done: 2, failed: 1, skipped: 1, cancelled: 0, durationMs: 15_000, interrupted: false },
];

describe('plain apply lines', () => {
  it('prints one aligned, timestamped line per event, thinning out progress', () => {
    const format = createPlainFormatter(PLAIN);
    expect(run.flatMap((event) => format(event))).toEqual([
      '2026-11-25T10:00:00Z  planned   4 actions on 2 tables, 2 at a time',
      '2026-11-25T10:00:00Z  skipped   public.users idx_users_role: being built by pid 77 right now',
      '2026-11-25T10:00:01Z  start     public.users idx_users_email (create, pid 4242)',
      '2026-11-25T10:00:01Z  step      public.users idx_users_email 1/2 build: CREATE UNIQUE INDEX CONCURRENTLY idx_users_email ON public.users USING btree (email)',
      '2026-11-25T10:00:02Z  progress  public.users idx_users_email 0% waiting for writers before build',
      '2026-11-25T10:00:02Z  waiting   public.users idx_users_email for writers on public.users to finish (before the build), blocked by pid 123 (idle in transaction, open 2m05s: UPDATE users SET name = $1 WHERE id = $2)',
      '2026-11-25T10:00:05Z  progress  public.users idx_users_email 42% building index: scanning table, ~12.0s left',
      '2026-11-25T10:00:07Z  progress  public.users idx_users_email 51% building index: scanning table, ~9.0s left',
      '2026-11-25T10:00:07Z  start     public.users users_old_idx (drop, pid 4243)',
      '2026-11-25T10:00:07Z  step      public.users users_old_idx 1/1 drop: DROP INDEX CONCURRENTLY public.users_old_idx',
      '2026-11-25T10:00:08Z  retry     public.users users_old_idx 1/3 in 2.0s: canceling statement due to lock timeout',
      '2026-11-25T10:00:11Z  done      public.users users_old_idx in 4.2s',
      '2026-11-25T10:00:12Z  failed    public.users idx_users_email after 11.0s: could not create unique index "idx_users_email" — Key (email)=(a@b) is duplicated. [dropped idx_users_email again]',
      '2026-11-25T10:00:12Z  start     public.events idx_events_at (create, pid 4242)',
      '2026-11-25T10:00:12Z  step      public.events idx_events_at 2/4 build on public.events_2024: CREATE INDEX CONCURRENTLY idx_events_at_2024 ON public.events_2024 (at)',
      '2026-11-25T10:00:13Z  progress  public.events idx_events_at on public.events_2024 80% building index: loading tuples in tree',
      '2026-11-25T10:00:14Z  done      public.events idx_events_at in 2.0s',
      '2026-11-25T10:00:15Z  verified  Not in sync after apply: public.users: idx_users_email is missing.',
      '2026-11-25T10:00:15Z  summary   Applied 4 actions in 15.0s: 2 done, 1 failed, 1 skipped.',
    ]);
  });

  it('prints interruptions, cancellations and what they left behind', () => {
    const format = createPlainFormatter(PLAIN);
    const lines = [
      { type: 'planned', at: at(0), actions, concurrency: 1 },
      { type: 'action-started', at: at(1), actionId: 0, pid: 4242 },
      { type: 'interrupt', at: at(3), signal: 'SIGINT' },
      { type: 'action-cancelled', at: at(4), actionId: 0, cleanedUp: [], leftBehind: ['idx_users_email'] },
      { type: 'action-cancelled', at: at(4), actionId: 2, cleanedUp: [], leftBehind: [] },
      { type: 'verified', at: at(5), inSync: true, differences: [] },
      { type: 'summary', at: at(5), done: 0, failed: 0, skipped: 3, cancelled: 1, durationMs: 5_000, interrupted: true },
    ].flatMap((event) => format(event as ApplyEvent));
    expect(lines.slice(3)).toEqual([
      '2026-11-25T10:00:03Z  interrupt SIGINT: starting nothing new, cancelling running builds',
      '2026-11-25T10:00:04Z  cancelled public.users idx_users_email [left behind idx_users_email, invalid: the next plan drops it]',
      '2026-11-25T10:00:04Z  cancelled public.events idx_events_at before it started',
      '2026-11-25T10:00:05Z  verified  In sync: the database matches the manifest.',
      '2026-11-25T10:00:05Z  summary   Interrupted after 5.0s: 0 done, 3 skipped, 1 cancelled.',
    ]);
  });

  it('gives no duration for an action held back because an earlier one on its table that it needed failed', () => {
    const format = createPlainFormatter(PLAIN);
    format({ type: 'planned', at: at(0), actions, concurrency: 1 });
    expect(
      format({
        type: 'action-failed',
        at: at(3),
        actionId: 1,
        durationMs: 0,
        error: { message: 'not run: public.users_old_idx does not exist, and it needs that index: rename users_tmp to users_old_idx on public.users failed before it' },
        cleanedUp: [],
        leftBehind: [],
      }),
    ).toEqual([
      '2026-11-25T10:00:03Z  failed    public.users users_old_idx: not run: public.users_old_idx does not exist, and it needs that index: rename users_tmp to users_old_idx on public.users failed before it',
    ]);
  });

  it('names an action it was never told about by its id', () => {
    const format = createPlainFormatter(PLAIN);
    expect(format({ type: 'action-done', at: at(1), actionId: 7, durationMs: 10 })).toEqual(['2026-11-25T10:00:01Z  done      action #7 in 10ms']);
  });

  it('colours only the event word and the time, when colour is on', () => {
    const format = createPlainFormatter(palette(true));
    const [line] = format({ type: 'action-done', at: at(1), actionId: 7, durationMs: 10 });
    expect(line).toContain('\u001b[');
    expect(line?.replace(/\u001b\[[0-9;]*m/g, '')).toBe('2026-11-25T10:00:01Z  done      action #7 in 10ms');
  });
});

describe('names from the database with line breaks and escapes in them', () => {
  it('prints every line escaped, so that no name can forge a line of the log', () => {
    const docs = { schema: 'public', name: 'docs' };
    const evilPartition = { schema: 'public', name: 'docs_2026\n2026-11-25T10:00:09Z  done' };
    const hostile: PlannedAction[] = [
      { id: 0, kind: 'drop', table: docs, index: 'evil\n2026-11-25T10:00:09Z  done      public.docs x', reason: 'not in indexes.yaml', stepCount: 1 },
      { id: 1, kind: 'create', table: docs, index: 'docs_at', reason: 'not in database', stepCount: 3 },
      { id: 2, kind: 'skip', table: docs, index: 'bell\u0007', reason: 'being built by pid 7 right now', stepCount: 0 },
    ];
    const format = createPlainFormatter(PLAIN);
    const lines = [
      { type: 'planned', at: at(0), actions: hostile, concurrency: 1 },
      { type: 'action-started', at: at(1), actionId: 0, pid: 42 },
      { type: 'step-started', at: at(1), actionId: 0, step: 0, kind: 'drop', sql: 'DROP INDEX CONCURRENTLY IF EXISTS public."evil\n2026-11-25T10:00:09Z  done      public.docs x"' },
      {
        type: 'action-failed',
        at: at(2),
        actionId: 0,
        durationMs: 1_000,
        error: { message: 'canceling statement due to lock timeout on "evil\u001b[2J"', detail: 'two\nlines' },
        cleanedUp: [],
        leftBehind: ['public.evil\nname'],
      },
      { type: 'action-started', at: at(3), actionId: 1, pid: 42 },
      { type: 'step-started', at: at(3), actionId: 1, step: 1, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY docs_at_2026 ON public."docs_2026\n2026-11-25T10:00:09Z  done" USING btree (at)', partition: evilPartition },
      { type: 'progress', at: at(4), actionId: 1, phase: 'building index: scanning table', fraction: 0.5, partition: evilPartition },
      { type: 'waiting', at: at(5), actionId: 1, what: 'a lock on public."x\ny"', blockers: [{ pid: 9, applicationName: 'app\u001b]0;t\u0007', query: 'SELECT 1' }] },
      { type: 'verified', at: at(6), inSync: false, differences: ['public.docs: "evil\nname" is still there'] },
    ].flatMap((event) => format(event as ApplyEvent));
    expect(lines).toEqual([
      '2026-11-25T10:00:00Z  planned   3 actions on 1 table, 1 at a time',
      '2026-11-25T10:00:00Z  skipped   public.docs "bell\\x07": being built by pid 7 right now',
      '2026-11-25T10:00:01Z  start     public.docs "evil\\n2026-11-25T10:00:09Z  done      public.docs x" (drop, pid 42)',
      '2026-11-25T10:00:01Z  step      public.docs "evil\\n2026-11-25T10:00:09Z  done      public.docs x" 1/1 drop: DROP INDEX CONCURRENTLY IF EXISTS public."evil\\n2026-11-25T10:00:09Z  done      public.docs x"',
      '2026-11-25T10:00:02Z  failed    public.docs "evil\\n2026-11-25T10:00:09Z  done      public.docs x" after 1.0s: canceling statement due to lock timeout on "evil\\x1b[2J" — two lines [left behind public.evil\\nname, invalid: the next plan drops it]',
      '2026-11-25T10:00:03Z  start     public.docs docs_at (create, pid 42)',
      '2026-11-25T10:00:03Z  step      public.docs docs_at 2/3 build on public."docs_2026\\n2026-11-25T10:00:09Z  done": CREATE INDEX CONCURRENTLY docs_at_2026 ON public."docs_2026\\n2026-11-25T10:00:09Z  done" USING btree (at)',
      '2026-11-25T10:00:04Z  progress  public.docs docs_at on public."docs_2026\\n2026-11-25T10:00:09Z  done" 50% building index: scanning table',
      '2026-11-25T10:00:05Z  waiting   public.docs docs_at for a lock on public."x\\ny", blocked by pid 9 (app\\x1b]0;t\\x07: SELECT 1)',
      '2026-11-25T10:00:06Z  verified  Not in sync after apply: public.docs: "evil\\nname" is still there.',
    ]);
    expect(lines.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('shouldPrintProgress', () => {
  const base = { at: T, phase: 'building index: scanning table', partition: '', percent: 42 };

  it.each([
    ['the first report', undefined, base, true],
    ['a new phase', base, { ...base, at: T + 100, phase: 'building index: sorting live tuples' }, true],
    ['a new partition', base, { ...base, at: T + 100, partition: 'public.events_2025' }, true],
    ['a 10 % step', base, { ...base, at: T + 100, percent: 50 }, true],
    ['a small move within 5 s', base, { ...base, at: T + 4_900, percent: 49 }, false],
    ['a small move after 5 s', base, { ...base, at: T + 5_000, percent: 43 }, true],
    ['no move after 5 s', base, { ...base, at: T + 30_000 }, false],
    ['no move after a minute', base, { ...base, at: T + 60_000 }, true],
  ])('%s', (_, last, next, expected) => {
    expect(shouldPrintProgress(last, next)).toBe(expected);
  });
});

describe('pieces', () => {
  it('describes a blocker with whatever is known about it', () => {
    expect(blockerText({ pid: 9 })).toBe('pid 9');
    expect(blockerText({ pid: 9, applicationName: 'psql', state: 'active', query: 'SELECT   1' })).toBe('pid 9 (psql, active: SELECT 1)');
    expect(blockerText({ pid: 9, query: 'x'.repeat(100) }, 10)).toBe(`pid 9 (${'x'.repeat(9)}…)`);
  });

  it('puts message, detail and hint of an error on one line', () => {
    expect(errorText({ message: 'a\nb', detail: 'c', hint: 'd' })).toBe('a b — c — hint: d');
  });
});

describe('plain renderer', () => {
  it('writes each event as it comes, and nothing for a thinned-out progress report', async () => {
    const written: string[] = [];
    const renderer = createApplyRenderer('plain', { write: (s) => written.push(s), isTTY: false }, PLAIN, () => T);
    renderer.onEvent({ type: 'planned', at: at(0), actions: actions.slice(0, 1), concurrency: 1 });
    renderer.onEvent({ type: 'progress', at: at(1), actionId: 0, phase: 'building index: scanning table', fraction: 0.1 });
    renderer.onEvent({ type: 'progress', at: at(2), actionId: 0, phase: 'building index: scanning table', fraction: 0.11 });
    await renderer.finish();
    expect(written).toEqual([
      '2026-11-25T10:00:00Z  planned   1 action on 1 table, 1 at a time\n',
      '2026-11-25T10:00:01Z  progress  public.users idx_users_email 10% building index: scanning table\n',
    ]);
  });
});
