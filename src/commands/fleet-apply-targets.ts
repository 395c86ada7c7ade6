/* The fleet an apply runs on, from --targets / --targets-cmd, narrowed by --only and --shard. */
import { UserError } from '../core/errors.js';
import type { FleetTarget } from '../core/fleet/target.js';
import type { CommandContext } from './context.js';
import type { FleetApplyCliOptions } from './fleet-apply-cli.js';

export async function loadFleetTargets(_options: FleetApplyCliOptions, _context: CommandContext): Promise<FleetTarget[]> {
  throw new UserError('Reading --targets is not available in this build.', 'Use a build that includes the targets file reader.');
}
