/* What an action's failure says: a thrown error as the ErrorInfo of an event (PostgreSQL's code, detail and hint kept). */
import { DatabaseRefused, UserError } from '../../core/errors.js';
import type { ErrorInfo } from '../../core/events.js';
import { withShardNamed } from '../../core/citus/errors.js';

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof DatabaseRefused) {
    return {
      // A Citus worker's error: the shard and the worker it came from, which the coordinator names only in CONTEXT.
      message: withShardNamed(error.message, error.where),
      ...(error.code === undefined ? {} : { code: error.code }),
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    };
  }
  if (error instanceof UserError) return { message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
