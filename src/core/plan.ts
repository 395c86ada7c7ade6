/*
 * The plan: a pure function from (desired state, live state, canonical forms) to ordered actions,
 * implementing the action table of the specification. No I/O: every input is data.
 */
import {
  assertNever,
  type Action,
  type BuildCost,
  type DropAction,
  type Step,
  type TableRef,
  type UnmanagedIndex,
} from './actions.js';
import type { Problem } from './errors.js';
import { cannotChangeMessage, cannotDeclareMessage, indexPolicy, mayDeclare, notIndexableMessage } from './policy.js';
import {
  indexKey,
  tableKey,
  type DesiredIndex,
  type DesiredState,
  type DesiredTable,
  type LiveIndex,
  type LiveState,
  type LiveTable,
  type SourceRef,
} from './model.js';
import {
  analyzeSql,
  commentIndexSql,
  createIndexSql,
  definitionBody,
  dropIndexSql,
  isReindexLeftoverName,
  isTemporaryName,
  attachPartitionSql,
  partitionIndexName,
  qualify,
  quoteIdent,
  shortHash,
  temporaryName,
  renameIndexSql,
} from './sql.js';

export type CanonicalForm = { readonly ok: true; readonly definition: string } | { readonly ok: false; readonly message: string };

export interface CanonicalForms {
  /** canon(desired), keyed by indexKey(schema, name). */
  readonly desired: ReadonlyMap<string, CanonicalForm>;
  /** canon(live) where re-feeding a live definition prints differently, keyed by indexKey. */
  readonly live: ReadonlyMap<string, string>;
}

export interface PlanOptions {
  /** Permit a prune that leaves a declared table with none of its indexes. */
  readonly allowEmpty: boolean;
  /** Permit plain DROP INDEX (partitioned indexes); default from settings. */
  readonly allowLockingDrops: boolean;
}

export interface Plan {
  readonly actions: readonly Action[];
  readonly unmanaged: readonly UnmanagedIndex[];
  /** Plan-time errors: when any, nothing may run. */
  readonly problems: readonly Problem[];
  readonly warnings: readonly string[];
}

function problemAt(source: SourceRef, message: string): Problem {
  return { file: source.file, line: source.line, column: source.column, path: source.path, message };
}

function describeTable(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}

/**
 * Why an index is not entirely ours (owned by a constraint, a partitioned index or an extension, or kept
 * for foreign keys or the replica identity), or undefined when it is: only those are reused or dropped.
 */
export function protectionReason(index: LiveIndex): string | undefined {
  const policy = indexPolicy(index);
  return policy.kind === 'managed' ? undefined : policy.reason;
}

function hasExpression(index: DesiredIndex): boolean {
  return index.columns.some((part) => part.kind === 'expression');
}

function sameDefinition(canonical: string, live: LiveIndex, canonicalLive: ReadonlyMap<string, string>): boolean {
  const wanted = definitionBody(canonical);
  if (wanted === definitionBody(live.definition)) return true;
  const refed = canonicalLive.get(indexKey(live.schema, live.name));
  return refed !== undefined && wanted === definitionBody(refed);
}

function sameTablespace(desired: DesiredIndex, live: LiveIndex): boolean {
  return (desired.tablespace ?? undefined) === (live.tablespace ?? undefined);
}

function analyzeStep(index: DesiredIndex, table: LiveTable, analyzeAfterBuild: boolean): Step[] {
  // A new expression index has no statistics until its table is analyzed.
  return analyzeAfterBuild && hasExpression(index) ? [{ kind: 'analyze', sql: [analyzeSql(table.schema, table.name)] }] : [];
}

/** Steps that build a declared index under `name` on a plain table or materialized view. */
function plainBuildSteps(index: DesiredIndex, name: string): Step[] {
  return [{ kind: 'build', sql: [createIndexSql(index, { name, concurrently: true })], creates: { schema: index.schema, name } }];
}

type PartitionedBuild = { readonly steps: Step[] } | { readonly unrecoverable: string };

/**
 * The online procedure for a partitioned table (CREATE INDEX CONCURRENTLY is refused there):
 * `CREATE INDEX … ON ONLY` the parent and every intermediate partitioned table (brief SHARE lock, invalid
 * until complete), a concurrent build on each leaf (or an existing valid leaf index with the same
 * definition, reused), then ATTACH PARTITION bottom-up; the parent becomes valid with its last child.
 * With `existing`, an interrupted run is finished: what is attached and valid is kept.
 */
