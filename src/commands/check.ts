/*
 * `reconcile check`: run the queries each index declares it serves under EXPLAIN (read-only, rolled
 * back) and fail when the planner does not use that index; with --analyze, time them against their
 * p95 budgets.
 */
import { Interrupted, UserError } from '../core/errors.js';
import {
  checkDocument,
  checkPassed,
  checkReport,
  declaredChecks,
  evaluateCheck,
  explainMethod,
  type CheckReport,
  type CheckResult,
  type QueryOutcome,
} from '../core/explain.js';
import { checkQuery } from '../core/query-check.js';
import { readLiveState } from '../io/catalog.js';
import { runDeclaredQuery } from '../io/check-runner.js';
import { readRoleSearchPath } from '../io/search-path.js';
import { withSession } from '../io/db.js';
import { loadManifest } from '../io/manifest/load.js';
import { renderCheckMarkdown } from '../ui/check-markdown.js';
import { renderCheckText } from '../ui/check-text.js';
import { colorsFor, withConnection, type CommandContext, type CommonOptions, type ConnectionOptions } from './context.js';

export type CheckFormat = 'text' | 'json' | 'markdown';

export const DEFAULT_CHECK_RUNS = 5;

export interface CheckCommandOptions extends ConnectionOptions, CommonOptions {
  readonly file: string;
  readonly format: CheckFormat;
  /** Time each query too (EXPLAIN ANALYZE: it runs, read-only, rolled back). */
  readonly analyze?: boolean;
  /** Timed runs per query with --analyze; default 5. */
  readonly runs?: number;
}

export async function runCheck(options: CheckCommandOptions, context: CommandContext): Promise<number> {
  const runs = options.runs ?? DEFAULT_CHECK_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`--runs must be a whole number of at least 1, not ${runs}.`);
  const analyze = options.analyze ?? false;
  const desired = await loadManifest(options.file);
  const checks = declaredChecks(desired);
  // The manifest reader admitted each query as one read-only SELECT; nothing else may reach the server.
  for (const check of checks) {
    const issue = checkQuery(check.sql).issue;
    if (issue) throw new Error(`a declared query passed the manifest check but is not one plain SELECT (${issue.message}): ${check.sql}`);
  }
  let report: CheckReport;
  if (checks.length === 0) {
    report = checkReport(options.file, { analyze, runs }, []);
  } else {
    report = await withConnection(context, options, async (target) => {
      // The catalog is read the way every read of the tool's is (jit off); the queries run on a session
      // of their own that keeps the server's jit, as the application's sessions do.
      const live = await withSession(target, (session) => readLiveState(session, desired.tables));
      const searchPath = (await readRoleSearchPath(target)).setting;
      const results = await withSession(
        target,
        async (session) => {
          const done: CheckResult[] = [];
          // Ctrl-C cancels the query running now; the transaction is rolled back either way.
          const onAbort = (): void => void session.cancel().catch(() => undefined);
          context.signal.addEventListener('abort', onAbort, { once: true });
          try {
            for (const check of checks) {
              if (context.signal.aborted) throw new Interrupted();
              const method = explainMethod(check, { analyze, serverVersionNum: live.serverVersionNum });
              const outcome: QueryOutcome =
                method.kind === 'unplannable'
                  ? { kind: 'failed', message: method.message }
                  : await runDeclaredQuery(session, check.sql, { runs: analyze ? runs : 0, searchPath, method });
              if (context.signal.aborted) throw new Interrupted();
              done.push(evaluateCheck(check, outcome, live));
            }
          } finally {
            context.signal.removeEventListener('abort', onAbort);
          }
          return done;
        },
        { applicationQueries: true },
      );
      return checkReport(options.file, { analyze, runs, searchPath }, results);
    });
  }
  switch (options.format) {
    case 'text':
      context.stdout.write(renderCheckText(report, colorsFor(context, options)));
      break;
    case 'json':
      context.stdout.write(`${JSON.stringify(checkDocument(report), null, 2)}\n`);
      break;
    case 'markdown':
      context.stdout.write(renderCheckMarkdown(report));
      break;
  }
  return checkPassed(report) ? 0 : 1;
}
