/*
 * Whether a saved plan (`plan --out plan.json`) may still be applied. The file is the approval of exactly
 * the statements it lists; apply runs the statements it generates now from the manifest and the catalog,
 * and only when they equal the saved ones action for action and statement for statement. Anything else —
 * the manifest or the database changed since, or the file was edited — makes the saved plan stale.
 */
import { assertNever, type Action, type Step, type TableRef } from './actions.js';
import type { PlanDocument } from './plan-document.js';
import { describeAction } from './plan.js';
import { printableText } from './printable.js';

export interface CurrentPlan {
  /** SHA-256 of the manifest file as it is now. */
  readonly manifestSha256: string;
  /** Declared tables that do not exist now (as a table, partitioned table or materialized view). */
  readonly missingTables: readonly TableRef[];
  /** How many plan-time errors the plan made now has. */
  readonly problems: number;
  /** The plan made now from the manifest and the catalog. */
  readonly document: PlanDocument;
}

const NOW = 'what the manifest and database give now';

// Names in a saved file are whatever the file says: control characters are shown escaped, so a name
// cannot start a line of its own in the error output.
const printable = printableText;

function tableName(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}

/** `create public.t.idx_x`, `rename public.t.old to new`. */
export function actionLabel(action: Action): string {
  const where = printable(tableName(action.table));
  return action.kind === 'rename'
    ? `rename ${where}.${printable(action.from)} to ${printable(action.index)}`
    : `${action.kind} ${where}.${printable(action.index)}`;
}

function actionKey(action: Action): string {
  return `${describeAction(action)} on ${tableName(action.table)}`;
}

function sameRef(a: TableRef | undefined, b: TableRef | undefined): boolean {
  return a?.schema === b?.schema && a?.name === b?.name;
}

function sameStatements(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((statement, i) => statement === b[i]);
}

function stepDifference(saved: Step, now: Step): string | undefined {
  if (saved.kind !== now.kind) return `the saved step is a ${printable(saved.kind)} step where ${NOW} is a ${now.kind} step`;
  if (!sameStatements(saved.sql, now.sql)) return `the saved SQL differs from ${NOW}`;
  if (!sameRef(saved.creates, now.creates)) return `the index the saved step creates (and drops again on failure) differs from ${NOW}`;
  if (!sameRef(saved.partition, now.partition)) return `the partition the saved step works on differs from ${NOW}`;
  return undefined;
}

/** The fields a reviewer reads besides the statements; cost, reason and a running build's pid change by themselves. */
function described(action: Action): Record<string, unknown> {
  switch (action.kind) {
    case 'create':
    case 'rebuild':
    case 'reindex':
      // A reindex's figures change by themselves, as a build's cost does: its statements are what is approved.
      return { definition: action.definition };
    case 'replace':
      return { oldDefinition: action.oldDefinition, newDefinition: action.newDefinition };
    case 'rename':
      return { definition: action.definition };
    case 'drop':
      return { definition: action.definition, locking: action.locking };
    case 'comment':
      return { from: action.from, to: action.to };
    case 'skip':
      return {};
    default:
      return assertNever(action, 'action');
  }
}

/**
 * The first place where the saved actions differ from the actions computed now, in words
 * (`action 2 (create public.t.idx_x), step 1: the saved SQL differs from …`), or undefined when they
 * are the same action for action and statement for statement.
 */