function partitionedBuildSteps(
  index: DesiredIndex,
  context: TableContext,
  name: string,
  canonicalDefinition: string,
  existing?: LiveIndex,
  childNameSeed = name,
): PartitionedBuild {
  const table = context.live;
  const steps: Step[] = [];
  const nodeIndex = new Map<string, { schema: string; name: string; exists: boolean }>();
  nodeIndex.set(tableKey(table.schema, table.name), { schema: index.schema, name, exists: existing !== undefined });
  if (!existing) {
    steps.push({ kind: 'build-parent', sql: [createIndexSql(index, { name, concurrently: false, only: true })], creates: { schema: index.schema, name } });
  }
  const parentBody = definitionBody(canonicalDefinition);
  const parentOn = `ON ONLY ${qualify(table.schema, table.name)} `;
  const laterAttaches: Step[] = [];
  for (const part of table.partitions) {
    const parent = nodeIndex.get(tableKey(part.parentSchema, part.parentName));
    if (!parent) return { unrecoverable: `the partition tree of ${describeTable(context.ref)} changed while it was read` };
    const partRef = { schema: part.schema, name: part.name };
    const onPart = context.indexesOn(part.schema, part.name);
    const attached = parent.exists ? onPart.find((i) => i.parentIndex === qualify(parent.schema, parent.name)) : undefined;
    const attach = (childName: string): Step => ({
      kind: 'attach',
      sql: [attachPartitionSql(parent.schema, parent.name, part.schema, childName)],
      partition: partRef,
    });
    const childName = partitionIndexName(childNameSeed, part.name);
    if (!part.isLeaf) {
      if (attached) {
        nodeIndex.set(tableKey(part.schema, part.name), { schema: part.schema, name: attached.name, exists: true });
        continue;
      }
      const partIndex: DesiredIndex = { ...index, schema: part.schema, table: part.name };
      steps.push({
        kind: 'build-parent',
        sql: [createIndexSql(partIndex, { name: childName, concurrently: false, only: true })],
        creates: { schema: part.schema, name: childName },
        partition: partRef,
      });
      nodeIndex.set(tableKey(part.schema, part.name), { schema: part.schema, name: childName, exists: false });
      laterAttaches.unshift(attach(childName));
      continue;
    }
    if (attached?.valid) continue;
    if (attached) {
      // An invalid leaf once attached leaves its parent invalid for good: only a new index recovers.
      return { unrecoverable: `its partition ${part.schema}.${part.name} has an invalid index ${attached.name} attached` };
    }
    const wanted = parentBody.replace(parentOn, `ON ${qualify(part.schema, part.name)} `);
    const reusable = onPart.find(
      (i) => i.parentIndex === undefined && i.valid && !i.partitioned && protectionReason(i) === undefined && definitionBody(i.definition) === wanted,
    );
    if (reusable) {
      steps.push(attach(reusable.name));
      continue;
    }
    const leafIndex: DesiredIndex = { ...index, schema: part.schema, table: part.name };
    steps.push({
      kind: 'build',
      sql: [createIndexSql(leafIndex, { name: childName, concurrently: true })],
      creates: { schema: part.schema, name: childName },
      partition: partRef,
    });
    steps.push(attach(childName));
  }
  return { steps: [...steps, ...laterAttaches] };
}

function commentStep(index: DesiredIndex): Step[] {
  return index.comment === undefined ? [] : [{ kind: 'comment', sql: [commentIndexSql(index.schema, index.name, index.comment)] }];
}

function dropStep(schema: string, name: string, partitioned = false): Step {
  // PostgreSQL cannot drop a partitioned index concurrently: a plain DROP locks the table.
  return partitioned
    ? { kind: 'drop-locking', sql: [dropIndexSql(schema, name, { concurrently: false })] }
    : { kind: 'drop', sql: [dropIndexSql(schema, name, { concurrently: true })] };
}

function invalidReason(index: LiveIndex): string {
  if (isTemporaryName(index.name)) return 'invalid: left by an interrupted replace';
  if (isReindexLeftoverName(index.name)) return 'invalid: left by an interrupted REINDEX CONCURRENTLY';
  return index.ready
    ? 'invalid: left by a concurrent build that failed or was cancelled'
    : 'invalid: left by a failed concurrent build';
}

