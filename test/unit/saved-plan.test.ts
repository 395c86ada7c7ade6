/* A saved plan is applied only when what would run now equals it: every way it can differ, and its message. */
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/actions.js';
import { PLAN_FORMAT_VERSION, type PlanDocument } from '../../src/core/plan-document.js';
import { firstDifference, savedPlanStaleness, type CurrentPlan } from '../../src/core/saved-plan.js';
import { summarise, hasChanges } from '../../src/core/actions.js';
import { column, createAction, dropAction, index, renameAction, replaceAction, skipAction, commentAction } from '../helpers/plan-fixtures.js';

const SHA = 'a'.repeat(64);
const FINGERPRINT = 'f'.repeat(64);

function document(actions: readonly Action[], overrides: { sha?: string; fingerprint?: string; file?: string } = {}): PlanDocument {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z',
    manifest: { file: overrides.file ?? 'indexes.yaml', sha256: overrides.sha ?? SHA },
    database: { serverVersion: '18.4', catalogFingerprint: overrides.fingerprint ?? FINGERPRINT },
    summary: summarise(actions),
    changes: hasChanges(actions),
    actions,
    unmanaged: [],
    warnings: [],
  };
}

function now(actions: readonly Action[], extra: Partial<CurrentPlan> = {}, overrides: { fingerprint?: string } = {}): CurrentPlan {
  return { manifestSha256: SHA, missingTables: [], problems: 0, document: document(actions, overrides), ...extra };
}

const email = index('users', 'idx_users_email', { columns: [column('email')] });
const CREATE = createAction(email);
const DROP = dropAction('users', 'users_old');
const PLAN: readonly Action[] = [CREATE, DROP];

/** A copy of the action with its step `step` replaced. */
function withStep(action: Action, step: number, change: Partial<Action['steps'][number]>): Action {
  return { ...action, steps: action.steps.map((s, i) => (i === step ? { ...s, ...change } : s)) } as Action;
}

describe('firstDifference', () => {
  it('finds none in the same actions, whatever their cost, reason or a running build says', () => {
    const later = [{ ...CREATE, cost: { tableBytes: 999_999, estimatedRows: 12 }, reason: 'worded otherwise' }, DROP, skipAction('users', 'b', 42)];
    expect(firstDifference([...PLAN, skipAction('users', 'b', 7)], later)).toBeUndefined();
    expect(firstDifference([], [])).toBeUndefined();
  });

  it('names an edited statement by action and step', () => {
    const edited = withStep(CREATE, 0, { sql: ['CREATE INDEX CONCURRENTLY idx_users_email ON public.users USING btree (email); DROP TABLE users'] });
    expect(firstDifference([edited, DROP], PLAN)).toBe(
      'action 1 (create public.users.idx_users_email), step 1: the saved SQL differs from what the manifest and database give now',
    );
    const extraStatement = withStep(DROP, 0, { sql: [...DROP.steps[0]!.sql, 'DROP TABLE users'] });
    expect(firstDifference([CREATE, extraStatement], PLAN)).toBe(
      'action 2 (drop public.users.users_old), step 1: the saved SQL differs from what the manifest and database give now',
    );
  });

  it('names a changed step kind, a changed cleanup target and an added or removed step', () => {
    expect(firstDifference([withStep(CREATE, 0, { kind: 'drop' }), DROP], PLAN)).toBe(
      'action 1 (create public.users.idx_users_email), step 1: the saved step is a drop step where what the manifest and database give now is a build step',
    );
    expect(firstDifference([withStep(CREATE, 0, { creates: { schema: 'public', name: 'users_pkey' } }), DROP], PLAN)).toBe(
      'action 1 (create public.users.idx_users_email), step 1: the index the saved step creates (and drops again on failure) differs from what the manifest and database give now',
    );
    expect(firstDifference([withStep(CREATE, 0, { partition: { schema: 'public', name: 'users_2024' } }), DROP], PLAN)).toBe(
      'action 1 (create public.users.idx_users_email), step 1: the partition the saved step works on differs from what the manifest and database give now',
    );
    const longer = { ...CREATE, steps: [...CREATE.steps, { kind: 'analyze' as const, sql: ['ANALYZE public.users'] }] };
    expect(firstDifference([longer, DROP], PLAN)).toBe(
      'action 1 (create public.users.idx_users_email): the saved plan has 2 steps where what the manifest and database give now has 1',
    );
  });

  it('names an action added, removed, reordered or pointed elsewhere', () => {
    expect(firstDifference([CREATE], PLAN)).toBe(
      'action 2 (drop public.users.users_old) is what the manifest and database give now, and it is not in the saved plan',
    );
    expect(firstDifference([...PLAN, dropAction('users', 'users_pkey')], PLAN)).toBe(
      'action 3 (drop public.users.users_pkey) is in the saved plan, and not what the manifest and database give now',
    );
    expect(firstDifference([DROP, CREATE], PLAN)).toBe(
      'action 1 is drop public.users.users_old in the saved plan, where what the manifest and database give now is create public.users.idx_users_email',
    );
    expect(firstDifference([CREATE, { ...DROP, table: { schema: 'public', name: 'orders' } }], PLAN)).toBe(
      'action 2 is drop public.orders.users_old in the saved plan, where what the manifest and database give now is drop public.users.users_old',
    );
    const rename = renameAction('users', 'users_a', 'users_b');
    expect(firstDifference([{ ...rename, from: 'users_pkey' }], [rename])).toBe(
      'action 1 is rename public.users.users_pkey to users_b in the saved plan, where what the manifest and database give now is rename public.users.users_a to users_b',
    );
  });

  it('names an edited definition or comment, which is what a reviewer reads', () => {
    const replace = replaceAction(email, 'CREATE INDEX idx_users_email ON public.users USING btree (lower(email))');
    expect(firstDifference([{ ...replace, newDefinition: 'harmless' }], [replace])).toBe(
      'action 1 (replace public.users.idx_users_email): the saved newDefinition differs from what the manifest and database give now',
    );
    const comment = commentAction('users', 'idx_users_email', 'Login');
    expect(firstDifference([{ ...comment, to: 'Other' }], [comment])).toBe(
      'action 1 (comment public.users.idx_users_email): the saved to differs from what the manifest and database give now',
    );
    expect(firstDifference([{ ...DROP, locking: true }], [DROP])).toBe(
      'action 1 (drop public.users.users_old): the saved locking differs from what the manifest and database give now',
    );
  });

  it('shows control characters in names from the file escaped', () => {
    expect(firstDifference([{ ...DROP, index: 'x\nError: forged' }], [DROP])).toBe(
      'action 1 is drop public.users.x\\nError: forged in the saved plan, where what the manifest and database give now is drop public.users.users_old',
    );
  });
});

