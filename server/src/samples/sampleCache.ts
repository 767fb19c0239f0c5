/**
 * Parsed sample files kept in memory between replays, so that re-running a rule after an edit
 * (the editor's live re-run) evaluates the same events again without reading, decompressing and
 * parsing the files again.
 *
 * What is cached, per sample file: every event of the file as parsed (`EventRecord`s in file order,
 * before any rule looks at them: a new rule needs events the old one dropped), and what reading
 * the file reported (skipped lines, warnings). The events are not ordered by timestamp: ordering
 * depends on the rule's options (timestamp and tiebreaker fields) and is cheap over the events a
 * rule keeps.
 *
 * Each entry holds a validity `key` saying which content it was parsed from (see
 * {@link sampleContentKey}): a lookup with another key is a miss that drops that file's entry only.
 * Entries are evicted least recently used first once their estimated size passes the budget.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { EventRecord } from '../engine/types';
import type { CategoryIndex } from './categoryIndex';
import type { NdjsonProblem } from './ndjson';

/** One cached sample file. */
export interface CachedSample {
  /** Which content the events were parsed from ({@link sampleContentKey}). */
  key: string;
  /** Every event of the file, in file order. */
  events: EventRecord[];
  /** Skipped lines (severity `error`) and lines kept with a warning, in reading order. */
  problems: NdjsonProblem[];
  /** Notes about the whole file (a truncated gzip stream), as the replay words them. */
  warnings: string[];
  /** Estimated memory held by `events` (bytes; see {@link estimateSampleBytes}). */
  bytes: number;
  /**
   * The events by event category, per category field (keyed by `categoryIndexKey`; built when the
   * file is cached, for the replay's field, and on first use for another field). Not counted in
   * `bytes`: 4 bytes per event and value, against hundreds per parsed event.
   */
  categoryIndexes?: Map<string, CategoryIndex>;
}

/**
 * Estimated memory (bytes) of parsed events: twice the content's bytes plus 96 bytes per event
 * (its record and source position). Measured with V8 (`process.memoryUsage().heapUsed` before
 * and after parsing 50,000 ECS-shaped NDJSON lines of about 300 bytes, after a full GC): parsed
 * documents take about 2.0 times their JSON text.
 *
 * @param contentBytes the decoded content's size (bytes; after gzip decompression).
 * @param events the number of events.
 */
export function estimateSampleBytes(contentBytes: number, events: number): number {
  return 2 * contentBytes + 96 * events;
}

/**
 * The validity key of a sample's content: for a file on disk its inode, size and modification time
 * (`file:ino:size:mtimeMs`, from `fs.stat` taken before reading: a change while it is read gives a
 * later mtime, so the next lookup misses); for an editor's unsaved text its SHA-1 (`text:…`).
 *
 * @returns the key, or `undefined` when the file cannot be stat'ed (then nothing is cached for it).
 */
export async function sampleContentKey(source: { path: string; text?: string }): Promise<string | undefined> {
  if (source.text !== undefined) return `text:${createHash('sha1').update(source.text).digest('hex')}`;
  try {
    const s = await fs.stat(source.path);
    return s.isFile() ? `file:${s.ino}:${s.size}:${s.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** Parsed sample files by path, under a memory budget, least recently used evicted first. */
export class SampleCache {
  /** Entries by path; a `Map` iterates in insertion order, so the first is the least recently used. */
  private readonly entries = new Map<string, CachedSample>();
  private used = 0;

  /** @param budgetBytes the most memory the entries may hold (bytes, estimated); 0 caches nothing. */
  constructor(private budgetBytes: number) {}

  /** The budget (bytes). */
  get budget(): number {
    return this.budgetBytes;
  }

  /** Estimated memory held now (bytes). */
  get usedBytes(): number {
    return this.used;
  }

  /** Cached paths, least recently used first. */
  paths(): string[] {
    return [...this.entries.keys()];
  }

  /** Changes the budget (bytes), evicting least recently used entries until the rest fits. */
  setBudget(budgetBytes: number): void {
    this.budgetBytes = Math.max(0, budgetBytes);
    this.evictUntil(0);
  }

  /** True when an entry of `bytes` (estimated) can be cached at all (it fits the whole budget). */
  fits(bytes: number): boolean {
    return bytes <= this.budgetBytes;
  }

  /**
   * The entry of `path` parsed from the content `key`, which becomes the most recently used.
   * An entry of `path` from another content is dropped (that file changed: only its part goes).
   */
  get(path: string, key: string): CachedSample | undefined {
    const entry = this.entries.get(path);
    if (entry === undefined) return undefined;
    this.entries.delete(path);
    if (entry.key !== key) {
      this.used -= entry.bytes;
      return undefined;
    }
    this.entries.set(path, entry);
    return entry;
  }

  /**
   * Caches `entry` for `path` (replacing its former entry), evicting least recently used entries
   * until it fits.
   * @returns false (and caches nothing) when the entry alone is larger than the budget.
   */
  set(path: string, entry: CachedSample): boolean {
    this.delete(path);
    if (!this.fits(entry.bytes)) return false;
    this.evictUntil(entry.bytes);
    this.entries.set(path, entry);
    this.used += entry.bytes;
    return true;
  }

  /** Forgets the entry of `path`, if any. */
  delete(path: string): void {
    const entry = this.entries.get(path);
    if (entry === undefined) return;
    this.entries.delete(path);
    this.used -= entry.bytes;
  }

  /** Evicts least recently used entries until `room` more bytes fit the budget. */
  private evictUntil(room: number): void {
    for (const [path, entry] of this.entries) {
      if (this.used + room <= this.budgetBytes) return;
      this.entries.delete(path);
      this.used -= entry.bytes;
    }
  }
}
