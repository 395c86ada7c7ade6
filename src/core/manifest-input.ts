/*
 * The manifest as written: what schema/indexes.schema.json accepts, before defaults, units and checks.
 */
import type { MaintenanceInput } from './maintenance.js';
import type { QueryCategory, QueryParam } from './model.js';

export type Duration = number | string;
export type Size = number | string;

export interface ColumnEntryInput {
  readonly column?: string;
  readonly expression?: string;
  readonly opclass?: string;
  readonly opclassParams?: Readonly<Record<string, string | number | boolean>>;
  readonly collation?: string;
  readonly order?: 'asc' | 'desc';
  readonly nulls?: 'first' | 'last';
}

export interface QueryInput {
  readonly sql: string;
  readonly params?: readonly QueryParam[];
  readonly p95?: Duration;
  readonly category?: QueryCategory;
}

export interface IndexInput {
  readonly columns: readonly (string | ColumnEntryInput)[];
  readonly unique?: boolean;
  readonly method?: string;
  readonly include?: readonly string[];
  readonly where?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  readonly nullsNotDistinct?: boolean;
  readonly tablespace?: string;
  readonly comment?: string;
  readonly queries?: readonly QueryInput[];
}

export interface TableInput {
  readonly prune?: boolean;
  readonly maintenance?: MaintenanceInput;
  readonly indexes?: Readonly<Record<string, IndexInput>>;
}

export interface ManifestInput {
  readonly version: 1;
  readonly defaults?: { readonly schema?: string; readonly prune?: boolean };
  readonly settings?: {
    readonly concurrency?: number;
    readonly lockTimeout?: Duration;
    readonly buildLockTimeout?: Duration;
    readonly statementTimeout?: Duration;
    readonly maintenanceWorkMem?: Size;
    readonly maxParallelMaintenanceWorkers?: number;
    readonly retries?: number;
    readonly analyzeAfterBuild?: boolean;
    readonly allowLockingDrops?: boolean;
    readonly searchPath?: readonly string[];
    readonly citus?: { readonly workerUrl?: string };
    readonly maxReplicaLag?: Size;
    readonly maxReplicaLagWait?: Duration;
  };
  readonly budgets?: { readonly indexToTableRatio?: number };
  readonly maintenance?: MaintenanceInput;
  readonly tables: Readonly<Record<string, TableInput>>;
}