function buildingReason(index: LiveIndex): string {
  const build = index.build!;
  return `being built right now by pid ${build.pid} (${build.phase}): left alone`;
}

function pruneReason(manifestName: string): string {
  return `not in ${manifestName} (prune is on)`;
}

interface TableContext {
  readonly manifestName: string;
  /** Every live index on a table of the declared table's partition tree. */
  readonly indexesOn: (schema: string, name: string) => readonly LiveIndex[];
  readonly table: DesiredTable;
  readonly live: LiveTable;
  readonly ref: TableRef;
  readonly cost: BuildCost;
}

export function computePlan(desired: DesiredState, live: LiveState, canonical: CanonicalForms, options: PlanOptions): Plan {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const actions: Action[] = [];
  const unmanaged: UnmanagedIndex[] = [];
  const settings = desired.settings;
  const allowLockingDrops = options.allowLockingDrops || settings.allowLockingDrops;

  if (live.serverVersionNum >= 140000 && live.serverVersionNum < 140004) {
    warnings.push(
      `PostgreSQL ${live.serverVersion} can corrupt indexes built with CREATE INDEX CONCURRENTLY (fixed in 14.4): upgrade before applying.`,
    );
  }

  const indexesByTable = new Map<string, LiveIndex[]>();
  for (const index of live.indexes) {
    const key = tableKey(index.schema, index.table);
    const list = indexesByTable.get(key) ?? [];
    list.push(index);
    indexesByTable.set(key, list);
  }

  const manifestName = desired.file.split(/[\\/]/).pop() ?? desired.file;
  const indexesOn = (schema: string, name: string): readonly LiveIndex[] => indexesByTable.get(tableKey(schema, name)) ?? [];

  // First every table's checks and renames, so that no partitioned build reuses (attaches) a partition
  // index that the manifest declares on the partition itself or that a rename there takes over.
  interface Prepared {
    readonly table: DesiredTable;
    readonly problems: Problem[];
    readonly ready?: { readonly liveTable: LiveTable; readonly checks: TableChecks; readonly twins: ReadonlyMap<string, LiveIndex> };
  }
  const reserved = new Set(desired.tables.flatMap((table) => table.indexes.map((index) => indexKey(index.schema, index.name))));
  const tables = desired.tables.map((declared) => withoutDefaultTablespace(declared, live.defaultTablespace));
  const prepared: Prepared[] = tables.map((table) => {
    const key = tableKey(table.schema, table.name);
    const liveTable = live.tables.get(key);
    if (!liveTable) {
      const relkind = live.notIndexable?.get(key);
      const message = relkind === undefined ? `table ${table.schema}.${table.name} does not exist` : notIndexableMessage(`${table.schema}.${table.name}`, relkind);
      return { table, problems: [problemAt(table.source, message)] };
    }
    const checks = checkTable(table, liveTable, live);
    const problems = [...checks.table, ...[...checks.indexes.values()].flat()];
    if (checks.table.length > 0) return { table, problems };
    const twins = findTwins(table, indexesOn(table.schema, table.name), canonical, checks.indexes);
    for (const twin of twins.values()) reserved.add(indexKey(twin.schema, twin.name));
    return { table, problems, ready: { liveTable, checks, twins } };
  });
  const reusableOn = (schema: string, name: string): readonly LiveIndex[] =>
    indexesOn(schema, name).filter((index) => index.parentIndex !== undefined || !reserved.has(indexKey(index.schema, index.name)));

  const planned = prepared.map((entry) => {
    if (!entry.ready) return { entry };
    const { table } = entry;
    const { liveTable, checks, twins } = entry.ready;
    const context: TableContext = {
      indexesOn: reusableOn,
      manifestName,
      table,
      live: liveTable,
      ref: { schema: table.schema, name: table.name },
      cost: { tableBytes: liveTable.sizeBytes, ...(liveTable.estimatedRows === undefined ? {} : { estimatedRows: liveTable.estimatedRows }) },
    };
    const planned = planTable(context, indexesOn(table.schema, table.name), canonical, settings.analyzeAfterBuild, checks.indexes, twins);
    const cleared = planned.changes.map((action) => clearTheWay(action, indexesOn));
    const result: TablePlan = {
      ...planned,
      problems: [...planned.problems, ...cleared.flatMap((c) => c.problems.map((message) => problemAt(table.source, message)))],
      changes: cleared.map((c) => c.action),
    };
    return { entry, context, result };
  });

  // An index that one action uses (attaches, renames, drops to free its name) is dropped by no other.
  const used = usedIndexes(
    planned.flatMap((p) => p.result?.changes ?? []),
    indexesOn,
  );
  const notUsed = (drop: Action): boolean => drop.kind !== 'drop' || !used.has(indexKey(drop.table.schema, drop.index));

  for (const { entry, context, result } of planned) {
    problems.push(...entry.problems);
    if (!context || !result) continue;
    const { table } = entry;
    problems.push(...result.problems);
    unmanaged.push(...result.unmanaged);
    const leftoverDrops = result.leftoverDrops.filter(notUsed);
    const drops = result.drops.filter(notUsed);

    const pruneDrops = drops.filter((drop) => drop.reason === pruneReason(context.manifestName));
    if (table.prune && table.indexes.length === 0 && pruneDrops.length > 0 && !options.allowEmpty) {
      problems.push(
        problemAt(
          table.source,
          `prune would drop all ${pruneDrops.length} index${pruneDrops.length === 1 ? '' : 'es'} of ${describeTable(context.ref)} because its entry declares none; declare them, turn prune off, or pass --allow-empty`,
        ),
      );
    }
    for (const action of [...leftoverDrops, ...result.changes, ...drops]) {
      if (!allowLockingDrops && action.steps.some((step) => step.kind === 'drop-locking')) {
        const what = action.kind === 'drop' ? `dropping the partitioned index ${action.index}` : `the ${action.kind} of the partitioned index ${action.index} drops the old one, which`;
        problems.push(
          problemAt(
            table.source,
            `${what} takes an ACCESS EXCLUSIVE lock on ${describeTable(context.ref)} (PostgreSQL cannot drop it concurrently); pass --allow-locking-drops or set settings.allowLockingDrops`,
          ),
        );
      }
    }
    actions.push(...result.skips, ...leftoverDrops, ...analyzeOnce(result.changes), ...drops);
  }

  return { actions: problems.length > 0 ? [] : actions, unmanaged, problems, warnings };
}

