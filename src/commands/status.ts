/* `reconcile status`: index health of the declared tables; `--fail-on` turns findings into exit 1. */
import { UserError } from '../core/errors.js';
import { assertNever } from '../core/actions.js';
import { categoriesPresent, computeStatus, statusDocument, type StatusCategory, type StatusReport } from '../core/status.js';
import { readLiveState } from '../io/catalog.js';
import { withSession } from '../io/db.js';
import { loadManifest } from '../io/manifest/load.js';
import { renderStatusMarkdown } from '../ui/status-markdown.js';
import { renderStatusText } from '../ui/status-text.js';
import { readStatusFacts } from '../io/status-reader.js';
import { readBloat } from '../io/bloat-reader.js';
import { readCitusView } from '../io/citus/planning.js';
import { citusStatusFacts } from '../core/citus/status.js';
import { colorsFor, withConnection, type CommandContext, type CommonOptions, type ConnectionOptions } from './context.js';

export type StatusFormat = 'text' | 'json' | 'markdown';

export interface StatusCommandOptions extends ConnectionOptions, CommonOptions {
  readonly file: string;
  readonly format: StatusFormat;
  /** Exit 1 when any of these is present. */
  readonly failOn: readonly StatusCategory[];
  /** Measure bloat with pgstattuple instead of estimating it. */
  readonly exactBloat?: boolean;
}

export const FAIL_WORDS: Readonly<Record<StatusCategory, (count: number) => string>> = {
  budget: (n) => `${n} table${n === 1 ? '' : 's'} over the index size budget`,
  invalid: (n) => `${n} invalid index${n === 1 ? '' : 'es'}`,
  redundant: (n) => `${n} redundant index${n === 1 ? '' : 'es'}`,
  unused: (n) => `${n} unused index${n === 1 ? '' : 'es'}`,
  bloat: (n) => `${n} bloated index${n === 1 ? '' : 'es'}`,
};

export async function readStatus(
  options: ConnectionOptions & { readonly file: string; readonly exactBloat?: boolean; readonly failOn?: readonly StatusCategory[] },
  context: CommandContext,
): Promise<StatusReport> {
  const desired = await loadManifest(options.file);
  if (options.failOn?.includes('bloat') && !desired.tables.some((t) => t.maintenance?.maxBloat !== undefined)) {
    throw new UserError(
      `--fail-on bloat needs a threshold, and ${options.file} sets no maintenance.maxBloat.`,
      'Add maintenance: { maxBloat: 40% } at the top of the manifest (or to a table), or leave bloat out of --fail-on.',
    );
  }
  return withConnection(context, options, (target) =>
    withSession(target, async (session) => {
      const live = await readLiveState(session, desired.tables);
      const facts = await readStatusFacts(session, desired.tables);
      const bloat = await readBloat(session, desired.tables, { exact: options.exactBloat ?? false });
      // On a Citus coordinator the shards hold the data: sizes, scans and validity are theirs.
      const citus = await readCitusView(session, desired, live, 'all');
      if (!citus.citus) return computeStatus(desired, live, { ...facts, bloat });
      return computeStatus(desired, citus.live, { ...citusStatusFacts(facts, citus.citus), bloat });
    }),
  );
}

export async function runStatus(options: StatusCommandOptions, context: CommandContext): Promise<number> {
  const unknown = options.failOn.filter((c) => !(c in FAIL_WORDS));
  if (unknown.length > 0) {
    throw new UserError(`--fail-on does not know ${unknown.map((c) => JSON.stringify(c)).join(', ')}.`, 'Use any of budget, invalid, redundant, unused, bloat, comma-separated.');
  }
  const report = await readStatus(options, context);
  switch (options.format) {
    case 'text':
      context.stdout.write(renderStatusText(report, colorsFor(context, options)));
      break;
    case 'json':
      context.stdout.write(`${JSON.stringify(statusDocument(report), null, 2)}\n`);
      break;
    case 'markdown':
      context.stdout.write(renderStatusMarkdown(report));
      break;
    default:
      return assertNever(options.format, 'status format');
  }
  const failing = categoriesPresent(report).filter(({ category }) => options.failOn.includes(category));
  if (failing.length === 0) return 0;
  context.stderr.write(`status failed (--fail-on ${options.failOn.join(',')}): ${failing.map(({ category, count }) => FAIL_WORDS[category](count)).join(', ')}.\n`);
  return 1;
}
