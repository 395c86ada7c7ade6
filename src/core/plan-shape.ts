/*
 * A plan's shape in one line, for comparing plans before and after a change: each node's type (with
 * the index and table it reads, as EXPLAIN's text format names them) and its children in parentheses,
 * e.g. `Limit(Sort(Seq Scan on t))` before and `Limit(Index Scan using t_a_idx on t)` after. Costs, row
 * counts and conditions are left out: they change with the data, the shape changes with the indexes.
 */
import type { PlanNode } from './explain.js';

function nodeLabel(node: PlanNode): string {
  const parallel = node['Parallel Aware'] ? 'Parallel ' : '';
  const index = node['Index Name'] === undefined ? '' : ` using ${node['Index Name']}`;
  const relation = node['Relation Name'] === undefined ? '' : ` on ${node['Relation Name']}`;
  return `${parallel}${node['Node Type']}${index}${relation}`;
}

function isNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null && typeof (value as { 'Node Type'?: unknown })['Node Type'] === 'string';
}

/** The shape of the plan under `root` (see rootPlan for EXPLAIN's output). */
export function planShape(root: PlanNode): string {
  const visit = (node: PlanNode): string => {
    const children = (node.Plans ?? []).filter(isNode).map(visit);
    return children.length === 0 ? nodeLabel(node) : `${nodeLabel(node)}(${children.join(', ')})`;
  };
  return visit(root);
}
