/**
 * What the server knows about field names, from several sources: ECS (always), the fields seen in
 * the workspace's samples, index mappings named in the settings, and the schemas of a
 * detection-rules checkout (its non-ECS schema and integration schemas). The unknown-field check
 * (`eql/fieldCheck.ts`) and completion ask one {@link FieldCatalog} and never care which source
 * answered, except to say it in messages.
 *
 * A field is known to a source when the source lists it, or when one of its dotted prefixes is an
 * `object`, `flattened` or `nested` field there (ECS `labels`: any `labels.*` key is legitimate).
 */
import { editDistance } from '../eql/similar';
import { ecsFields, ecsField } from './ecs';

/** Where a field name is known from. */
export type FieldOrigin = 'ecs' | 'samples' | 'mapping' | 'detection-rules';

/** One source of field names. */
export interface FieldSource {
  origin: FieldOrigin;
  /** Whether the source holds `name` (a dotted field name, array indexes removed). */
  has(name: string): boolean;
  /** Every field name the source lists (for "did you mean" suggestions). */
  names(): Iterable<string>;
  /** Each name and each of its single deletions → the names (built once per source, on first use). */
  deletions(): ReadonlyMap<string, readonly string[]>;
}

/** The union of some sources, as the unknown-field check reads it. */
export interface FieldCatalog {
  /** The first source (in the order given) that knows `name`; undefined when none does. */
  originOf(name: string): FieldOrigin | undefined;
  /** Every known name with the first origin that lists it (each name once). */
  names(): ReadonlyMap<string, FieldOrigin>;
  /**
   * True when a source describes the data completely (an index mapping, or a detection-rules
   * schema covering every data source of the rule): a field none of the sources hold is then one
   * Elasticsearch would reject, not a custom field.
   */
  authoritative: boolean;
  /** Whether the authoritative sources hold `name` (always true when the catalogue is not authoritative). */
  inAuthority(name: string): boolean;
  /** What the authoritative sources are, for messages: `the mapping`, `the rule's detection-rules schemas`. */
  authority?: string;
  /** The origins of the sources, in order (for messages). */
  origins: readonly FieldOrigin[];
  /**
   * Known names within `maxDistance` edits ({@link editDistance}: deleted, inserted, replaced or
   * swapped characters) of `name`, nearest first, then by origin order, then by name. Memoised.
   */
  near(name: string, maxDistance: number): readonly string[];
}

/** Field types whose sub-keys are not listed one by one: any name below them is legitimate. */
const OPEN_TYPES = new Set(['object', 'flattened', 'nested']);

/**
 * A source over a flat `{ dotted name → Elasticsearch type }` table (a non-ECS schema, an
 * integration schema, fields learnt from samples). Names below an `object` / `flattened` /
 * `nested` entry are known too.
 */
export function flatFieldSource(origin: FieldOrigin, types: ReadonlyMap<string, string>): FieldSource {
  return {
    origin,
    has: (name) => types.has(name) || hasOpenPrefix(name, (prefix) => types.get(prefix)),
    names: () => types.keys(),
    deletions: memoDeletions(() => types.keys()),
  };
}

let ecsSource: FieldSource | undefined;

/** ECS (`@elastic/ecs`, see `schema/ecs.ts`): every field and multi-field. */
export function ecsFieldSource(): FieldSource {
  if (ecsSource) return ecsSource;
  const names: string[] = [];
  for (const f of ecsFields()) names.push(f.name);
  ecsSource = {
    origin: 'ecs',
    has: (name) => ecsField(name) !== undefined || hasOpenPrefix(name, (prefix) => ecsField(prefix)?.type),
    names: () => names,
    deletions: memoDeletions(() => names),
  };
  return ecsSource;
}

/**
 * The catalogue of some sources, first source first.
 * @param authority set when the catalogue is authoritative (see {@link FieldCatalog.authoritative}):
 *   the words naming the sources that are, for messages, and those sources (among `sources`).
 */
export function fieldCatalog(sources: readonly FieldSource[], authority?: { words: string; sources: readonly FieldSource[] }): FieldCatalog {
  let all: Map<string, FieldOrigin> | undefined;
  const memo = new Map<string, readonly string[]>();
  const origins = sources.map((s) => s.origin);
  const catalog: FieldCatalog = {
    originOf: (name) => {
      const plain = name.replace(/\[\d+\]/g, '');
      return sources.find((s) => s.has(plain))?.origin;
    },
    names: () => {
      if (all) return all;
      all = new Map();
      for (const s of sources) for (const n of s.names()) if (!all.has(n)) all.set(n, s.origin);
      return all;
    },
    authoritative: authority !== undefined,
    authority: authority?.words,
    inAuthority: (name) => {
      if (!authority) return true;
      const plain = name.replace(/\[\d+\]/g, '');
      return authority.sources.some((s) => s.has(plain));
    },
    origins,
    near: (name, maxDistance) => {
      const key = `${maxDistance}\u0000${name}`;
      const cached = memo.get(key);
      if (cached) return cached;
      const names = catalog.names();
      // One edit away: found through the index of single deletions (both words lose one character
      // at most: an insertion, a deletion, a replacement or a swap). Farther: a scan of every name.
      const candidates = new Set<string>();
      const variants = [name, ...singleDeletions(name)];
      for (const source of sources) {
        const index = source.deletions();
        for (const variant of variants) for (const known of index.get(variant) ?? []) candidates.add(known);
      }
      const found: Array<{ name: string; distance: number; rank: number }> = [];
      const consider = (known: string): void => {
        const distance = editDistance(name, known, maxDistance);
        if (distance <= maxDistance && known !== name) found.push({ name: known, distance, rank: origins.indexOf(names.get(known)!) });
      };
      for (const known of candidates) consider(known);
      if (maxDistance > 1 && found.length === 0) {
        for (const known of names.keys()) if (Math.abs(known.length - name.length) <= maxDistance && !candidates.has(known)) consider(known);
      }
      found.sort((a, b) => a.distance - b.distance || a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const result = found.map((f) => f.name);
      if (memo.size > 10_000) memo.clear();
      memo.set(key, result);
      return result;
    },
  };
  return catalog;
}

/** Whether a proper dotted prefix of `name` has a type under which any key is allowed. */
function hasOpenPrefix(name: string, typeOf: (prefix: string) => string | undefined): boolean {
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    const type = typeOf(name.slice(0, dot));
    if (type !== undefined) return OPEN_TYPES.has(type);
  }
  return false;
}

/** `abc` → `bc`, `ac`, `ab` (each distinct once). */
function singleDeletions(word: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** A `deletions()` that builds the index once. */
export function memoDeletions(words: () => Iterable<string>): () => ReadonlyMap<string, readonly string[]> {
  let index: Map<string, string[]> | undefined;
  return () => (index ??= deletionIndex(words()));
}

/** Each word and each of its single deletions → the words (the symmetric-deletion index of SymSpell). */
function deletionIndex(words: Iterable<string>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const add = (key: string, word: string): void => {
    const list = index.get(key);
    if (list) list.push(word);
    else index.set(key, [word]);
  };
  for (const w of words) {
    add(w, w);
    for (const d of singleDeletions(w)) add(d, w);
  }
  return index;
}
