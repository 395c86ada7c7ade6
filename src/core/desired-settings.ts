/*
 * The manifest's `settings` as apply's Settings: defaults applied, durations and sizes parsed, each
 * unreadable value reported at its place.
 */
import type { ManifestInput } from './manifest-input.js';
import type { Report } from './manifest-path.js';
import { checkNoControl } from './manifest-names.js';
import { DEFAULT_SETTINGS, type Settings } from './model.js';
import { parseDuration, parseSize, UnitError } from './units.js';

export function buildSettings(input: ManifestInput, report: Report): Settings {
  const given = input.settings ?? {};
  const duration = (field: 'lockTimeout' | 'buildLockTimeout' | 'statementTimeout' | 'maxReplicaLagWait', fallback: number): number => {
    const value = given[field];
    if (value === undefined) return fallback;
    try {
      return parseDuration(value);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      report(['settings', field], error.message);
      return fallback;
    }
  };
  const size = (field: 'maintenanceWorkMem' | 'maxReplicaLag'): number | undefined => {
    const value = given[field];
    if (value === undefined) return undefined;
    try {
      return parseSize(value);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      report(['settings', field], error.message);
      return undefined;
    }
  };
  const maintenanceWorkMemBytes = size('maintenanceWorkMem');
  const maxReplicaLagBytes = size('maxReplicaLag');
  return {
    concurrency: given.concurrency ?? DEFAULT_SETTINGS.concurrency,
    lockTimeoutMs: duration('lockTimeout', DEFAULT_SETTINGS.lockTimeoutMs),
    buildLockTimeoutMs: duration('buildLockTimeout', DEFAULT_SETTINGS.buildLockTimeoutMs),
    statementTimeoutMs: duration('statementTimeout', DEFAULT_SETTINGS.statementTimeoutMs),
    ...(maintenanceWorkMemBytes === undefined ? {} : { maintenanceWorkMemBytes }),
    ...(given.maxParallelMaintenanceWorkers === undefined
      ? {}
      : { maxParallelMaintenanceWorkers: given.maxParallelMaintenanceWorkers }),
    retries: given.retries ?? DEFAULT_SETTINGS.retries,
    analyzeAfterBuild: given.analyzeAfterBuild ?? DEFAULT_SETTINGS.analyzeAfterBuild,
    allowLockingDrops: given.allowLockingDrops ?? DEFAULT_SETTINGS.allowLockingDrops,
    ...(given.searchPath === undefined ? {} : { searchPath: given.searchPath }),
    ...(given.citus?.workerUrl === undefined ? {} : { citus: { workerUrl: given.citus.workerUrl } }),
    ...(maxReplicaLagBytes === undefined ? {} : { maxReplicaLagBytes }),
    // Absent: the gate's default (30 min) applies.
    ...(given.maxReplicaLagWait === undefined ? {} : { maxReplicaLagWaitMs: duration('maxReplicaLagWait', 0) }),
  };
}

export function checkSearchPath(input: ManifestInput, report: Report): void {
  (input.settings?.searchPath ?? []).forEach((schema, i) => {
    checkNoControl('the schema name', schema, ['settings', 'searchPath', i], {}, report);
  });
}
