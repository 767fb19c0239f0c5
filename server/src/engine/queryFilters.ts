import type { EventFilter, Query } from '../eql/ast';

/**
 * Every event filter of a query: the event query's filter, or each stage's (sequence, sample,
 * missing-event stages included) followed by the sequence's `until` filter when it has one.
 * These are the filters an event must pass one of to matter to the replay.
 */
export function queryFilters(query: Query): EventFilter[] {
  if (query.kind === 'event') return [query.filter];
  const filters = query.stages.map((s) => s.filter);
  if (query.kind === 'sequence' && query.until) filters.push(query.until.filter);
  return filters;
}