/**
 * The live indexes the actions use without creating them, by indexKey: a partition's index a partitioned
 * build attaches (reused, not built by that action) and the twin a rename takes over.
 */
function usedIndexes(actions: readonly Action[], indexesOn: (schema: string, name: string) => readonly LiveIndex[]): Set<string> {
  const used = new Set<string>();
  for (const action of actions) {
    if (action.kind === 'rename') used.add(indexKey(action.table.schema, action.from));
    for (const step of action.steps) {
      if ((step.kind === 'drop' || step.kind === 'drop-locking') && step.partition) {
        for (const candidate of indexesOn(step.partition.schema, step.partition.name)) {
          if (step.sql.some((sql) => sql.endsWith(` ${qualify(candidate.schema, candidate.name)}`))) used.add(indexKey(candidate.schema, candidate.name));
        }
      }
    }
    const created = new Set(action.steps.flatMap((step) => (step.creates ? [indexKey(step.creates.schema, step.creates.name)] : [])));
    for (const step of action.steps) {
      if (step.kind !== 'attach' || !step.partition) continue;
      for (const candidate of indexesOn(step.partition.schema, step.partition.name)) {
        const key = indexKey(candidate.schema, candidate.name);
        if (created.has(key)) continue;
        if (step.sql.some((sql) => sql.endsWith(` ATTACH PARTITION ${qualify(candidate.schema, candidate.name)}`))) used.add(key);
      }
    }
  }
  return used;
}

/**
 * A partitioned build creates partition indexes under names of its own choosing. An invalid index already
 * under such a name is what an interrupted run of that build left (CREATE INDEX CONCURRENTLY would fail
 * on it): the action drops it first. Anything else under that name is a plan-time error.
 */
