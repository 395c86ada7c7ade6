/* A plan with one action of every kind, for renderer tests. */
import type { BloatFacts } from '../../src/core/bloat.js';
import { computePlan } from '../../src/core/plan.js';
import { planDocument, type PlanDocument } from '../../src/core/plan-document.js';
import { indexKey } from '../../src/core/model.js';
import { column, desiredIndex, desiredState, desiredTable, expression, liveIndex, liveState, liveTable } from './model-builders.js';

export function samplePlan(): PlanDocument {
  const users = liveTable('users', ['id', 'email', 'role', 'refresh_token', 'last_login'], { sizeBytes: 42 * 1024 * 1024, estimatedRows: 1_234_567 });
  const sessions = liveTable('sessions', ['id', 'user_id'], { sizeBytes: 8192, estimatedRows: undefined });
  const events = liveTable('events', ['id', 'at'], { sizeBytes: 3 * 1024 ** 3, estimatedRows: 40_000_000 });
  const desired = desiredState([
    desiredTable(
      'users',
      [
        desiredIndex('users', 'idx_users_email_lower', { unique: true, columns: [expression('lower(email)')], comment: 'Login lookup' }),
        desiredIndex('users', 'idx_users_refresh', { columns: [column('refresh_token')], where: 'refresh_token IS NOT NULL' }),
        desiredIndex('users', 'idx_users_role', { columns: [column('role')] }),
        desiredIndex('users', 'idx_users_last_login', { columns: [column('last_login', { order: 'desc' })], comment: 'Activity' }),
        desiredIndex('users', 'idx_users_id', { unique: true, columns: [column('id')] }),
      ],
      { prune: true },
    ),
    desiredTable('sessions', [desiredIndex('sessions', 'idx_sessions_user', { columns: [column('user_id')] })]),
    desiredTable('events', [desiredIndex('events', 'idx_events_at', { columns: [column('at')] })], { maintenance: { maxBloat: 0.4, minBloatBytes: 64 * 1024 * 1024 } }),
  ]);
  const live = liveState(
    [users, sessions, events],
    [
      liveIndex('events', 'idx_events_at', 'CREATE INDEX idx_events_at ON public.events USING btree (at)'),
      liveIndex('users', 'idx_users_refresh', 'CREATE INDEX idx_users_refresh ON public.users USING btree (refresh_token)'),
      liveIndex('users', 'users_role_idx', 'CREATE INDEX users_role_idx ON public.users USING btree (role)'),
      liveIndex('users', 'idx_users_last_login', 'CREATE INDEX idx_users_last_login ON public.users USING btree (last_login DESC)', { comment: 'old' }),
      liveIndex('users', 'idx_users_id', 'CREATE UNIQUE INDEX idx_users_id ON public.users USING btree (id)', { valid: false, ready: false }),
      liveIndex('users', 'users_legacy', 'CREATE INDEX users_legacy ON public.users USING hash (email)'),
      liveIndex('sessions', 'sessions_misc', 'CREATE INDEX sessions_misc ON public.sessions USING btree (id)'),
      liveIndex('sessions', 'sessions_user_ccnew', 'CREATE INDEX sessions_user_ccnew ON public.sessions USING btree (user_id)', { valid: false, build: { pid: 777, phase: 'building index: scanning table' } }),
    ],
  );
  const canonical = {
    desired: new Map([
      [indexKey('public', 'idx_users_email_lower'), { ok: true as const, definition: 'CREATE UNIQUE INDEX idx_users_email_lower ON public.users USING btree (lower(email))' }],
      [indexKey('public', 'idx_users_refresh'), { ok: true as const, definition: 'CREATE INDEX idx_users_refresh ON public.users USING btree (refresh_token) WHERE (refresh_token IS NOT NULL)' }],
      [indexKey('public', 'idx_users_role'), { ok: true as const, definition: 'CREATE INDEX idx_users_role ON public.users USING btree (role)' }],
      [indexKey('public', 'idx_users_last_login'), { ok: true as const, definition: 'CREATE INDEX idx_users_last_login ON public.users USING btree (last_login DESC)' }],
      [indexKey('public', 'idx_users_id'), { ok: true as const, definition: 'CREATE UNIQUE INDEX idx_users_id ON public.users USING btree (id)' }],
      [indexKey('public', 'idx_sessions_user'), { ok: true as const, definition: 'CREATE INDEX idx_sessions_user ON public.sessions USING btree (user_id)' }],
      [indexKey('public', 'idx_events_at'), { ok: true as const, definition: 'CREATE INDEX idx_events_at ON public.events USING btree (at)' }],
    ]),
    live: new Map<string, string>(),
  };
  // 1.3 GB, of which a fresh build would take 0.5 GB.
  const bloat: BloatFacts = {
    method: 'estimated',
    indexes: new Map([[indexKey('public', 'idx_events_at'), { kind: 'estimated', sizeBytes: 1_395_864_371, expectedBytes: 536_870_912, wastedBytes: 858_993_459, ratio: 0.6154 }]]),
    leaves: new Map(),
  };
  const plan = computePlan(desired, live, canonical, { allowEmpty: false, allowLockingDrops: false, bloat });
  if (plan.problems.length > 0) throw new Error(JSON.stringify(plan.problems));
  return planDocument({ plan, live, manifestFile: 'indexes.yaml', manifestSha256: 'a'.repeat(64), searchPath: ['pg_catalog', 'public'], now: new Date('2026-01-02T03:04:05Z') });
}

