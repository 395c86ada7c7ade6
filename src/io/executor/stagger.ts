/*
 * Holding an expression or partial build back until the builds on other workers reach their last wait
 * (core/stagger.ts decides; this reads what it decides on, says what the build waits for, and sleeps).
 */
import type { Step } from '../../core/actions.js';
import { holdsOthersUp, staggerDecision, staggerWaitText } from '../../core/stagger.js';
import { emit, qualified, type Queued, type RunContext, type RunningBuildStatement, type Worker } from './context.js';
import { session, sleep } from './worker.js';

const STAGGER_POLL_MS = 100;
const DEFAULT_STAGGER_MAX_MS = 60_000;

/** The builds other workers are running, with what the monitor last saw of them. */
function othersBuilding(run: RunContext, worker: Worker): (RunningBuildStatement & { readonly progress?: { phase: string; fraction?: number } })[] {
  return run.workers.flatMap((other) => {
    const build = other.build;
    if (other === worker || !build) return [];
    const progress = run.buildProgress.get(build.actionId);
    return [progress ? { ...build, progress } : build];
  });
}

/** Whether the step's build is one others do not wait for (false until the server version is known). */
export function isSafeBuildStep(run: RunContext, step: Step): boolean {
  return !holdsOthersUp(step, run.serverVersionNum ?? 0);
}

/** Holds an expression or partial build until it would not make other builds wait (bounded). */
export async function stagger(run: RunContext, worker: Worker, item: Queued, step: Step): Promise<void> {
  if (run.options.staggerBuilds === false || !run.monitor || run.workers.length < 2 || step.kind !== 'build') return;
  const s = await session(run, worker);
  run.serverVersionNum ??= Number((await s.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v ?? 0);
  if (isSafeBuildStep(run, step)) return;
  const deadline = Date.now() + (run.options.staggerMaxMs ?? DEFAULT_STAGGER_MAX_MS);
  let said = '';
  while (!run.aborted) {
    const decision = staggerDecision(othersBuilding(run, worker), Date.now(), deadline);
    if (decision.kind === 'start') return;
    const key = decision.behind.map((b) => b.pid).join(',');
    if (key !== said) {
      said = key;
      emit(run, {
        type: 'waiting',
        at: Date.now(),
        actionId: item.id,
        what: staggerWaitText(decision.behind.map((b) => qualified(b.table))),
        blockers: decision.behind.map((b) => ({ pid: b.pid, applicationName: run.applicationName, state: 'active', query: b.sql })),
      });
    }
    await sleep(STAGGER_POLL_MS, worker);
  }
}