function clearTheWay(action: Action, indexesOn: (schema: string, name: string) => readonly LiveIndex[]): { action: Action; problems: string[] } {
  const problems: string[] = [];
  const steps: Step[] = [];
  for (const step of action.steps) {
    const partition = step.partition;
    const creates = step.creates;
    if (partition && creates && (step.kind === 'build' || step.kind === 'build-parent')) {
      const taken = indexesOn(partition.schema, partition.name).find((index) => index.schema === creates.schema && index.name === creates.name);
      if (taken && !taken.valid && !taken.build && indexPolicy(taken).kind === 'managed') {
        steps.push({ ...dropStep(taken.schema, taken.name, taken.partitioned), partition });
      } else if (taken) {
        problems.push(
          `the ${action.kind} of ${action.index} builds ${creates.name} on ${describeTable(partition)}, where an index of that name exists (${taken.definition}); rename or drop it`,
        );
      }
    }
    steps.push(step);
  }
  return { action: steps.length === action.steps.length ? action : ({ ...action, steps } as Action), problems };
}

/**
 * For each declared index missing under its name, the undeclared valid index of the table with the same
 * definition, which a rename takes over (each twin once, in manifest order).
 */
function findTwins(
  table: DesiredTable,
  liveIndexes: readonly LiveIndex[],
  canonical: CanonicalForms,
  failedChecks: ReadonlyMap<string, readonly Problem[]>,
): Map<string, LiveIndex> {
  const declaredNames = new Set(table.indexes.map((index) => index.name));
  const onTable = liveIndexes.filter((index) => index.schema === table.schema && index.table === table.name);
  const present = new Set(onTable.map((index) => index.name));
  // Renaming does not drop: an index foreign keys or the replica identity rely on may be taken over too.
  const candidates = onTable.filter((index) => !declaredNames.has(index.name) && index.valid && !isTemporaryName(index.name) && mayDeclare(indexPolicy(index)));
  const twins = new Map<string, LiveIndex>();
  const claimed = new Set<string>();
  for (const index of table.indexes) {
    if (failedChecks.has(index.name) || present.has(index.name)) continue;
    const form = canonical.desired.get(indexKey(index.schema, index.name));
    if (!form?.ok) continue;
    const twin = candidates.find((candidate) => !claimed.has(candidate.name) && sameDefinition(form.definition, candidate, canonical.live) && sameTablespace(index, candidate));
    if (!twin) continue;
    claimed.add(twin.name);
    twins.set(index.name, twin);
  }
  return twins;
}

interface TableChecks {
  /** Problems with the table itself: nothing on it can be planned. */
  readonly table: Problem[];
  /** Problems of single indexes, by index name: those indexes are left out of the plan. */
  readonly indexes: Map<string, Problem[]>;
}

function checkTable(table: DesiredTable, liveTable: LiveTable, live: LiveState): TableChecks {
  const checks: TableChecks = { table: [], indexes: new Map() };
  const name = `${table.schema}.${table.name}`;
  if (!liveTable.ownedByCurrentRole) {
    checks.table.push(
      problemAt(
        table.source,
        `role "${live.currentRole}" does not own table ${name} (owner: "${liveTable.owner}"); CREATE INDEX needs the owner or a member of its role`,
      ),
    );
  }
  if (liveTable.ownedByCurrentRole && !liveTable.canCreateInSchema) {
    checks.table.push(
      problemAt(
        table.source,
        `role "${live.currentRole}" may not create in schema ${table.schema}, which CREATE INDEX needs besides owning ${name}; GRANT CREATE ON SCHEMA ${quoteIdent(table.schema)} TO ${quoteIdent(live.currentRole)}`,
      ),
    );
  }
  const columns = new Set(liveTable.columns.map((c) => c.name));
  const columnList = liveTable.columns.map((c) => c.name).join(', ');
  for (const index of table.indexes) {
    const problems: Problem[] = [];
    for (const part of index.columns) {
      if (part.kind === 'column' && !columns.has(part.column)) {
        problems.push(problemAt(part.source, `column "${part.column}" does not exist in ${name} (it has: ${columnList})`));
      }
    }
    index.include.forEach((column, i) => {
      if (!columns.has(column)) {
        problems.push(
          problemAt(
            { ...index.source, path: `${index.source.path}.include[${i}]` },
            `column "${column}" does not exist in ${name} (it has: ${columnList})`,
          ),
        );
      }
    });
    if (!live.accessMethods.includes(index.method)) {
      problems.push(
        problemAt(
          index.source,
          `access method "${index.method}" does not exist in this database (it has: ${live.accessMethods.join(', ')}); is its extension installed?`,
        ),
      );
    }
    if (index.nullsNotDistinct && live.serverVersionNum < 150000) {
      problems.push(problemAt(index.source, `nullsNotDistinct needs PostgreSQL 15 or later (the server is ${live.serverVersion})`));
    }
    problems.push(...checkPlacement(index, live));
    if (problems.length > 0) checks.indexes.set(index.name, problems);
  }
  return checks;
}

