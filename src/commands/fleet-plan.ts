/* `reconcile plan --targets F`: every target planned read-only, the plans grouped. */
import { assertNever } from '../core/actions.js';
import { fleetPlanDocument } from '../core/fleet/plan-document.js';
import { fleetExitCode } from '../core/fleet/plan-groups.js';
import { DEFAULT_SETTINGS } from '../core/model.js';
import { loadFleetManifests, planFleet } from '../io/fleet/plan-fleet.js';
import { renderFleetPlanMarkdown } from '../ui/fleet-plan-markdown.js';
import { renderFleetPlanText } from '../ui/fleet-plan-text.js';
import { colorsFor, type CommandContext, type CommonOptions } from './context.js';
import { fleetTargets, type FleetFlags } from './fleet.js';

export const DEFAULT_PLAN_PARALLEL = 8;

export interface FleetPlanCommandOptions extends FleetFlags, CommonOptions {
  readonly file: string;
  readonly fileGiven: boolean;
  readonly format: 'text' | 'json' | 'markdown';
  readonly detailedExitcode?: boolean;
  readonly allowEmpty?: boolean;
  readonly allowLockingDrops?: boolean;
  readonly exactBloat?: boolean;
}

export async function runFleetPlan(options: FleetPlanCommandOptions, context: CommandContext): Promise<number> {
  const targets = await fleetTargets(options, { file: options.file, given: options.fileGiven }, context);
  const manifests = await loadFleetManifests(targets);
  const { plan } = await planFleet(targets, manifests, {
    parallel: options.parallel ?? DEFAULT_PLAN_PARALLEL,
    allowEmpty: options.allowEmpty ?? false,
    allowLockingDrops: options.allowLockingDrops ?? false,
    exactBloat: options.exactBloat ?? false,
    signal: context.signal,
  });
  const source = options.targets ?? '--targets-cmd';
  switch (options.format) {
    case 'text':
      context.stdout.write(renderFleetPlanText(plan, colorsFor(context, options)));
      break;
    case 'json':
      context.stdout.write(`${JSON.stringify(fleetPlanDocument(plan, new Date()), null, 2)}\n`);
      break;
    case 'markdown': {
      const first = [...manifests.byPath.values()][0];
      context.stdout.write(renderFleetPlanMarkdown(plan, source, first?.desired.settings ?? DEFAULT_SETTINGS));
      break;
    }
    default:
      return assertNever(options.format, 'fleet plan format');
  }
  return fleetExitCode(plan, options.detailedExitcode ?? false);
}
