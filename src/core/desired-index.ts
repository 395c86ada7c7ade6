/*
 * One declared index from the manifest as a DesiredIndex: column entries as objects, defaults applied,
 * and the checks the JSON Schema cannot express, each reported at its place. SQL fragments are
 * collected for one batched check by the caller.
 */
import { findControlCharacter } from './control-characters.js';
import { buildOpclassParams, buildParameters } from './desired-parameters.js';
import { buildQueries, type QueryContext } from './desired-queries.js';
import type { FragmentKind } from './fragments.js';
import type { IndexInput } from './manifest-input.js';
import { checkDottedName, checkNameLength, checkNoControl } from './manifest-names.js';
import { formatPath, type ManifestPath, type Report } from './manifest-path.js';
import type { DesiredIndex, IndexKeyPart } from './model.js';
import { printableText } from './printable.js';

const BUILTIN_METHODS = ['btree', 'hash', 'gist', 'spgist', 'gin', 'brin'];

export interface BuildContext extends QueryContext {
  /** Collects the SQL fragments to check. */
  readonly fragments: Fragment[];
  readonly placeholders: ReadonlySet<string>;
}

export interface Fragment {
  readonly text: string;
  readonly kind: FragmentKind;
  readonly path: ManifestPath;
}

/** A stand-in for a list entry that failed the schema: already reported, never checked again. */
function isPlaceholder(at: ManifestPath, { placeholders }: BuildContext): boolean {
  // Most manifests have no stand-ins: then no path needs formatting.
  return placeholders.size > 0 && placeholders.has(formatPath(at));
}

export function buildIndex(
  index: IndexInput,
  name: string,
  schema: string,
  table: string,
  path: ManifestPath,
  context: BuildContext,
): DesiredIndex {
  const { locate, report, fragments } = context;
  const source = locate(path, { at: 'key' });
  if (name === '') report(path, 'an index name cannot be empty', { at: 'key' });
  else if (!checkNoControl('the index name', name, path, { at: 'key' }, report)) {
    checkNameLength('index name', name, path, { at: 'key' }, report);
  }

  const unique = index.unique ?? false;
  const method = index.method ?? 'btree';
  const builtin = BUILTIN_METHODS.find((m) => m === method.toLowerCase());
  if (builtin !== undefined && builtin !== method) {
    report(
      [...path, 'method'],
      `access method names are case-sensitive: write ${builtin}, not ${JSON.stringify(method)}`,
    );
  }
  if (index.method !== undefined) checkNoControl('the access method', index.method, [...path, 'method'], {}, report);
  if (index.tablespace !== undefined) {
    checkNoControl('the tablespace name', index.tablespace, [...path, 'tablespace'], {}, report);
  }

  const columns = buildColumns(index, path, context);

  const include = index.include ?? [];
  checkInclude(include, columns, path, context);

  let where: string | undefined;
  if (index.where !== undefined) {
    fragments.push({ text: index.where, kind: 'where', path: [...path, 'where'] });
    where = index.where.trim();
  }

  if (index.comment !== undefined) checkComment(index.comment, [...path, 'comment'], report);

  const nullsNotDistinct = index.nullsNotDistinct ?? false;
  if (nullsNotDistinct && !unique) {
    report(
      [...path, 'nullsNotDistinct'],
      'nullsNotDistinct needs unique: true (it only changes how a unique index treats NULLs)',
      { at: 'key' },
    );
  }

  const storage = buildParameters(
    index.with ?? {},
    [...path, 'with'],
    'storage parameter',
    'e.g. fillfactor, fastupdate, pages_per_range',
    report,
  );

  const queries = buildQueries(index.queries ?? [], path, context);

  return {
    name,
    schema,
    table,
    unique,
    method,
    columns,
    include,
    ...(where === undefined ? {} : { where }),
    with: storage,
    nullsNotDistinct,
    ...(index.tablespace === undefined ? {} : { tablespace: index.tablespace }),
    // COMMENT ON … IS '' removes the comment: treat an empty one as none, or plans would never converge.
    ...(index.comment === undefined || index.comment === '' ? {} : { comment: index.comment }),
    queries,
    source,
  };
}

function buildColumns(index: IndexInput, path: ManifestPath, context: BuildContext): IndexKeyPart[] {
  const { locate, report, fragments } = context;
  return index.columns.map((entry, i) => {
    const entryPath: ManifestPath = [...path, 'columns', i];
    const entrySource = locate(entryPath);
    if (typeof entry === 'string') {
      if (isPlaceholder(entryPath, context)) return { kind: 'column', column: entry, source: entrySource };
      if (entry.includes('(')) {
        report(
          entryPath,
          `${JSON.stringify(entry)} is taken as a column name; for an expression write { expression: ${printableText(entry)} }`,
        );
      }
      checkNoControl('the column name', entry, entryPath, {}, report);
      return { kind: 'column', column: entry, source: entrySource };
    }
    if (entry.column !== undefined) checkNoControl('the column name', entry.column, [...entryPath, 'column'], {}, report);
    if (entry.opclass !== undefined) checkDottedName('opclass', entry.opclass, [...entryPath, 'opclass'], report);
    if (entry.collation !== undefined) checkDottedName('collation', entry.collation, [...entryPath, 'collation'], report);
    const opclassParams = buildOpclassParams(entry, entryPath, report);
    const options = {
      ...(entry.opclass === undefined ? {} : { opclass: entry.opclass }),
      ...(opclassParams === undefined ? {} : { opclassParams }),
      ...(entry.collation === undefined ? {} : { collation: entry.collation }),
      ...(entry.order === undefined ? {} : { order: entry.order }),
      ...(entry.nulls === undefined ? {} : { nulls: entry.nulls }),
      source: entrySource,
    };
    if (entry.expression !== undefined) {
      fragments.push({ text: entry.expression, kind: 'expression', path: [...entryPath, 'expression'] });
      return { kind: 'expression', expression: entry.expression.trim(), ...options };
    }
    return { kind: 'column', column: entry.column ?? '', ...options };
    });
}

function checkInclude(include: readonly string[], columns: readonly IndexKeyPart[], path: ManifestPath, context: BuildContext): void {
  const { report } = context;
  const keyColumns = new Set(columns.flatMap((c) => (c.kind === 'column' ? [c.column] : [])));
  include.forEach((column, i) => {
    if (isPlaceholder([...path, 'include', i], context)) return;
    if (checkNoControl('the column name', column, [...path, 'include', i], {}, report)) return;
    if (keyColumns.has(column)) {
      report(
        [...path, 'include', i],
        `${JSON.stringify(column)} is already a key column of this index: a column is either a key column or included, not both`,
      );
    } else if (include.indexOf(column) !== i) {
      report([...path, 'include', i], `${JSON.stringify(column)} is listed twice in include`);
    }
  });
}

/** Line breaks and tabs are fine in a comment; NUL cannot be stored, and the rest would garble logs. */
function checkComment(comment: string, path: ManifestPath, report: Report): void {
  const control = findControlCharacter(comment, true);
  if (!control) return;
  report(
    path,
    `the comment contains a control character (${control.description}): a comment may hold line breaks and tabs, no other control characters`,
    { offset: control.offset },
  );
}
