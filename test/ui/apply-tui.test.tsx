import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { ApplyEvent, PlannedAction } from '../../src/core/events.js';
import { createApplyRenderer } from '../../src/ui/apply-renderer.js';
import { reduceAll } from '../../src/ui/apply-state.js';
import { ApplyApp } from '../../src/ui/apply-tui.js';
import { PLAIN, palette } from '../../src/ui/color.js';

const T = Date.parse('2026-11-25T10:00:00Z');
const at = (seconds: number) => T + seconds * 1000;
const users = { schema: 'public', name: 'users' };
const orders = { schema: 'public', name: 'orders' };
const events = { schema: 'public', name: 'events' };

const actions: PlannedAction[] = [
  { id: 0, kind: 'create', table: users, index: 'idx_users_email', reason: 'not in database', stepCount: 2 },
  { id: 1, kind: 'replace', table: orders, index: 'idx_orders_created_at', reason: 'definition changed', stepCount: 3 },
  { id: 2, kind: 'create', table: events, index: 'idx_events_at', reason: 'not in database', stepCount: 5 },
];

const planned: ApplyEvent = { type: 'planned', at: at(0), actions, concurrency: 2 };
const startUsers: ApplyEvent[] = [
  { type: 'action-started', at: at(0), actionId: 0, pid: 4242 },
  { type: 'step-started', at: at(0), actionId: 0, step: 0, kind: 'build', sql: 'CREATE UNIQUE INDEX CONCURRENTLY idx_users_email ON public.users USING btree (email)' },
];
const progress = (fraction: number, seconds: number, phase = 'building index: scanning table'): ApplyEvent => ({
  type: 'progress',
  at: at(seconds),
  actionId: 0,
  phase,
  fraction,
  etaMs: 10_000,
});
const usersFailed: ApplyEvent = {
  type: 'action-failed',
  at: at(6),
  actionId: 0,
  durationMs: 6_000,
  error: { message: 'could not create unique index "idx_users_email"', code: '23505', detail: 'Key (email)=(a@b.example) is duplicated.' },
  cleanedUp: ['idx_users_email'],
  leftBehind: [],
};
const ordersWaiting: ApplyEvent[] = [
  { type: 'action-started', at: at(1), actionId: 1, pid: 4243 },
  { type: 'step-started', at: at(1), actionId: 1, step: 0, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY idx_orders_created_at_new ON public.orders (created_at)' },
  { type: 'progress', at: at(3), actionId: 1, phase: 'waiting for old snapshots', fraction: 0.95 },
  {
    type: 'waiting',
    at: at(3),
    actionId: 1,
    what: 'old snapshots (transactions older than the build)',
    blockers: [{ pid: 123, state: 'idle in transaction', query: 'UPDATE users SET last_login = now() WHERE id = $1', transactionSeconds: 125 }],
  },
];

/** The frame as a person sees it: no colour codes, no trailing blanks. */
function frame(lastFrame: () => string | undefined): string {
  return stripVTControlCharacters(lastFrame() ?? '')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** A line with `right` flush against the right edge, as rows print their times. */
function edge(left: string, right: string, width = 100): string {
  return `${left}${' '.repeat(width - Array.from(left).length - Array.from(right).length)}${right}`;
}

function show(eventList: readonly ApplyEvent[], now: number, columns = 100) {
  return render(<ApplyApp view={reduceAll(eventList)} now={now} columns={columns} colors={PLAIN} />);
}

afterEach(() => {
  cleanup();
});

describe('apply screen', () => {
  it('shows each running build with its phase, bar, elapsed time and time left', () => {
    const { lastFrame } = show([planned, ...startUsers, progress(0.42, 5), ...ordersWaiting], at(5));
    expect(frame(lastFrame)).toBe(
      [
        'Applying 3 actions on 3 tables, 2 at a time',
        '',
        'Overall ██████████████████░░░░░░░░░░░░░░░░░░░░░░ 0/3 finished  5.0s',
        edge('● running   + public.users idx_users_email', '5.0s'),
        '    █████████████░░░░░░░░░░░░░░░░░  42%  ~10.0s left  building index: scanning table',
        edge('● running   ~ public.orders idx_orders_created_at', '4.0s'),
        '    █████████████████████████████░  95%  ~211ms left  waiting for old snapshots',
        '    waiting 2.0s for old snapshots (transactions older than the build)',
        '      blocked by pid 123 (idle in transaction, open 2m05s: UPDATE users SET last_login = now() WHER…',
        '○ pending   + public.events idx_events_at',
      ].join('\n'),
    );
  });

  it('moves the bar as progress comes in', () => {
    const filled = (text: string) => {
      const line = text.split('\n').find((l) => l.includes('building index'));
      return line?.match(/█/g)?.length ?? 0;
    };
    const { lastFrame, rerender } = show([planned, ...startUsers, progress(0.2, 2)], at(2));
    const before = filled(frame(lastFrame));
    expect(frame(lastFrame)).toContain(' 20%  ');
    rerender(<ApplyApp view={reduceAll([planned, ...startUsers, progress(0.2, 2), progress(0.7, 4)])} now={at(4)} columns={100} colors={PLAIN} />);
    const after = filled(frame(lastFrame));
    expect(frame(lastFrame)).toContain(' 70%  ');
    expect(before).toBe(6);
    expect(after).toBe(21);
  });

  it('names the session a build waits for, and its query', () => {
    const { lastFrame } = show([planned, ...ordersWaiting], at(4));
    const text = frame(lastFrame);
    expect(text).toContain('    waiting 1.0s for old snapshots (transactions older than the build)');
    expect(text).toContain('      blocked by pid 123 (idle in transaction, open 2m05s: UPDATE users SET last_login = now() WHER…');
  });

  it('counts a retry down, then says it runs again', () => {
    const retried: ApplyEvent[] = [
      planned,
      { type: 'action-started', at: at(0), actionId: 1, pid: 4243 },
      { type: 'step-started', at: at(0), actionId: 1, step: 1, kind: 'swap', sql: 'ALTER INDEX …' },
      { type: 'retry', at: at(5), actionId: 1, attempt: 1, retries: 3, delayMs: 2_000, error: { message: 'canceling statement due to lock timeout', code: '55P03' } },
    ];
    expect(frame(show(retried, at(5.5)).lastFrame)).toContain('    retry 1/3 in 1.5s after: canceling statement due to lock timeout');
    expect(frame(show(retried, at(8)).lastFrame)).toContain('    retry 1/3 running after: canceling statement due to lock timeout');
  });

  it('prints a failed build with the database error, and what was cleaned up', () => {
    const { lastFrame } = show([planned, ...startUsers, progress(0.42, 5), usersFailed], at(6));
    expect(frame(lastFrame)).toBe(
      [
        'Applying 3 actions on 3 tables, 2 at a time',
        '',
        edge('✗ failed    + public.users idx_users_email', '6.0s'),
        '    could not create unique index "idx_users_email" (23505)',
        '    Key (email)=(a@b.example) is duplicated.',
        '    dropped idx_users_email again',
        'Overall █████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░ 1/3 finished, 1 failed  6.0s',
        '○ pending   ~ public.orders idx_orders_created_at',
        '○ pending   + public.events idx_events_at',
      ].join('\n'),
    );
  });

  it('marks actions that never started, without a duration', () => {
    const { lastFrame } = show(
      [
        planned,
        {
          type: 'action-failed',
          at: at(1),
          actionId: 1,
          durationMs: 0,
          error: { message: 'not run: create of idx_x on public.orders failed before it' },
          cleanedUp: [],
          leftBehind: [],
        },
        { type: 'action-cancelled', at: at(2), actionId: 2, cleanedUp: [], leftBehind: [] },
      ],
      at(2),
    );
    expect(frame(lastFrame).split('\n').slice(2, 5)).toEqual([
      '✗ failed    ~ public.orders idx_orders_created_at  not started',
      '    not run: create of idx_x on public.orders failed before it',
      '⊘ cancelled + public.events idx_events_at  not started',
    ]);
  });

  it('shows partitions of a partitioned build as rows under it', () => {
    const p2024 = { schema: 'public', name: 'events_2024' };
    const p2025 = { schema: 'public', name: 'events_2025' };
    const { lastFrame } = show(
      [
        planned,
        { type: 'action-started', at: at(0), actionId: 2, pid: 4244 },
        { type: 'step-started', at: at(0), actionId: 2, step: 0, kind: 'build-parent', sql: 'CREATE INDEX idx_events_at ON ONLY public.events (at)' },
        { type: 'step-started', at: at(1), actionId: 2, step: 1, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY …', partition: p2024 },
        { type: 'step-started', at: at(3), actionId: 2, step: 2, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY …', partition: p2025 },
        { type: 'progress', at: at(4), actionId: 2, phase: 'building index: loading tuples in tree', fraction: 0.5, partition: p2025 },
      ],
      at(4),
    );
    const text = frame(lastFrame);
    expect(text).toContain('    ✓ public.events_2024  built');
    expect(text).toContain('    ● public.events_2025  ████████░░░░░░░░  50%  building index: loading tuples in tree');
  });

  it('ends with the verification and the summary', () => {
    const { lastFrame } = show(
      [
        planned,
        ...startUsers,
        usersFailed,
        { type: 'action-started', at: at(1), actionId: 1, pid: 4243 },
        { type: 'action-done', at: at(7), actionId: 1, durationMs: 6_000 },
        { type: 'action-started', at: at(2), actionId: 2, pid: 4244 },
        { type: 'action-done', at: at(8), actionId: 2, durationMs: 6_300 },
        { type: 'verified', at: at(9), inSync: true, differences: [] },
        { type: 'summary', at: at(9), done: 2, failed: 1, skipped: 0, cancelled: 0, durationMs: 9_000, interrupted: false },
      ],
      at(30),
    );
    const lines = frame(lastFrame).split('\n');
    expect(lines.slice(-4)).toEqual([
      'Overall ████████████████████████████████████████ 3/3 finished, 1 failed  9.0s',
      '',
      'In sync: the database matches the manifest.',
      'Applied 3 actions in 9.0s: 2 done, 1 failed.',
    ]);
    // Finished rows come first, in the order they finished.
    expect(lines.filter((l) => /^[✓✗]/.test(l))).toEqual([
      edge('✗ failed    + public.users idx_users_email', '6.0s'),
      edge('✓ done      ~ public.orders idx_orders_created_at', '6.0s'),
      edge('✓ done      + public.events idx_events_at', '6.3s'),
    ]);
  });

  it('fits a 40-column terminal: shorter lines, phase on its own line, nothing wrapped', () => {
    const { lastFrame } = show([planned, ...startUsers, progress(0.42, 5), ...ordersWaiting, usersFailed], at(6), 40);
    const text = frame(lastFrame);
    expect(text).toBe(
      [
        'Applying 3 actions on 3 tables, 2 at a …',
        '',
        '✗ + public.users idx_users_email    6.0s',
        '    could not create unique index',
        '    "idx_users_email" (23505)',
        '    Key (email)=(a@b.example) is',
        '    duplicated.',
        '    dropped idx_users_email again',
        '███████░░░░ 1/3 finished, 1 failed  6.0s',
        '● ~ public.orders idx_orders_creat… 5.0s',
        '    waiting for old snapshots',
        '    ██████████████████░  95% ~263ms left',
        '    waiting 3.0s for old snapshots (tra…',
        '      blocked by pid 123 (idle in trans…',
        '○ + public.events idx_events_at',
      ].join('\n'),
    );
    for (const line of text.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(40);
  });

  it('paints with the palette it is given, and only then', () => {
    const colored = render(<ApplyApp view={reduceAll([planned, ...startUsers, progress(0.42, 5)])} now={at(5)} columns={100} colors={palette(true)} />);
    const plain = render(<ApplyApp view={reduceAll([planned, ...startUsers, progress(0.42, 5)])} now={at(5)} columns={100} colors={PLAIN} />);
    expect(colored.lastFrame()).toContain('\u001b[');
    expect(plain.lastFrame()).not.toContain('\u001b[');
    expect(frame(colored.lastFrame)).toBe(frame(plain.lastFrame));
  });

  it('keeps the live part below the terminal height, so Ink never redraws the whole screen', () => {
    const busy = [planned, ...startUsers, progress(0.42, 5), ...ordersWaiting, { type: 'action-started', at: at(2), actionId: 2, pid: 4244 } as const];
    const live = (rows: number) => {
      const { lastFrame } = render(<ApplyApp view={reduceAll(busy)} now={at(5)} columns={100} rows={rows} colors={PLAIN} />);
      // The static title and its blank line are not part of the live region.
      return frame(lastFrame).split('\n').slice(2);
    };
    expect(live(40)).toHaveLength(9);
    expect(live(8).map((line) => line.slice(0, 40).trimEnd())).toEqual([
      'Overall ██████████████████░░░░░░░░░░░░░░',
      '● running   + public.users idx_users_ema',
      '    █████████████░░░░░░░░░░░░░░░░░  42%',
      '● running   ~ public.orders idx_orders_c',
      '    █████████████████████████████░  95%',
      '● running   + public.events idx_events_a',
      '    starting',
    ]);
    expect(live(6).map((line) => line.slice(0, 40).trimEnd())).toEqual([
      'Overall ██████████████████░░░░░░░░░░░░░░',
      '● running   + public.users idx_users_ema',
      '    █████████████░░░░░░░░░░░░░░░░░  42%',
      '… and 2 more running',
    ]);
  });

  it('lists a few pending actions and counts the rest', () => {
    const many: PlannedAction[] = Array.from({ length: 9 }, (_, id) => ({ id, kind: 'create', table: users, index: `idx_${id}`, reason: 'x', stepCount: 1 }));
    const { lastFrame } = render(
      <ApplyApp view={reduceAll([{ type: 'planned', at: at(0), actions: many, concurrency: 1 }])} now={at(0)} columns={60} colors={PLAIN} maxPendingRows={3} />,
    );
    expect(frame(lastFrame).split('\n').slice(3)).toEqual([
      '○ pending   + public.users idx_0',
      '○ pending   + public.users idx_1',
      '○ pending   + public.users idx_2',
      '… and 6 more pending',
    ]);
  });
});

/** A terminal for Ink's real (non-debug) renderer: collects everything written to it. */
class FakeTerminal extends EventEmitter {
  columns = 100;
  rows = 40;
  isTTY = true;
  written = '';
  /** Writes so far: a frame is one or a few (Static output, then the live rows). */
  writes = 0;
  private readonly waiters: (() => void)[] = [];
  write(chunk: string): boolean {
    this.written += chunk;
    this.writes += 1;
    for (const wake of this.waiters.splice(0)) wake();
    return true;
  }
  /** Resolves once something was written after the first `writes` writes. */
  drawnAfter(writes: number): Promise<void> {
    if (this.writes > writes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Ink's own test (is-in-ci): with CI or CONTINUOUS_INTEGRATION set, it draws live rows only when it ends. */
const INK_DRAWS_EVERY_FRAME = !['CI', 'CONTINUOUS_INTEGRATION'].some((name) => name in process.env && process.env[name] !== '0' && process.env[name] !== 'false');

describe('tui renderer', () => {
  it('prints finished rows once, through Static, and the summary last', async () => {
    const terminal = new FakeTerminal();
    let now = at(0);
    const renderer = createApplyRenderer('tui', { write: () => undefined, isTTY: true, stream: terminal as unknown as NodeJS.WriteStream }, PLAIN, () => now);
    // Each event gets a frame of its own: the next is sent only once the last was drawn (Ink draws at
    // most every 33 ms and would otherwise draw several events at once). Under CI (its `is-in-ci`
    // check) Ink writes only Static rows until the end, so there is no frame to wait for.
    const draw = async (event: ApplyEvent) => {
      const writes = terminal.writes;
      now = event.at;
      renderer.onEvent(event);
      if (INK_DRAWS_EVERY_FRAME) await terminal.drawnAfter(writes);
    };
    for (const event of [planned, ...startUsers, { type: 'action-done', at: at(2), actionId: 0, durationMs: 2_000 } as const, ...ordersWaiting]) {
      await draw(event);
    }
    for (let second = 4; second < 8; second += 1) {
      await draw({ type: 'progress', at: at(second), actionId: 1, phase: 'index validation: scanning table', fraction: 0.8 + second / 100 });
    }
    renderer.onEvent({ type: 'action-done', at: at(8), actionId: 1, durationMs: 7_000 });
    renderer.onEvent({ type: 'summary', at: at(9), done: 2, failed: 0, skipped: 0, cancelled: 1, durationMs: 9_000, interrupted: false });
    await renderer.finish();

    const output = stripVTControlCharacters(terminal.written);
    const count = (text: string) => output.split(text).length - 1;
    expect(count('✓ done      + public.users idx_users_email')).toBe(1);
    expect(count('✓ done      ~ public.orders idx_orders_created_at')).toBe(1);
    expect(count('Applying 3 actions on 3 tables, 2 at a time')).toBe(1);
    expect(output.trimEnd().split('\n').at(-1)?.trimEnd()).toBe('Applied 3 actions in 9.0s: 2 done, 1 cancelled.');
    // A second finish is harmless.
    await renderer.finish();
  });

  it('refuses to start without a stream to draw on', () => {
    expect(() => createApplyRenderer('tui', { write: () => undefined, isTTY: true }, PLAIN)).toThrow(/needs a terminal stream/);
  });
});
