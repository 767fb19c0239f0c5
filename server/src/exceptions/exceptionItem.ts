/**
 * Exception items as Kibana's exception lists hold them (the `@kbn/securitysolution-io-ts-list-types`
 * shapes `ExceptionListItemSchema` and its `entries`): an item applies to an event when all its
 * entries do; an event that any item applies to is left out of the rule's search.
 *
 * Entry types read here: `match` (one value), `match_any` (any of several values), `wildcard`,
 * `exists`, and `nested` (inner `match` / `match_any` / `exists` entries on the same element of an
 * array of objects). `list` entries (Kibana value lists) name data that lives in the cluster: an item
 * holding one is reported and not applied.
 */

/** `included`: the entry holds when the condition does; `excluded`: when it does not. */
export type EntryOperator = 'included' | 'excluded';

/** One condition of an exception item. */
export type ExceptionEntry =
  | { type: 'match'; field: string; operator: EntryOperator; value: string }
  | { type: 'match_any'; field: string; operator: EntryOperator; value: string[] }
  | { type: 'wildcard'; field: string; operator: EntryOperator; value: string }
  | { type: 'exists'; field: string; operator: EntryOperator }
  | { type: 'nested'; field: string; entries: ExceptionEntry[] };

/** An exception item: a name, its entries (all must hold), and Kibana's item options. */
export interface ExceptionItem {
  /** The item's `name` (else its `item_id`, else `item N`). */
  name: string;
  /** Kibana's `item_id`, when the item has one. */
  itemId?: string;
  entries: ExceptionEntry[];
  /** Kibana's `os_types` (`windows`, `linux`, `macos`): the item holds only on those systems. */
  osTypes: string[];
  /** Kibana's `expire_time` (ISO 8601): an expired item is not applied. */
  expireTime?: string;
  /** Where it was read: file and 1-based line. */
  source: { file: string; line: number };
}

/** Why an item or entry could not be read. */
export class ExceptionFormatError extends Error {
  /** The 0-based position in the item's `entries` of the entry at fault, when one is. */
  entry?: number;
}

const OPERATORS = new Set(['included', 'excluded']);

/**
 * Checks and converts one entry as found in a Kibana export or a hand-written file.
 * `operator` defaults to `included` (hand-written files may leave it out).
 *
 * @param raw the parsed entry object.
 * @param nestedIn the parent field when reading the entries of a `nested` entry.
 * @throws ExceptionFormatError with a readable reason.
 */
export function readEntry(raw: unknown, nestedIn?: string): ExceptionEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ExceptionFormatError('an entry must be an object with `field` and `type`');
  const e = raw as Record<string, unknown>;
  const field = e.field;
  if (typeof field !== 'string' || field === '') throw new ExceptionFormatError('an entry needs a `field` (a non-empty string)');
  const operator = e.operator ?? 'included';
  const type = e.type ?? 'match';
  if (type !== 'nested' && (typeof operator !== 'string' || !OPERATORS.has(operator))) {
    throw new ExceptionFormatError(`entry on \`${field}\`: \`operator\` must be "included" or "excluded"`);
  }
  const op = operator as EntryOperator;
  switch (type) {
    case 'match':
    case 'wildcard':
      if (typeof e.value !== 'string' || e.value === '') throw new ExceptionFormatError(`${type} entry on \`${field}\` needs a \`value\` (a non-empty string)`);
      return { type: type as 'match' | 'wildcard', field, operator: op, value: e.value };
    case 'match_any':
      if (!Array.isArray(e.value) || e.value.length === 0 || !e.value.every((v) => typeof v === 'string' && v !== '')) {
        throw new ExceptionFormatError(`match_any entry on \`${field}\` needs a \`value\`: a non-empty array of non-empty strings`);
      }
      return { type: 'match_any', field, operator: op, value: e.value as string[] };
    case 'exists':
      return { type: 'exists', field, operator: op };
    case 'nested': {
      if (nestedIn !== undefined) throw new ExceptionFormatError(`nested entry on \`${field}\` inside the nested entry \`${nestedIn}\`: nesting is one level deep`);
      if (!Array.isArray(e.entries) || e.entries.length === 0) throw new ExceptionFormatError(`nested entry on \`${field}\` needs \`entries\``);
      const entries = e.entries.map((inner) => readEntry(inner, field));
      for (const inner of entries) {
        if (inner.type !== 'match' && inner.type !== 'match_any' && inner.type !== 'exists') {
          throw new ExceptionFormatError(`nested entry on \`${field}\`: inner entries must be match, match_any or exists`);
        }
      }
      return { type: 'nested', field, entries };
    }
    case 'list':
      throw new ExceptionFormatError(`list entry on \`${field}\`: value lists live in the cluster and cannot be applied to local samples`);
    default:
      throw new ExceptionFormatError(`entry on \`${field}\`: unknown type ${JSON.stringify(type)} (expected match, match_any, wildcard, exists or nested)`);
  }
}

/**
 * Checks and converts one item object (`entries`, and optionally `name`, `item_id`, `os_types`, `expire_time`).
 * @param fallbackName used when the item has neither `name` nor `item_id`.
 * @throws ExceptionFormatError with a readable reason (and `entry` when an entry is at fault).
 */
export function readItem(raw: Record<string, unknown>, source: { file: string; line: number }, fallbackName: string): ExceptionItem {
  if (!Array.isArray(raw.entries) || raw.entries.length === 0) throw new ExceptionFormatError('an exception item needs `entries` (a non-empty array)');
  const entries = raw.entries.map((e, i) => {
    try {
      return readEntry(e);
    } catch (error) {
      if (error instanceof ExceptionFormatError) error.entry = i;
      throw error;
    }
  });
  const osTypes = raw.os_types === undefined ? [] : raw.os_types;
  if (!Array.isArray(osTypes) || !osTypes.every((o) => typeof o === 'string')) throw new ExceptionFormatError('`os_types` must be an array of strings');
  if (raw.expire_time !== undefined && (typeof raw.expire_time !== 'string' || Number.isNaN(Date.parse(raw.expire_time)))) {
    throw new ExceptionFormatError('`expire_time` must be an ISO 8601 date');
  }
  const itemId = typeof raw.item_id === 'string' ? raw.item_id : undefined;
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : itemId ?? fallbackName;
  return {
    name,
    ...(itemId !== undefined ? { itemId } : {}),
    entries,
    osTypes: osTypes as string[],
    ...(typeof raw.expire_time === 'string' ? { expireTime: raw.expire_time } : {}),
    source,
  };
}
