/* The deployment guide's success criteria as a checklist: [x] met, [ ] not met, [-] not checked, each with what was measured. */
import { assertNever } from '../core/actions.js';
import type { Criterion, CriterionVerdict } from '../core/success-criteria.js';
import type { Palette } from './color.js';

function mark(verdict: CriterionVerdict, colors: Palette): string {
  switch (verdict) {
    case 'met':
      return colors.green('[x]');
    case 'not-met':
      return colors.red('[ ]');
    case 'not-checked':
      return colors.dim('[-]');
    default:
      return assertNever(verdict, 'criterion verdict');
  }
}

export function renderSuccessCriteria(criteria: readonly Criterion[], colors: Palette): string {
  const lines = [colors.bold("The deployment guide's success criteria:")];
  for (const criterion of criteria) {
    const detail = criterion.verdict === 'not-checked' ? `not checked: ${criterion.detail}` : criterion.detail;
    lines.push(`  ${mark(criterion.verdict, colors)} ${criterion.item}: ${criterion.verdict === 'not-met' ? colors.red(detail) : detail}`);
  }
  const checked = criteria.filter((c) => c.verdict !== 'not-checked');
  const met = checked.filter((c) => c.verdict === 'met').length;
  const unchecked = criteria.filter((c) => c.verdict === 'not-checked').map((c) => c.item.toLowerCase());
  const notChecked = unchecked.length === 0 ? '' : ` Not checked here: ${unchecked.join('; ')}.`;
  lines.push('', `Checked ${checked.length} of ${criteria.length}: ${met} met, ${checked.length - met} not met.${notChecked}`);
  return `${lines.join('\n')}\n`;
}
