/*
 * Actions for executor tests, built with the real SQL builders the plan uses, in the same step order
 * as src/core/plan.ts, plus a recorder for the events the executor emits.
 */
import type { Action, CommentAction, CreateAction, DropAction, RenameAction, ReplaceAction, SkipAction, Step } from '../../src/core/actions.js';
import type { ApplyEvent, ApplyEventType } from '../../src/core/events.js';
import { DEFAULT_SETTINGS, type DesiredIndex, type Settings } from '../../src/core/model.js';
import { analyzeSql, commentIndexSql, createIndexSql, dropIndexSql, renameIndexSql, temporaryName } from '../../src/core/sql.js';
import { buildStep } from '../../src/core/plan-build-steps.js';
import type { ConnectionTarget } from '../../src/io/db.js';
import { desiredIndex } from './model-builders.js';

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

function hasExpression(index: DesiredIndex): boolean {
  return index.columns.some((part) => part.kind === 'expression');
}

function buildSteps(index: DesiredIndex, name: string, analyze: boolean): Step[] {
  const steps: Step[] = [buildStep(index, name)];
  if (analyze && hasExpression(index)) steps.push({ kind: 'analyze', sql: [analyzeSql(index.schema, index.table)] });
  return steps;
}

function commentSteps(index: DesiredIndex): Step[] {
  return index.comment === undefined ? [] : [{ kind: 'comment', sql: [commentIndexSql(index.schema, index.name, index.comment)] }];
}

export interface CostOptions {
  readonly tableBytes?: number;
  readonly analyzeAfterBuild?: boolean;
}

export function createAction(index: DesiredIndex, options: CostOptions = {}): CreateAction {
  return {
    kind: 'create',
    table: { schema: index.schema, name: index.table },
    index: index.name,
    reason: 'declared in indexes.yaml, missing from the database',
    definition: createIndexSql(index, { concurrently: false }),
    cost: { tableBytes: options.tableBytes ?? 0 },
    steps: [...buildSteps(index, index.name, options.analyzeAfterBuild ?? true), ...commentSteps(index)],
  };
}

export function replaceAction(index: DesiredIndex, oldDefinition: string, options: CostOptions = {}): ReplaceAction {
  const newName = temporaryName(index.name, 'new');
  const oldName = temporaryName(index.name, 'old');
  const analyze = (options.analyzeAfterBuild ?? true) && hasExpression(index);
  return {
    kind: 'replace',
    table: { schema: index.schema, name: index.table },
    index: index.name,
    reason: 'definition changed',
    oldDefinition,
    newDefinition: createIndexSql(index, { concurrently: false }),
    cost: { tableBytes: options.tableBytes ?? 0 },
    steps: [
      ...buildSteps(index, newName, false),
      { kind: 'swap', sql: [renameIndexSql(index.schema, index.name, oldName), renameIndexSql(index.schema, newName, index.name)] },
      { kind: 'drop', sql: [dropIndexSql(index.schema, oldName, { concurrently: true })] },
      ...commentSteps(index),
      ...(analyze ? [{ kind: 'analyze' as const, sql: [analyzeSql(index.schema, index.table)] }] : []),
    ],
  };
}

export function dropAction(table: string, name: string, schema = 'public'): DropAction {
  return {
    kind: 'drop',
    table: { schema, name: table },
    index: name,
    reason: 'not in indexes.yaml (prune is on)',
    definition: '',
    locking: false,
    steps: [{ kind: 'drop', sql: [dropIndexSql(schema, name, { concurrently: true })] }],
  };
}

export function renameAction(table: string, from: string, to: string, schema = 'public'): RenameAction {
  return {
    kind: 'rename',
    table: { schema, name: table },
    index: to,
    from,
    reason: `an undeclared index ${from} has the declared definition`,
    definition: '',
    steps: [{ kind: 'rename', sql: [renameIndexSql(schema, from, to)] }],
  };
}

export function commentAction(table: string, name: string, comment: string | undefined, schema = 'public'): CommentAction {
  return {
    kind: 'comment',
    table: { schema, name: table },
    index: name,
    reason: comment === undefined ? 'comment removed' : 'comment changed',
    ...(comment === undefined ? {} : { to: comment }),
    steps: [{ kind: 'comment', sql: [commentIndexSql(schema, name, comment)] }],
  };
}

export function skipAction(table: string, name: string, pid = 1): SkipAction {
  return { kind: 'skip', table: { schema: 'public', name: table }, index: name, reason: `being built right now by pid ${pid}`, steps: [], pid };
}

export interface Recorder {
  readonly events: ApplyEvent[];
  listener(event: ApplyEvent): void;
  of<T extends ApplyEventType>(type: T): Extract<ApplyEvent, { type: T }>[];
  /** Resolves once an event matching `predicate` has been seen. */
  when(predicate: (event: ApplyEvent) => boolean, timeoutMs?: number): Promise<ApplyEvent>;
}

export function recorder(): Recorder {
  const events: ApplyEvent[] = [];
  const waiters: { predicate: (event: ApplyEvent) => boolean; resolve: (event: ApplyEvent) => void }[] = [];
  return {
    events,
    listener(event) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    of<T extends ApplyEventType>(type: T) {
      return events.filter((event): event is Extract<ApplyEvent, { type: T }> => event.type === type);
    },
    when(predicate, timeoutMs = 20_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an apply event')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
  };
}

export type { Action };