/**
 * An index declared in the database's default tablespace is placed like one declared in none: PostgreSQL
 * records both as reltablespace 0 (so the plan would otherwise never converge), and refuses the default
 * named explicitly on a partitioned table ("cannot specify default tablespace for partitioned relations").
 */
function withoutDefaultTablespace(table: DesiredTable, defaultTablespace: string): DesiredTable {
  if (!table.indexes.some((index) => index.tablespace === defaultTablespace)) return table;
  return {
    ...table,
    indexes: table.indexes.map((index) => {
      if (index.tablespace !== defaultTablespace) return index;
      const { tablespace: _, ...placed } = index;
      return placed;
    }),
  };
}

/** Where the index would go: a tablespace that exists and takes it, and a name no other relation of its schema has. */
function checkPlacement(index: DesiredIndex, live: LiveState): Problem[] {
  const problems: Problem[] = [];
  const tablespace = index.tablespace;
  if (tablespace !== undefined && tablespace !== live.defaultTablespace) {
    const at = { ...index.source, path: `${index.source.path}.tablespace` };
    const found = live.tablespaces.find((t) => t.name === tablespace);
    if (!found) {
      const names = live.tablespaces.filter((t) => t.name !== 'pg_global').map((t) => t.name);
      problems.push(problemAt(at, `tablespace "${tablespace}" does not exist (this database has: ${names.join(', ')})`));
    } else if (found.name === 'pg_global') {
      problems.push(problemAt(at, 'tablespace "pg_global" holds only shared system catalogs; no index can be placed there'));
    } else if (!found.canCreate) {
      problems.push(
        problemAt(
          at,
          `role "${live.currentRole}" may not create in tablespace "${tablespace}", which CREATE INDEX … TABLESPACE needs; GRANT CREATE ON TABLESPACE ${quoteIdent(tablespace)} TO ${quoteIdent(live.currentRole)}`,
        ),
      );
    }
  }
  const taken = live.namesInUse.find((use) => use.schema === index.schema && use.name === index.name);
  if (taken) {
    const holder = taken.table
      ? `the ${taken.kind} ${index.name} on ${taken.table.schema}.${taken.table.name}`
      : `the ${taken.kind} ${taken.schema}.${taken.name}`;
    problems.push(
      problemAt(
        index.source,
        `the name ${index.name} is already taken in schema ${index.schema} by ${holder} (index names share one namespace with tables, sequences and views); choose another name${taken.table ? ', or rename or drop that index' : ''}`,
      ),
    );
  }
  return problems;
}

interface TablePlan {
  readonly problems: Problem[];
  readonly skips: Action[];
  /** Invalid or temporary leftovers: dropped first, so their names are free. */
  readonly leftoverDrops: Action[];
  readonly changes: Action[];
  /** Prune drops come last: the table is never less indexed than it ends up. */
  readonly drops: DropAction[];
  readonly unmanaged: UnmanagedIndex[];
}

