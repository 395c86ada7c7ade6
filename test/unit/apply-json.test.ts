import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/core/events.js';
import { applyEventJson, applyJsonVersionLine } from '../../src/ui/apply-json.js';
import { createApplyRenderer } from '../../src/ui/apply-renderer.js';
import { PLAIN } from '../../src/ui/color.js';

const T = Date.parse('2026-11-25T10:00:00Z');
const users = { schema: 'public', name: 'users' };

describe('NDJSON apply events', () => {
  it('starts with a version line', () => {
    expect(applyJsonVersionLine()).toBe('{"type":"version","formatVersion":1,"tool":"pg-index-reconciler"}');
  });

  it.each<[ApplyEvent, string]>([
    [
      { type: 'planned', at: T, concurrency: 2, actions: [{ id: 0, kind: 'create', table: users, index: 'idx_users_email', reason: 'not in database', stepCount: 2, tableBytes: 8192 }] },
      '{"type":"planned","at":"2026-11-25T10:00:00.000Z","concurrency":2,"actions":[{"id":0,"kind":"create","table":{"schema":"public","name":"users"},"index":"idx_users_email","reason":"not in database","stepCount":2,"tableBytes":8192}]}',
    ],
    [{ type: 'action-started', at: T + 1_000, actionId: 0, pid: 4242 }, '{"type":"action-started","at":"2026-11-25T10:00:01.000Z","actionId":0,"pid":4242}'],
    [
      { type: 'step-started', at: T + 1_000, actionId: 0, step: 0, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY "x"\nON public.users (email)' },
      '{"type":"step-started","at":"2026-11-25T10:00:01.000Z","actionId":0,"step":0,"kind":"build","sql":"CREATE INDEX CONCURRENTLY \\"x\\"\\nON public.users (email)"}',
    ],
    [
      { type: 'progress', at: T + 5_250, actionId: 0, phase: 'building index: scanning table', fraction: 0.42, blocksDone: 420, blocksTotal: 1000, etaMs: 12_000 },
      '{"type":"progress","at":"2026-11-25T10:00:05.250Z","actionId":0,"phase":"building index: scanning table","fraction":0.42,"blocksDone":420,"blocksTotal":1000,"etaMs":12000}',
    ],
    [
      { type: 'waiting', at: T + 6_000, actionId: 0, what: 'lock on public.users (ShareLock)', blockers: [{ pid: 123, state: 'idle in transaction', query: 'UPDATE users SET name = $1', transactionSeconds: 125 }] },
      '{"type":"waiting","at":"2026-11-25T10:00:06.000Z","actionId":0,"what":"lock on public.users (ShareLock)","blockers":[{"pid":123,"state":"idle in transaction","query":"UPDATE users SET name = $1","transactionSeconds":125}]}',
    ],
    [
      { type: 'retry', at: T + 7_000, actionId: 0, attempt: 1, retries: 3, delayMs: 2_000, error: { message: 'canceling statement due to lock timeout', code: '55P03' } },
      '{"type":"retry","at":"2026-11-25T10:00:07.000Z","actionId":0,"attempt":1,"retries":3,"delayMs":2000,"error":{"message":"canceling statement due to lock timeout","code":"55P03"}}',
    ],
    [
      {
        type: 'action-failed',
        at: T + 9_000,
        actionId: 0,
        durationMs: 8_000,
        error: { message: 'could not create unique index "idx_users_email"', code: '23505', detail: 'Key (email)=(a@b) is duplicated.' },
        cleanedUp: ['idx_users_email'],
        leftBehind: [],
      },
      '{"type":"action-failed","at":"2026-11-25T10:00:09.000Z","actionId":0,"durationMs":8000,"error":{"message":"could not create unique index \\"idx_users_email\\"","code":"23505","detail":"Key (email)=(a@b) is duplicated."},"cleanedUp":["idx_users_email"],"leftBehind":[]}',
    ],
    [{ type: 'action-done', at: T + 9_000, actionId: 1, durationMs: 4_200 }, '{"type":"action-done","at":"2026-11-25T10:00:09.000Z","actionId":1,"durationMs":4200}'],
    [{ type: 'action-cancelled', at: T + 9_000, actionId: 2, cleanedUp: [], leftBehind: ['x'] }, '{"type":"action-cancelled","at":"2026-11-25T10:00:09.000Z","actionId":2,"cleanedUp":[],"leftBehind":["x"]}'],
    [{ type: 'interrupt', at: T + 9_000, signal: 'SIGTERM' }, '{"type":"interrupt","at":"2026-11-25T10:00:09.000Z","signal":"SIGTERM"}'],
    [{ type: 'verified', at: T + 10_000, inSync: true, differences: [] }, '{"type":"verified","at":"2026-11-25T10:00:10.000Z","inSync":true,"differences":[]}'],
    [
      { type: 'summary', at: T + 10_000, done: 1, failed: 1, skipped: 0, cancelled: 1, durationMs: 10_000, interrupted: true },
      '{"type":"summary","at":"2026-11-25T10:00:10.000Z","done":1,"failed":1,"skipped":0,"cancelled":1,"durationMs":10000,"interrupted":true}',
    ],
  ])('%j', (event, line) => {
    expect(applyEventJson(event)).toBe(line);
    // Every field comes back unchanged except the time.
    expect(JSON.parse(line)).toEqual({ ...event, at: new Date(event.at).toISOString() });
  });

  it('puts type and time first whatever order the event was built in', () => {
    const event = { actionId: 1, durationMs: 5, at: T, type: 'action-done' } as const;
    expect(applyEventJson(event)).toBe('{"type":"action-done","at":"2026-11-25T10:00:00.000Z","actionId":1,"durationMs":5}');
  });
});

describe('json renderer', () => {
  it('writes the version line, then one line per event, every progress report included', async () => {
    const written: string[] = [];
    const renderer = createApplyRenderer('json', { write: (s) => written.push(s), isTTY: false }, PLAIN, () => T);
    renderer.onEvent({ type: 'action-started', at: T, actionId: 0, pid: 1 });
    renderer.onEvent({ type: 'progress', at: T + 100, actionId: 0, phase: 'initializing' });
    renderer.onEvent({ type: 'progress', at: T + 200, actionId: 0, phase: 'initializing' });
    await renderer.finish();
    expect(written.join('')).toBe(
      [
        '{"type":"version","formatVersion":1,"tool":"pg-index-reconciler"}',
        '{"type":"action-started","at":"2026-11-25T10:00:00.000Z","actionId":0,"pid":1}',
        '{"type":"progress","at":"2026-11-25T10:00:00.100Z","actionId":0,"phase":"initializing"}',
        '{"type":"progress","at":"2026-11-25T10:00:00.200Z","actionId":0,"phase":"initializing"}',
        '',
      ].join('\n'),
    );
  });

  it('writes the version line even when no event came', async () => {
    const written: string[] = [];
    await createApplyRenderer('json', { write: (s) => written.push(s), isTTY: false }, PLAIN).finish();
    expect(written).toEqual(['{"type":"version","formatVersion":1,"tool":"pg-index-reconciler"}\n']);
  });
});
