/*
 * When to start a build that holds up every other build. A concurrent build with an expression or a
 * WHERE (and every build on 13) is not "safe": every other build that finishes while it runs waits for
 * it in its last phase ("waiting for old snapshots"). So the executor starts such a build only once the
 * builds running beside it have reached that last wait, for a bounded time. Pure: the executor reads
 * the phases and the clock, and asks.
 */
import type { Step } from './actions.js';
import { isFinalWait, isSafeBuild } from './progress.js';

/** An unsafe build this far along no longer counts as started "together" with a new one. */
export const TOGETHER_FRACTION = 0.3;

/** A build running on another worker, as last seen by the progress monitor. */
export interface RunningBuild {
  /** Other builds do not wait for it (isSafeBuild). */
  readonly safe: boolean;
  /** Its latest phase and fraction; undefined before the monitor first saw it. */
  readonly progress?: { readonly phase: string; readonly fraction?: number };
}

export type StaggerDecision<B extends RunningBuild> =
  | { readonly kind: 'start' }
  /** Hold the build back: starting now would hold up `behind` until it ends. */
  | { readonly kind: 'hold'; readonly behind: readonly B[] };

/** Whether every other build finishing meanwhile waits for this build step (the plan marks the ones it need not). */
export function holdsOthersUp(step: Pick<Step, 'safe'>, serverVersionNum: number): boolean {
  return !isSafeBuild(step, serverVersionNum);
}

/** The running builds that a build which holds everybody up would delay if it started now. */
export function buildsInTheWay<B extends RunningBuild>(others: readonly B[]): B[] {
  return others.filter((build) => {
    // Past its final wait, a build waits only for transactions older than it: not for a new build.
    if (build.progress && isFinalWait(build.progress.phase)) return false;
    // Two such builds started together finish together: neither waits long for the other.
    if (!build.safe && (build.progress?.fraction ?? 0) < TOGETHER_FRACTION) return false;
    return true;
  });
}

/**
 * Whether to start a build that holds up every other build (see holdsOthersUp) now, given the builds
 * running on other workers; it is held at most until `deadline` (epoch ms), then started anyway.
 */
export function staggerDecision<B extends RunningBuild>(others: readonly B[], now: number, deadline: number): StaggerDecision<B> {
  if (now >= deadline) return { kind: 'start' };
  const behind = buildsInTheWay(others);
  return behind.length === 0 ? { kind: 'start' } : { kind: 'hold', behind };
}

/** What a held build says it waits for: `tables` are the held-up builds' tables, qualified. */
export function staggerWaitText(tables: readonly string[]): string {
  return `builds on ${[...new Set(tables)].join(', ')} to reach their last wait (an expression or partial index build started now would hold them up until it ends)`;
}