function planTable(
  context: TableContext,
  liveIndexes: readonly LiveIndex[],
  canonical: CanonicalForms,
  analyzeAfterBuild: boolean,
  failedChecks: ReadonlyMap<string, readonly Problem[]>,
  twins: ReadonlyMap<string, LiveIndex>,
): TablePlan {
  const { table, ref, cost } = context;
  const plan: TablePlan = { problems: [], skips: [], leftoverDrops: [], changes: [], drops: [], unmanaged: [] };
  const onTable = liveIndexes.filter((index) => index.schema === table.schema && index.table === table.name);
  const byName = new Map(onTable.map((index) => [index.name, index]));
  const declaredNames = new Set(table.indexes.map((index) => index.name));
  const claimed = new Set([...twins.values()].map((twin) => twin.name));
  const partitioned = context.live.kind === 'partitioned';

  /** Build steps for a new index under `name`; partition indexes are named after `childSeed`. */
  const freshBuild = (index: DesiredIndex, name: string, definition: string, childSeed: string): Step[] => {
    if (!partitioned) return plainBuildSteps(index, name);
    const build = partitionedBuildSteps(index, context, name, definition, undefined, childSeed);
    // A fresh build has nothing attached yet, so it cannot be unrecoverable.
    return 'steps' in build ? build.steps : [];
  };

  /**
   * Replace (or rebuild from scratch) without a moment without the index: build the new one under a
   * temporary name, swap the names in one short transaction, drop the old one.
   */
  const anew = (index: DesiredIndex, definition: string, existing: LiveIndex, kind: 'replace' | 'rebuild', reason: string): Action => {
    const newName = temporaryName(index.name, 'new');
    const oldName = temporaryName(index.name, 'old');
    // Partition indexes keep their names after the swap: a hash of the definition keeps the next replace's apart.
    const childSeed = `${index.name}_${shortHash(definitionBody(definition)).slice(0, 6)}`;
    const steps: Step[] = [
      ...freshBuild(index, newName, definition, childSeed),
      { kind: 'swap', sql: [renameIndexSql(index.schema, index.name, oldName), renameIndexSql(index.schema, newName, index.name)] },
      dropStep(index.schema, oldName, existing.partitioned),
      ...commentStep(index),
      ...analyzeStep(index, context.live, analyzeAfterBuild),
    ];
    return kind === 'replace'
      ? { kind, table: ref, index: index.name, reason, oldDefinition: existing.definition, newDefinition: definition, cost, steps }
      : { kind, table: ref, index: index.name, reason, definition, cost, steps };
  };

  for (const index of table.indexes) {
    if (failedChecks.has(index.name)) continue;
    const form = canonical.desired.get(indexKey(index.schema, index.name));
    if (!form) {
      plan.problems.push(problemAt(index.source, `no canonical form was computed for ${index.name} (this is a bug)`));
      continue;
    }
    if (!form.ok) {
      plan.problems.push(problemAt(index.source, form.message));
      continue;
    }
    const existing = byName.get(index.name);
    if (existing) {
      const policy = indexPolicy(existing);
      if (policy.kind === 'owned') {
        plan.problems.push(problemAt(index.source, cannotDeclareMessage(index.name, policy.reason, context.manifestName)));
        continue;
      }
      if (!existing.valid && existing.build) {
        plan.skips.push({ kind: 'skip', table: ref, index: index.name, reason: buildingReason(existing), steps: [], pid: existing.build.pid, phase: existing.build.phase });
        continue;
      }
      const sameAsDeclared = sameDefinition(form.definition, existing, canonical.live) && sameTablespace(index, existing);
      if (policy.kind === 'kept' && (!existing.valid || !sameAsDeclared)) {
        // Replace and rebuild both drop the live index, which foreign keys or logical replication need.
        const change = !existing.valid ? 'invalid' : sameTablespace(index, existing) ? 'definition' : 'tablespace';
        plan.problems.push(problemAt(index.source, cannotChangeMessage(index.name, policy.reason, change, existing.definition)));
        continue;
      }
      if (!existing.valid) {
        if (partitioned && sameAsDeclared) {
          const finish = partitionedBuildSteps(index, context, index.name, form.definition, existing);
          if ('steps' in finish) {
            plan.changes.push({
              kind: 'rebuild',
              table: ref,
              index: index.name,
              reason: 'invalid: an interrupted build left partitions without their index; finishing them',
              definition: form.definition,
              cost,
              steps: [...finish.steps, ...analyzeStep(index, context.live, analyzeAfterBuild), ...commentStep(index)],
            });
            continue;
          }
          plan.changes.push(anew(index, form.definition, existing, 'rebuild', `invalid: ${finish.unrecoverable}; building it anew`));
          continue;
        }
        if (partitioned) {
          plan.changes.push(anew(index, form.definition, existing, 'rebuild', `invalid, and its definition changed; building it anew`));
          continue;
        }
        plan.changes.push({
          kind: 'rebuild',
          table: ref,
          index: index.name,
          reason: invalidReason(existing),
          definition: form.definition,
          cost,
          steps: [dropStep(index.schema, index.name), ...plainBuildSteps(index, index.name), ...analyzeStep(index, context.live, analyzeAfterBuild), ...commentStep(index)],
        });
        continue;
      }
      if (sameAsDeclared) {
        if ((index.comment ?? undefined) !== (existing.comment ?? undefined)) {
          plan.changes.push(commentAction(ref, index, existing.comment));
        }
        continue;
      }
      plan.changes.push(anew(index, form.definition, existing, 'replace', sameTablespace(index, existing) ? 'definition changed' : 'tablespace changed'));
      continue;
    }
    const twin = twins.get(index.name);
    if (twin) {
      plan.changes.push({
        kind: 'rename',
        table: ref,
        index: index.name,
        from: twin.name,
        reason: 'it has the declared definition',
        definition: twin.definition,
        steps: [
          { kind: 'rename', sql: [renameIndexSql(index.schema, twin.name, index.name)] },
          ...((index.comment ?? undefined) !== (twin.comment ?? undefined)
            ? [{ kind: 'comment' as const, sql: [commentIndexSql(index.schema, index.name, index.comment)] }]
            : []),
        ],
      });
      continue;
    }
    plan.changes.push({
      kind: 'create',
      table: ref,
      index: index.name,
      reason: `declared in ${context.manifestName}, missing from the database`,
      definition: form.definition,
      cost,
      steps: [...freshBuild(index, index.name, form.definition, index.name), ...analyzeStep(index, context.live, analyzeAfterBuild), ...commentStep(index)],
    });
  }

  for (const index of onTable) {
    if (declaredNames.has(index.name) || claimed.has(index.name)) continue;
    const policy = indexPolicy(index);
    if (policy.kind === 'owned') continue;
    if (policy.kind === 'kept') {
      // Never dropped, prune or not; without prune it is listed like any index the manifest could adopt.
      if (!table.prune) plan.unmanaged.push({ table: ref, index: index.name, definition: index.definition });
      continue;
    }
    if (!index.valid && index.build) {
      plan.skips.push({ kind: 'skip', table: ref, index: index.name, reason: buildingReason(index), steps: [], pid: index.build.pid, phase: index.build.phase });
      continue;
    }
    if (!index.valid || isTemporaryName(index.name)) {
      plan.leftoverDrops.push(dropAction(ref, index, index.valid ? 'left by an interrupted replace' : invalidReason(index)));
      continue;
    }
    if (table.prune) {
      plan.drops.push(dropAction(ref, index, pruneReason(context.manifestName)));
      continue;
    }
    plan.unmanaged.push({ table: ref, index: index.name, definition: index.definition });
  }
  return plan;
}

