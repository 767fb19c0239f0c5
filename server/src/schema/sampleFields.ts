/**
 * Fields learnt from sample events: every dotted field path seen, its JSON types, how many events
 * carry it, and its most frequent values with their counts. Completion ranks these fields first and
 * offers their values; hover tells what the samples hold; the unknown-field check knows them.
 *
 * Statistics are kept per file ({@link FileFieldStats}) so that one changed file is indexed again
 * alone; {@link SampleFields} merges the files on demand and caches the result until a file changes.
 */
import { flatFieldSource, type FieldSource } from './fieldCatalog';

/** JSON type of a value as the samples hold it (`array` elements count as their own types). */
export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object';

/** A value seen in the samples, with how many times it was seen. */
export interface SampleValue {
  /** A bigint for an integer beyond 2^53 (read exactly from the samples). */
  value: string | number | bigint | boolean;
  count: number;
}

/** What the samples hold for one field. */
export interface SampleFieldStat {
  /** Dotted path, e.g. `process.parent.name` (nested objects and dotted keys alike). */
  name: string;
  /** Events that carry the field (an event counts once, whatever the array length). */
  events: number;
  /** JSON types seen, with how many values had each. */
  types: Partial<Record<JsonType, number>>;
  /** Most frequent values first (ties: first seen first); at most {@link MAX_VALUES_KEPT} distinct values are tracked. */
  values: SampleValue[];
  /** True when more distinct values were seen than were tracked (the counts of late values are missing). */
  moreValues: boolean;
}

/** Distinct values tracked per field and file (beyond them, new values are only noted as more). */
export const MAX_VALUES_KEPT = 200;
/** Longer strings are not kept as values (command lines, scripts): they make poor completions. */
export const MAX_VALUE_LENGTH = 200;

interface MutableStat {
  events: number;
  lastEvent: number;
  types: Partial<Record<JsonType, number>>;
  values: Map<string, SampleValue>;
  moreValues: boolean;
}

/** Field statistics of the events of one file (or any batch of events). */
export class FileFieldStats {
  private readonly stats = new Map<string, MutableStat>();
  private eventNumber = 0;
  /** Events added. */
  get events(): number {
    return this.eventNumber;
  }

  /** Adds one event (a parsed JSON object). Never throws; depth beyond 100 levels is not walked. */
  add(doc: Record<string, unknown>): void {
    this.eventNumber++;
    this.walk(doc, '', 0);
  }

  /** The statistics by field name (live view: do not keep across {@link add} calls). */
  entries(): IterableIterator<[string, MutableStat]> {
    return this.stats.entries();
  }

  private walk(value: unknown, path: string, depth: number): void {
    if (depth > 100) return;
    if (Array.isArray(value)) {
      for (const v of value) this.walk(v, path, depth + 1);
      return;
    }
    if (value !== null && typeof value === 'object') {
      if (path) this.note(path, 'object', undefined);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) this.walk(v, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    if (!path) return;
    const type: JsonType = value === null ? 'null' : typeof value === 'string' ? 'string' : typeof value === 'number' || typeof value === 'bigint' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'null';
    this.note(path, type, type === 'null' ? undefined : (value as string | number | bigint | boolean));
  }

  private note(path: string, type: JsonType, value: string | number | bigint | boolean | undefined): void {
    let s = this.stats.get(path);
    if (!s) {
      s = { events: 0, lastEvent: 0, types: {}, values: new Map(), moreValues: false };
      this.stats.set(path, s);
    }
    if (s.lastEvent !== this.eventNumber) {
      s.lastEvent = this.eventNumber;
      s.events++;
    }
    s.types[type] = (s.types[type] ?? 0) + 1;
    if (value === undefined || (typeof value === 'string' && value.length > MAX_VALUE_LENGTH)) return;
    const key = typeof value === 'string' ? `s${value}` : `${typeof value}${value}`;
    const seen = s.values.get(key);
    if (seen) seen.count++;
    else if (s.values.size < MAX_VALUES_KEPT) s.values.set(key, { value, count: 1 });
    else s.moreValues = true;
  }
}

/** The fields of every indexed sample file. */
export class SampleFields {
  private readonly files = new Map<string, FileFieldStats>();
  private merged: Map<string, SampleFieldStat> | undefined;
  private source: FieldSource | undefined;
  /** Bumped on every change (for caches of derived data). */
  version = 0;

  /** Sets (or replaces) the statistics of one file. */
  setFile(file: string, stats: FileFieldStats): void {
    this.files.set(file, stats);
    this.changed();
  }

  /** Forgets a file (deleted, or no longer matched by the samples glob). */
  deleteFile(file: string): void {
    if (this.files.delete(file)) this.changed();
  }

  /** The indexed files. */
  fileNames(): string[] {
    return [...this.files.keys()];
  }

  /** Events indexed over all files. */
  get events(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.events;
    return n;
  }

  /** Every field, merged over the files (cached until a file changes). */
  fields(): ReadonlyMap<string, SampleFieldStat> {
    if (this.merged) return this.merged;
    const out = new Map<string, SampleFieldStat & { byKey: Map<string, SampleValue> }>();
    for (const stats of this.files.values()) {
      for (const [name, s] of stats.entries()) {
        let m = out.get(name);
        if (!m) {
          m = { name, events: 0, types: {}, values: [], moreValues: false, byKey: new Map() };
          out.set(name, m);
        }
        m.events += s.events;
        m.moreValues ||= s.moreValues;
        for (const [t, n] of Object.entries(s.types) as Array<[JsonType, number]>) m.types[t] = (m.types[t] ?? 0) + n;
        for (const [key, v] of s.values) {
          const had = m.byKey.get(key);
          if (had) had.count += v.count;
          else m.byKey.set(key, { value: v.value, count: v.count });
        }
      }
    }
    const merged = new Map<string, SampleFieldStat>();
    for (const [name, m] of out) {
      const values = [...m.byKey.values()].sort((a, b) => b.count - a.count);
      merged.set(name, { name, events: m.events, types: m.types, values, moreValues: m.moreValues });
    }
    this.merged = merged;
    return merged;
  }

  /** One field's statistics, or undefined when no sample holds it. */
  field(name: string): SampleFieldStat | undefined {
    return this.fields().get(name);
  }

  /** The fields as a source of known names for the unknown-field check (leaf fields). */
  fieldSource(): FieldSource {
    if (this.source) return this.source;
    const types = new Map<string, string>();
    for (const [name, s] of this.fields()) {
      // Leaf fields only: an object of the samples (`process`) does not make every name below it known.
      if (!(s.types.object && Object.keys(s.types).length === 1)) types.set(name, 'keyword');
    }
    this.source = flatFieldSource('samples', types);
    return this.source;
  }

  private changed(): void {
    this.merged = undefined;
    this.source = undefined;
    this.version++;
  }
}
