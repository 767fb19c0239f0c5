import type { Statement } from '../eql/ast';
import { compileFieldGetter } from './fields';
import type { FieldMapping } from './mapping';
import { queryFilters } from './queryFilters';
import type { EventRecord } from './types';

/**
 * The warning for an event category field no event has a value for. Every stage with a category
 * (all but `any`) compares that field with its category ("EQL search" page, `event_category_field`;
 * "EQL syntax reference", basic syntax), so such a replay can only find nothing for them, which
 * usually means the field was mistyped.
 *
 * @param statement the rule's statement.
 * @param events all events read.
 * @param field the event category field (dotted name); `mapping` gives the aliases to follow.
 * @param optionName how the user sets the field (`--event-category-field`, `eqlWorkbench.eventCategoryField`),
 *   named in the advice.
 * @returns the warning sentence (no `warning:` prefix; `field` as given, callers escape it for
 *   terminals), or undefined when some event has a value, no event was read, or every stage is `any`.
 */
export function missingCategoryWarning(
  statement: Statement,
  events: readonly EventRecord[],
  field: string,
  optionName: string,
  mapping?: FieldMapping,
): string | undefined {
  const categoryOf = compileFieldGetter(field, mapping);
  return categoryWarningFor(statement, events.length, events.some((e) => categoryOf(e.doc).length > 0), field, optionName);
}

/**
 * The same warning as {@link missingCategoryWarning}, from counts gathered while streaming.
 * @param eventCount events read; @param someHaveCategory whether any of them has a value for `field`.
 */
export function categoryWarningFor(
  statement: Statement,
  eventCount: number,
  someHaveCategory: boolean,
  field: string,
  optionName: string,
): string | undefined {
  const filters = queryFilters(statement.query);
  if (eventCount === 0 || filters.every((f) => f.category === null) || someHaveCategory) return undefined;
  return `no event has a "${field}" value (the event category field), so only \`any\` queries and stages can match; set ${optionName} to the field holding the category`;
}