/**
 * One ANALYZE per table, after its last expression build: ANALYZE holds a snapshot, and every concurrent
 * build elsewhere waits for older snapshots before it finishes — repeated ANALYZEs of one table would
 * hold up the builds on the others.
 */
function analyzeOnce(actions: readonly Action[]): Action[] {
  const last = actions.findLastIndex((action) => action.steps.some((step) => step.kind === 'analyze'));
  return actions.map((action, i) =>
    i === last || !action.steps.some((step) => step.kind === 'analyze')
      ? action
      : ({ ...action, steps: action.steps.filter((step) => step.kind !== 'analyze') } as Action),
  );
}

function dropAction(table: TableRef, index: LiveIndex, reason: string): DropAction {
  const locking = index.partitioned;
  return {
    kind: 'drop',
    table,
    index: index.name,
    reason,
    definition: index.definition,
    locking,
    steps: [{ kind: locking ? 'drop-locking' : 'drop', sql: [dropIndexSql(index.schema, index.name, { concurrently: !locking })] }],
  };
}

function commentAction(table: TableRef, index: DesiredIndex, from: string | undefined): Action {
  return {
    kind: 'comment',
    table,
    index: index.name,
    reason: index.comment === undefined ? 'comment removed' : 'comment changed',
    ...(from === undefined ? {} : { from }),
    ...(index.comment === undefined ? {} : { to: index.comment }),
    steps: [{ kind: 'comment', sql: [commentIndexSql(index.schema, index.name, index.comment)] }],
  };
}

/** Every action kind, for exhaustive handling elsewhere. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'create':
      return `create ${action.index}`;
    case 'replace':
      return `replace ${action.index}`;
    case 'rename':
      return `rename ${action.from} to ${action.index}`;
    case 'rebuild':
      return `rebuild ${action.index}`;
    case 'drop':
      return `drop ${action.index}`;
    case 'comment':
      return `comment on ${action.index}`;
    case 'skip':
      return `skip ${action.index}`;
    default:
      return assertNever(action, 'action');
  }
}

