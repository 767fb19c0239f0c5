/**
 * Search hits written one per line: `jq -c '.hits.hits[]'` over a search response (or
 * `.hits.events[]` over an `_eql/search` one) gives lines such as
 * `{"_index":".ds-logs-…","_id":"…","_source":{…}}`. The event is the hit's `_source`, and its
 * `_index` says where it was stored (for the rule's index patterns, `indexPatterns.ts`).
 *
 * A line is a hit when it has `_source` and every key is a key Elasticsearch writes in a hit:
 * the Search API's hit (`SearchHit.toXContent`; the keys of `SearchHit` in the Elasticsearch
 * JavaScript client's types: `_index`, `_id`, `_score`, `_explanation`, `fields`, `highlight`,
 * `inner_hits`, `matched_queries`, `_nested`, `_ignored`, `ignored_field_values`, `_shard`,
 * `_node`, `_routing`, `_source`, `_rank`, `_seq_no`, `_primary_term`, `_version`, `sort`; `_type`
 * before 8.0) and the `_eql/search` event (`EqlHitsEvent`: `missing` too). An event document
 * cannot be mistaken for one: `_source` is a metadata field, refused inside a document by
 * Elasticsearch, and an event has fields of its own.
 */

/** The keys of a search hit and of an `_eql/search` event (see the module comment). */
export const SEARCH_HIT_KEYS: ReadonlySet<string> = new Set([
  '_index',
  '_id',
  '_score',
  '_explanation',
  'fields',
  'highlight',
  'inner_hits',
  'matched_queries',
  '_nested',
  '_ignored',
  'ignored_field_values',
  '_shard',
  '_node',
  '_routing',
  '_source',
  '_rank',
  '_seq_no',
  '_primary_term',
  '_version',
  'sort',
  '_type',
  'missing',
]);

/** The message for a hit whose `_source` is not an object (left out of the search, or `null`). */
export const HIT_WITHOUT_SOURCE = 'a hit without a _source object (request _source in the search)';

/**
 * Whether a JSON object is a search hit: it has `_source` and only keys of {@link SEARCH_HIT_KEYS}.
 * O(number of keys).
 */
export function isSearchHit(value: Record<string, unknown>): boolean {
  if (!Object.prototype.hasOwnProperty.call(value, '_source')) return false;
  for (const key in value) if (!SEARCH_HIT_KEYS.has(key)) return false;
  return true;
}

/**
 * The event of a search hit: its `_source`, and its `_index` when it is a non-empty string.
 *
 * @param hit an object for which {@link isSearchHit} (or the caller's own rule) holds.
 * @returns `{ doc, index? }`, or `{ error }` ({@link HIT_WITHOUT_SOURCE}) when `_source` is not an object.
 */
export function unwrapSearchHit(hit: Record<string, unknown>): { doc: Record<string, unknown>; index?: string } | { error: string } {
  const source = hit._source;
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return { error: HIT_WITHOUT_SOURCE };
  const index = hit._index;
  return typeof index === 'string' && index !== '' ? { doc: source as Record<string, unknown>, index } : { doc: source as Record<string, unknown> };
}
