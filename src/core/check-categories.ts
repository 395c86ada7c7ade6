/*
 * The deployment guide's categories of query and their p95 budgets ("Common queries <50ms p95, Search
 * queries <200ms p95, Analytics queries <500ms p95"). A query's category is the one the manifest names
 * (`category:`), else the narrowest whose budget holds the query's own p95 budget: the guide defines each
 * category by its budget, and the manifest already states each query's budget, so most queries need
 * nothing written twice. A query with no budget, or one above 500 ms, belongs to none.
 */
import type { QueryCategory } from './model.js';

export const QUERY_CATEGORIES: readonly QueryCategory[] = ['common', 'search', 'analytics'];

export const CATEGORY_BUDGET_MS: Readonly<Record<QueryCategory, number>> = { common: 50, search: 200, analytics: 500 };

export function categoryOf(query: { readonly category?: QueryCategory; readonly p95Ms?: number }): QueryCategory | undefined {
  if (query.category !== undefined) return query.category;
  const budget = query.p95Ms;
  if (budget === undefined) return undefined;
  return QUERY_CATEGORIES.find((category) => budget <= CATEGORY_BUDGET_MS[category]);
}
