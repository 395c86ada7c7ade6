/*
 * What a fleet apply tells the world: the fleet's own events, and each target's apply events (the
 * single-database executor's, unchanged) wrapped with the target's name. Renderers consume these.
 */
import type { ActionKind, TableRef } from '../actions.js';
import type { ApplyEvent, ErrorInfo } from '../events.js';
import type { FleetPolicy, TargetState } from './schedule.js';

/** What a target's actions came to, as a report lists them. */
export interface ActionRecord {
  readonly kind: ActionKind;
  readonly table: TableRef;
  readonly index: string;
  readonly status: 'done' | 'failed' | 'cancelled' | 'skipped' | 'not-run';
  readonly durationMs?: number;
  readonly error?: ErrorInfo;
  /** Size of the index an action built, once it is done. */
  readonly indexBytes?: number;
}

export interface TargetOutcome {
  readonly name: string;
  readonly state: TargetState;
  readonly canary: boolean;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly durationMs?: number;
  /** Why it failed, was unreachable or busy (passwords masked). */
  readonly error?: ErrorInfo;
  readonly actions: readonly ActionRecord[];
  /** Bytes of the indexes its builds made. */
  readonly bytesBuilt: number;
}

export type FleetEvent =
  | {
      readonly type: 'fleet-planned';
      readonly at: number;
      readonly targets: readonly { readonly name: string; readonly server: string; readonly canary: boolean }[];
      readonly policy: FleetPolicy;
    }
  | { readonly type: 'target-started'; readonly at: number; readonly target: string; readonly canary: boolean }
  | { readonly type: 'target-apply'; readonly target: string; readonly event: ApplyEvent }
  | { readonly type: 'target-finished'; readonly at: number; readonly outcome: TargetOutcome }
  | { readonly type: 'fleet-stopping'; readonly at: number; readonly reason: string }
  | {
      readonly type: 'fleet-summary';
      readonly at: number;
      readonly durationMs: number;
      readonly counts: Readonly<Record<TargetState, number>>;
      /** The targets in each state, in fleet order. */
      readonly targets: Readonly<Record<TargetState, readonly string[]>>;
      readonly bytesBuilt: number;
      readonly interrupted: boolean;
      readonly stopped?: string;
    };

export type FleetListener = (event: FleetEvent) => void;
