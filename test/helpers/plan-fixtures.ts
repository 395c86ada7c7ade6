/*
 * Actions for executor tests, taken from the plan itself: each builder describes a small desired and
 * live state (with the builders of ./model-builders.ts) and runs computePlan, so a change in the steps
 * the plan makes reaches the executor tests unchanged. Plus a recorder for the events the executor emits.
 */
import type { Action, CommentAction, CreateAction, DropAction, RenameAction, ReplaceAction, SkipAction } from '../../src/core/actions.js';
import type { ApplyEvent, ApplyEventType } from '../../src/core/events.js';
import { DEFAULT_SETTINGS, indexKey, type DesiredIndex, type LiveIndex, type Settings } from '../../src/core/model.js';
import { computePlan, type CanonicalForm } from '../../src/core/plan.js';
import { createIndexSql } from '../../src/core/sql.js';
import type { ConnectionTarget } from '../../src/io/db.js';
import { desiredIndex, desiredState, desiredTable, liveIndex, liveState, liveTable } from './model-builders.js';
import { eventRecorder, type EventRecorder } from './event-recorder.js';

export { column, desiredIndex, expression } from './model-builders.js';

export function targetFor(url: string): ConnectionTarget {
  return { connectionString: url, display: 'test database', secrets: [] };
}

export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}

/** An index on public.<table> with the given key columns. */
export function index(table: string, name: string, extra: Partial<DesiredIndex> = {}): DesiredIndex {
  return desiredIndex(table, name, extra);
}

/** The definition PostgreSQL would print for a declared index: what the canonicaliser would report. */
function canonicalDefinition(declared: DesiredIndex): string {
  return createIndexSql(declared, { concurrently: false });
}

/** A plain index on `id` as the catalog would show it. */
function plainDefinition(schema: string, table: string, name: string): string {
  return canonicalDefinition(desiredIndex(table, name, { schema }));
}

interface Scene {
  readonly schema: string;
  readonly table: string;
  readonly declared: readonly DesiredIndex[];
  readonly live: readonly LiveIndex[];
  readonly prune?: boolean;
  readonly tableBytes?: number;
  readonly analyzeAfterBuild?: boolean;
}

/** The one action computePlan makes for a one-table scene, which must be of the given kind. */
function planned<K extends Action['kind']>(scene: Scene, kind: K): Extract<Action, { kind: K }> {
  // The live table has every column the declared indexes name, so that the plan's checks pass.
  const columns = new Set(['id']);
  for (const declared of scene.declared) {
    for (const part of declared.columns) if (part.kind === 'column') columns.add(part.column);
    for (const included of declared.include) columns.add(included);
  }
  const table = liveTable(scene.table, [...columns], { schema: scene.schema, sizeBytes: scene.tableBytes ?? 0, estimatedRows: undefined });
  const desired = new Map<string, CanonicalForm>(scene.declared.map((d) => [indexKey(d.schema, d.name), { ok: true, definition: canonicalDefinition(d) }]));
  const plan = computePlan(
    desiredState([desiredTable(scene.table, [...scene.declared], { schema: scene.schema, prune: scene.prune ?? false })], {
      analyzeAfterBuild: scene.analyzeAfterBuild ?? true,
    }),
    liveState([table], [...scene.live]),
    { desired, live: new Map() },
    // A pruned table that declares nothing is how a lone drop is asked for.
    { allowEmpty: true, allowLockingDrops: false },
  );
  if (plan.problems.length > 0) throw new Error(`the plan for the fixture has problems: ${JSON.stringify(plan.problems)}`);
  const [action, ...more] = plan.actions;
  if (!action || more.length > 0 || action.kind !== kind) {
    throw new Error(`the plan for the fixture is not one ${kind}: ${JSON.stringify(plan.actions.map((a) => a.kind))}`);
  }
  return action as Extract<Action, { kind: K }>;
}

export interface CostOptions {
  readonly tableBytes?: number;
  /** settings.analyzeAfterBuild of the plan; default true (an expression index is then followed by ANALYZE). */
  readonly analyzeAfterBuild?: boolean;
}

/** The plan's create of a declared index missing from the database. */
export function createAction(declared: DesiredIndex, options: CostOptions = {}): CreateAction {
  return planned({ schema: declared.schema, table: declared.table, declared: [declared], live: [], ...options }, 'create');
}

/** The plan's replace of a live index whose definition was `oldDefinition`. */
export function replaceAction(declared: DesiredIndex, oldDefinition: string, options: CostOptions = {}): ReplaceAction {
  const live = liveIndex(declared.table, declared.name, oldDefinition, { schema: declared.schema });
  return planned({ schema: declared.schema, table: declared.table, declared: [declared], live: [live], ...options }, 'replace');
}

/** The plan's prune drop of a valid, undeclared index. */
export function dropAction(table: string, name: string, schema = 'public'): DropAction {
  const live = liveIndex(table, name, plainDefinition(schema, table, name), { schema });
  return planned({ schema, table, declared: [], live: [live], prune: true }, 'drop');
}

/** The plan's rename of an undeclared index that has the definition declared under `to`. */
export function renameAction(table: string, from: string, to: string, schema = 'public'): RenameAction {
  const live = liveIndex(table, from, plainDefinition(schema, table, from), { schema });
  return planned({ schema, table, declared: [desiredIndex(table, to, { schema })], live: [live] }, 'rename');
}

/** The plan's comment change (or removal, with `undefined`) on an index that is otherwise as declared. */
export function commentAction(table: string, name: string, comment: string | undefined, schema = 'public'): CommentAction {
  const declared = desiredIndex(table, name, { schema, ...(comment === undefined ? {} : { comment }) });
  // A removal needs a comment to remove; a change starts from none.
  const live = liveIndex(table, name, canonicalDefinition(declared), { schema, ...(comment === undefined ? { comment: 'before' } : {}) });
  return planned({ schema, table, declared: [declared], live: [live] }, 'comment');
}

/** The plan's skip of an index another backend is building right now. */
export function skipAction(table: string, name: string, pid = 1): SkipAction {
  const live = liveIndex(table, name, plainDefinition('public', table, name), {
    valid: false,
    build: { pid, phase: 'building index: scanning table' },
  });
  return planned({ schema: 'public', table, declared: [], live: [live] }, 'skip');
}

export interface Recorder extends EventRecorder<ApplyEvent> {
  of<T extends ApplyEventType>(type: T): Extract<ApplyEvent, { type: T }>[];
}

export function recorder(): Recorder {
  const recorded = eventRecorder<ApplyEvent>('an apply event', 20_000);
  return {
    ...recorded,
    of<T extends ApplyEventType>(type: T) {
      return recorded.events.filter((event): event is Extract<ApplyEvent, { type: T }> => event.type === type);
    },
  };
}

export type { Action };
