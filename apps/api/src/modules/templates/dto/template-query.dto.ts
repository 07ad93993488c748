/** Sortable columns of `GET P/templates` (reference §1.1); anything else falls back to `name`. */
export const TEMPLATE_SORT_COLUMNS = ['name', 'playbook', 'inventory', 'environment', 'repository'] as const;
export type TemplateSort = (typeof TEMPLATE_SORT_COLUMNS)[number];

export interface TemplateListOrder {
  sort: TemplateSort;
  desc: boolean;
}

/** Reads `?sort=&order=` leniently, as upstream: unknown values fall back to the defaults, never an error. */
export function templateListOrder(sort: unknown, order: unknown): TemplateListOrder {
  const column = TEMPLATE_SORT_COLUMNS.find((c) => c === sort) ?? 'name';
  return { sort: column, desc: typeof order === 'string' && order.toLowerCase() === 'desc' };
}
