import { describe, expect, it } from 'vitest';
import { indexKey, type DesiredIndex, type LiveIndex } from '../../src/core/model.js';
import { computePlan, type CanonicalForm } from '../../src/core/plan.js';
import { classifyDeclared, classifyLive, type ClassifyInputs } from '../../src/core/plan-classify.js';
import { column, desiredIndex, desiredState, desiredTable, expression, liveIndex, liveState, liveTable } from '../helpers/model-builders.js';

const DEF = 'CREATE INDEX t_a ON public.t USING btree (a)';
const OTHER = 'CREATE INDEX t_a ON public.t USING btree (b)';
const declared = desiredIndex('t', 't_a', { columns: [column('a')] });

function inputs(extra: Partial<ClassifyInputs> = {}, form: CanonicalForm | null = { ok: true, definition: DEF }): ClassifyInputs {
  return {
    canonical: { desired: new Map(form ? [[indexKey('public', 't_a'), form]] : []), live: new Map() },
    failedChecks: new Map(),
    twins: new Map(),
    partitioned: false,
    ...extra,
  };
}

describe('classifyDeclared: one case for each declared index', () => {
  const live = (extra: Partial<LiveIndex> = {}, definition = DEF) => liveIndex('t', 't_a', definition, extra);
  it.each<[string, DesiredIndex, LiveIndex | undefined, ClassifyInputs, string]>([
    ['failed a check', declared, undefined, inputs({ failedChecks: new Map([['t_a', []]]) }), 'unchecked'],
    ['no canonical form', declared, undefined, inputs({}, null), 'no-canonical-form'],
    ['refused by the server', declared, undefined, inputs({}, { ok: false, message: 'nope' }), 'refused'],
    ['missing', declared, undefined, inputs(), 'missing'],
    ['missing, with a twin', declared, undefined, inputs({ twins: new Map([['t_a', liveIndex('t', 'old', DEF)]]) }), 'twin-for-rename'],
    ['owned by a constraint', declared, live({ constraint: { name: 't_a', type: 'u' } }), inputs(), 'owned'],
    ['being built', declared, live({ valid: false, build: { pid: 7, phase: 'building index' } }), inputs(), 'building'],
    ['kept and different', declared, live({ replicaIdentity: true }, OTHER), inputs(), 'kept-changed'],
    ['kept and invalid', declared, live({ replicaIdentity: true, valid: false }), inputs(), 'kept-changed'],
    ['kept and the same', declared, live({ replicaIdentity: true }), inputs(), 'same'],
    ['invalid on a plain table', declared, live({ valid: false }), inputs(), 'invalid'],
    ['invalid on a partitioned table, same definition', declared, live({ valid: false, partitioned: true }), inputs({ partitioned: true }), 'half-built'],
    ['invalid on a partitioned table, changed', declared, live({ valid: false, partitioned: true }, OTHER), inputs({ partitioned: true }), 'invalid-changed'],
    ['the same', declared, live(), inputs(), 'same'],
    ['only the comment differs', { ...declared, comment: 'x' }, live(), inputs(), 'comment-only'],
    ['definition changed', declared, live({}, OTHER), inputs(), 'changed'],
    ['tablespace changed', { ...declared, tablespace: 'fast' }, live(), inputs(), 'changed'],
  ])('%s', (_, index, existing, given, kind) => {
    expect(classifyDeclared(index, existing, given).kind).toBe(kind);
  });

  it('says what changed', () => {
    expect(classifyDeclared({ ...declared, tablespace: 'fast' }, live(), inputs())).toMatchObject({ kind: 'changed', change: 'tablespace' });
    expect(classifyDeclared(declared, live({ replicaIdentity: true, valid: false }), inputs())).toMatchObject({ kind: 'kept-changed', change: 'invalid' });
    expect(classifyDeclared(declared, live({ valid: false, ready: true }), inputs())).toMatchObject({
      kind: 'invalid',
      reason: 'invalid: left by a concurrent build that failed or was cancelled',
    });
  });
});

describe('classifyLive: one case for each live index', () => {
  const table = desiredTable('t', [declared]);
  const pruned = desiredTable('t', [declared], { prune: true });
  const other = (extra: Partial<LiveIndex> = {}, name = 't_b') => liveIndex('t', name, 'CREATE INDEX t_b ON public.t USING btree (b)', extra);
  it.each<[string, LiveIndex, boolean, string]>([
    ['declared under its name', liveIndex('t', 't_a', DEF), false, 'declared'],
    ['taken over by a rename', other({}, 'twin'), false, 'twin-for-rename'],
    ['owned by a constraint', other({ constraint: { name: 't_pkey', type: 'p' } }), true, 'owned'],
    ['kept for foreign keys', other({ referencedByForeignKeys: ['u.fk'] }), true, 'kept'],
    ['invalid and being built', other({ valid: false, build: { pid: 7, phase: 'building index' } }), true, 'building'],
    ['invalid', other({ valid: false }), false, 'leftover'],
    ['under a temporary name', other({}, 't_a_reconcile_new'), false, 'leftover'],
    ['undeclared, prune on', other(), true, 'prune'],
    ['undeclared, prune off', other(), false, 'unmanaged'],
  ])('%s', (_, index, prune, kind) => {
    expect(classifyLive(index, prune ? pruned : table, new Set(['t_a']), new Set(['twin'])).kind).toBe(kind);
  });
});

describe('build steps the plan marks safe (other builds do not wait for them on 14+)', () => {
  const definitions = (indexes: readonly DesiredIndex[]) =>
    new Map<string, CanonicalForm>(indexes.map((i) => [indexKey(i.schema, i.name), { ok: true, definition: `CREATE INDEX ${i.name} ON public.${i.table} USING btree (a)` }]));
  const plan = (indexes: DesiredIndex[], table = liveTable('t', ['a', 'b'])) =>
    computePlan(desiredState([desiredTable(table.name, indexes)]), liveState([table], []), { desired: definitions(indexes), live: new Map() }, {
      allowEmpty: false,
      allowLockingDrops: false,
    });
  const builds = (result: ReturnType<typeof plan>) =>
    result.actions.flatMap((a) => a.steps.filter((s) => s.kind === 'build' || s.kind === 'build-parent').map((s) => [s.kind, s.safe]));

  it('marks a plain-column build, and no expression or partial one', () => {
    const result = plan([
      desiredIndex('t', 't_a', { columns: [column('a')] }),
      desiredIndex('t', 't_lower', { columns: [expression('lower(b)')] }),
      desiredIndex('t', 't_partial', { columns: [column('a')], where: 'b IS NOT NULL' }),
    ]);
    expect(result.problems).toEqual([]);
    expect(builds(result)).toEqual([
      ['build', true],
      ['build', undefined],
      ['build', undefined],
    ]);
  });

  it('marks every leaf build of a partitioned index, and no ON ONLY build', () => {
    const partition = (name: string) => ({ schema: 'public', name, parentSchema: 'public', parentName: 'p', isLeaf: true, sizeBytes: 8192 });
    const parent = liveTable('p', ['a'], { kind: 'partitioned', partitions: [partition('p_1'), partition('p_2')] });
    expect(builds(plan([desiredIndex('p', 'p_a', { columns: [column('a')] })], parent))).toEqual([
      ['build-parent', undefined],
      ['build', true],
      ['build', true],
    ]);
  });
});
