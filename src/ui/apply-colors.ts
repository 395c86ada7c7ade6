/*
 * How an action's state and kind look on the apply screen: a symbol per state, a colour per state and kind.
 */
import type { ActionKind } from '../core/actions.js';
import type { ActionState, PartitionView } from './apply-state.js';
import type { Palette } from './color.js';
import type { Paint } from './tui-layout.js';

export const STATE_SYMBOLS: Readonly<Record<ActionState, string>> = {
  pending: '○',
  running: '●',
  done: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '⊘',
};

export function stateColor(state: ActionState | PartitionView['state'], colors: Palette): Paint {
  switch (state) {
    case 'pending':
    case 'skipped':
      return colors.dim;
    case 'running':
      return colors.cyan;
    case 'done':
      return colors.green;
    case 'failed':
      return colors.red;
    case 'cancelled':
      return colors.yellow;
    default: {
      const unhandled: never = state;
      return unhandled;
    }
  }
}

export function kindColor(kind: ActionKind, colors: Palette): Paint {
  switch (kind) {
    case 'create':
      return colors.green;
    case 'replace':
      return colors.yellow;
    case 'rename':
    case 'comment':
      return colors.cyan;
    case 'rebuild':
    case 'reindex':
      return colors.magenta;
    case 'drop':
      return colors.red;
    case 'skip':
      return colors.dim;
    default: {
      const unhandled: never = kind;
      return unhandled;
    }
  }
}