export function firstDifference(saved: readonly Action[], now: readonly Action[]): string | undefined {
  for (let i = 0; i < Math.max(saved.length, now.length); i += 1) {
    const s = saved[i];
    const n = now[i];
    const at = `action ${i + 1}`;
    if (!s) return `${at} (${actionLabel(n!)}) is ${NOW}, and it is not in the saved plan`;
    if (!n) return `${at} (${actionLabel(s)}) is in the saved plan, and not ${NOW}`;
    const same =
      s.kind === n.kind &&
      sameRef(s.table, n.table) &&
      s.index === n.index &&
      (s.kind !== 'rename' || (n.kind === 'rename' && s.from === n.from));
    if (!same) return `${at} is ${actionLabel(s)} in the saved plan, where ${NOW} is ${actionLabel(n)}`;
    const label = `${at} (${actionLabel(s)})`;
    const savedFields = described(s);
    const nowFields = described(n);
    const field = Object.keys(nowFields).find((name) => savedFields[name] !== nowFields[name]);
    if (field) return `${label}: the saved ${field} differs from ${NOW}`;
    if (s.steps.length !== n.steps.length) {
      return `${label}: the saved plan has ${s.steps.length} step${s.steps.length === 1 ? '' : 's'} where ${NOW} has ${n.steps.length}`;
    }
    for (let j = 0; j < n.steps.length; j += 1) {
      const difference = stepDifference(s.steps[j]!, n.steps[j]!);
      if (difference) return `${label}, step ${j + 1}: ${difference}`;
    }
  }
  return undefined;
}

/** What made a saved plan stale, for choosing the next step to suggest. */
export type StaleCause = 'manifest' | 'tables' | 'problems' | 'catalog' | 'search-path' | 'actions';

export interface Staleness {
  readonly cause: StaleCause;
  /** Follows `Saved plan is stale: `. */
  readonly reason: string;
}

/**
 * Why a saved plan may not be applied, or undefined when what would run now is exactly what it lists.
 * In order: the manifest changed; a declared table is gone; the plan cannot be made now; the catalog of
 * the declared tables changed; the actions differ (the file was edited, or the database changed in a way
 * the fingerprint does not cover, such as a column's type).
 */
export function savedPlanStaleness(saved: PlanDocument, now: CurrentPlan): Staleness | undefined {
  if (saved.manifest.sha256 !== now.manifestSha256) {
    return {
      cause: 'manifest',
      reason: `${printable(saved.manifest.file)} changed since the plan was made (sha256 ${printable(saved.manifest.sha256.slice(0, 12))} then, ${now.manifestSha256.slice(0, 12)} now).`,
    };
  }
  if (now.missingTables.length > 0) {
    const names = now.missingTables.map((table) => printable(tableName(table)));
    return {
      cause: 'tables',
      reason:
        names.length === 1
          ? `table ${names[0]} no longer exists (it was renamed or dropped since the plan was made).`
          : `tables ${names.join(', ')} no longer exist (they were renamed or dropped since the plan was made).`,
    };
  }
  if (now.problems > 0) {
    return {
      cause: 'problems',
      reason: `the database changed since the plan was made, and the plan cannot be made now: ${now.problems} problem${now.problems === 1 ? '' : 's'} in ${now.document.manifest.file}.`,
    };
  }
  if (saved.database.catalogFingerprint !== now.document.database.catalogFingerprint) {
    const before = new Set(saved.actions.map(actionKey));
    const after = new Set(now.document.actions.map(actionKey));
    const details = [
      ...[...before].filter((key) => !after.has(key)).map((key) => `no longer needed: ${printable(key)}`),
      ...[...after].filter((key) => !before.has(key)).map((key) => `now needed: ${printable(key)}`),
    ];
    return {
      cause: 'catalog',
      reason: `the indexes of the declared tables changed since the plan was made${details.length > 0 ? ` (${details.join('; ')})` : ' (validity, comments or definitions of indexes the plan does not change)'}.`,
    };
  }
  const pathThen = (saved.database.searchPath ?? []).join(', ');
  const pathNow = (now.document.database.searchPath ?? []).join(', ');
  if (pathThen !== pathNow) {
    // The same statements would mean other objects: their names resolve through this path.
    return {
      cause: 'search-path',
      reason: `the search_path the manifest's names resolve through changed since the plan was made (${printable(pathThen) || 'none recorded'} then, ${pathNow} now).`,
    };
  }
  const difference = firstDifference(saved.actions, now.document.actions);
  return difference === undefined ? undefined : { cause: 'actions', reason: `${difference}.` };
}