/**
 * A plan over indexes someone created by SQL with line breaks and terminal escapes in their names (and
 * a line break inside a literal of a predicate): what a renderer must never print raw.
 */
export function hostilePlan(): PlanDocument {
  const docs = liveTable('docs', ['id', 'body', 'note'], { sizeBytes: 8192, estimatedRows: 10 });
  const logs = liveTable('logs', ['id'], { sizeBytes: 8192, estimatedRows: 10 });
  const desired = desiredState([
    desiredTable(
      'docs',
      [
        desiredIndex('docs', 'docs_body', { columns: [column('body')] }),
        desiredIndex('docs', 'docs_note', { columns: [column('note')], where: "note <> 'a'" }),
      ],
      { prune: true },
    ),
    desiredTable('logs', [desiredIndex('logs', 'logs_id', { columns: [column('id')] })]),
  ]);
  const live = liveState(
    [docs, logs],
    [
      liveIndex('docs', 'body\n+ docs_body', 'CREATE INDEX "body\n+ docs_body" ON public.docs USING btree (body)'),
      liveIndex('docs', 'docs_note', "CREATE INDEX docs_note ON public.docs USING btree (note) WHERE (note <> 'x\n+ y'::text)"),
      liveIndex('docs', 'evil\n+ idx_forged | `x`', 'CREATE INDEX "evil\n+ idx_forged | `x`" ON public.docs USING btree (id)'),
      liveIndex('logs', 'logs_id', 'CREATE INDEX logs_id ON public.logs USING btree (id)'),
      liveIndex('logs', '\u001b[2Jwipe', 'CREATE INDEX "\u001b[2Jwipe" ON public.logs USING btree (id)'),
    ],
  );
  const canonical = {
    desired: new Map([
      [indexKey('public', 'docs_body'), { ok: true as const, definition: 'CREATE INDEX docs_body ON public.docs USING btree (body)' }],
      [indexKey('public', 'docs_note'), { ok: true as const, definition: "CREATE INDEX docs_note ON public.docs USING btree (note) WHERE (note <> 'a'::text)" }],
      [indexKey('public', 'logs_id'), { ok: true as const, definition: 'CREATE INDEX logs_id ON public.logs USING btree (id)' }],
    ]),
    live: new Map<string, string>(),
  };
  const plan = computePlan(desired, live, canonical, { allowEmpty: false, allowLockingDrops: false });
  if (plan.problems.length > 0) throw new Error(JSON.stringify(plan.problems));
  return planDocument({ plan, live, manifestFile: 'indexes.yaml', manifestSha256: 'a'.repeat(64), searchPath: ['pg_catalog', 'public'], now: new Date('2026-01-02T03:04:05Z') });
}