describe('savedPlanStaleness', () => {
  it('accepts a saved plan equal to what would run now', () => {
    expect(savedPlanStaleness(document(PLAN), now(PLAN))).toBeUndefined();
  });

  it('checks the manifest first, then missing tables, then plan-time problems, then the catalog, then the actions', () => {
    const edited = [withStep(CREATE, 0, { sql: ['DROP TABLE users'] }), DROP];
    const everything = now([DROP], { manifestSha256: 'b'.repeat(64), missingTables: [{ schema: 'public', name: 'users' }], problems: 2 }, { fingerprint: 'e'.repeat(64) });
    expect(savedPlanStaleness(document(edited), everything)).toEqual({
      cause: 'manifest',
      reason: `indexes.yaml changed since the plan was made (sha256 ${'a'.repeat(12)} then, ${'b'.repeat(12)} now).`,
    });
    expect(savedPlanStaleness(document(edited), { ...everything, manifestSha256: SHA })).toEqual({
      cause: 'tables',
      reason: 'table public.users no longer exists (it was renamed or dropped since the plan was made).',
    });
    expect(
      savedPlanStaleness(document(edited), { ...everything, manifestSha256: SHA, missingTables: [{ schema: 'public', name: 'users' }, { schema: 'app', name: 'orders' }] }),
    ).toEqual({ cause: 'tables', reason: 'tables public.users, app.orders no longer exist (they were renamed or dropped since the plan was made).' });
    expect(savedPlanStaleness(document(edited), { ...everything, manifestSha256: SHA, missingTables: [] })).toEqual({
      cause: 'problems',
      reason: 'the database changed since the plan was made, and the plan cannot be made now: 2 problems in indexes.yaml.',
    });
    expect(savedPlanStaleness(document(edited), { ...everything, manifestSha256: SHA, missingTables: [], problems: 0 })).toEqual({
      cause: 'catalog',
      reason: 'the indexes of the declared tables changed since the plan was made (no longer needed: create idx_users_email on public.users).',
    });
    expect(savedPlanStaleness(document(edited), now(PLAN))).toEqual({
      cause: 'actions',
      reason: 'action 1 (create public.users.idx_users_email), step 1: the saved SQL differs from what the manifest and database give now.',
    });
  });

  it('says so when the catalog changed but not the actions', () => {
    expect(savedPlanStaleness(document(PLAN), now(PLAN, {}, { fingerprint: 'e'.repeat(64) }))).toEqual({
      cause: 'catalog',
      reason: 'the indexes of the declared tables changed since the plan was made (validity, comments or definitions of indexes the plan does not change).',
    });
  });

  it('refuses a plan whose names resolved through another search_path: the same statements would mean other objects', () => {
    const withPath = (doc: PlanDocument, searchPath: string[]): PlanDocument => ({ ...doc, database: { ...doc.database, searchPath } });
    const current = now(PLAN);
    const then = withPath(document(PLAN), ['pg_catalog', 'public']);
    expect(savedPlanStaleness(then, { ...current, document: withPath(current.document, ['pg_catalog', 'public']) })).toBeUndefined();
    expect(savedPlanStaleness(then, { ...current, document: withPath(current.document, ['pg_catalog', 'extensions', 'public']) })).toEqual({
      cause: 'search-path',
      reason: "the search_path the manifest's names resolve through changed since the plan was made (pg_catalog, public then, pg_catalog, extensions, public now).",
    });
  });
});
