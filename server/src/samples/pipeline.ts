/**
 * The one sample pipeline behind every replay (command line, language server, rule tests): sample
 * files are read chunk by chunk (`lineReader.ts`), each line decoded and parsed
 * (`decodeNdjsonLine`), and each event added to a {@link ReplaySession} that keeps only the events
 * some filter of the rule passes. Neither a whole file nor an array of all events is ever held:
 * memory is bounded by the kept events and the sequence state (see `ReplaySession` for how
 * out-of-order input stays correct and what it costs).
 *
 * Problems are reported, never fatal: a malformed line is reported with its file and line and
 * skipped; a file that cannot be read is named in `unreadable` and the other files are still read.
 */
import { promises as fs } from 'node:fs';
import type { Statement } from '../eql/ast';
import { categoryWarningFor } from '../engine/categoryCheck';
import { EqlCompileError, EqlEvaluationError } from '../engine/errors';
import { compileFieldGetter } from '../engine/fields';
import { compileChunkSieve } from '../engine/chunkSieve';
import { compilePrefilter } from '../engine/prefilter';
import { DEFAULT_EVENT_CATEGORY_FIELD, ReplaySession, type RelevanceTest, type ReplayRunOptions } from '../engine/replay';
import type { EventRecord, Match } from '../engine/types';
import { buildCategoryIndex, categoryIndexKey, relevanceBySet, ruleCategories } from './categoryIndex';
import { describeFsError } from './fsErrors';
import { detectUnsupportedEncoding, UnsupportedEncodingError } from './encoding';
import { IndexPatternFilter, type IndexPatternSummary } from './indexPatterns';
import { rawEventIndex } from './rawEventIndex';
import { detectSampleFormat } from './jsonDocuments';
import { splitJsonArray } from './jsonArrayElements';
import { splitJsonObjects } from './jsonObjectElements';
import { HeapGuard, ReplayMemoryError } from './memoryGuard';
import { openSampleContent, peekContent, splitLines, textContent, type LineSkipper, type ReadOptions } from './lineReader';
import { gzipTrailingDataMessage } from './gzipMembers';
import { decodeNdjsonLine, oversizedLineProblem, type NdjsonProblem } from './ndjson';
import { estimateSampleBytes, sampleContentKey, type CachedSample, type SampleCache } from './sampleCache';

/** One sample file: its path, and its text when an editor holds unsaved changes. */
export interface SampleSource {
  path: string;
  /** The content to use instead of the file on disk (an open editor's text). */
  text?: string;
  /**
   * The content's bytes, read once, instead of the file on disk (standard input; `path` is then the
   * name used in messages). Any format the reader detects, gzip too; never cached.
   */
  bytes?: AsyncIterable<Buffer>;
}

/** Where a replay stands, for progress reports. */
export interface SampleProgress {
  /** Bytes read so far over all files (compressed bytes for gzip files). */
  bytesRead: number;
  /** Size of all files (0 when unknown). */
  totalBytes: number;
  /** Events read so far. */
  events: number;
}

/** A replay of one statement over sample files. */
export interface SampleReplayRequest {
  statement: Statement;
  sources: readonly SampleSource[];
  /** `_eql/search` options (`timestampField`, `tiebreakerField`, `eventCategoryField`, `size`, …) and the mapping. */
  options: ReplayRunOptions;
  /** How the user sets the event category field (named in the missing-category warning). */
  categoryOptionName: string;
  /**
   * Keep every event and return them in `events` (for explanations, which look at near misses);
   * default false: only the events the rule can use are kept.
   */
  keepAllEvents?: boolean;
  /**
   * With `keepAllEvents`: keep in `allEvents` only the events this accepts (those an explanation
   * needs, say: `ExplanationInput`), so memory holds those only.
   */
  keepEvent?: (event: EventRecord) => boolean;
  /**
   * Skip lines that cannot pass any filter of the rule before parsing them (`engine/prefilter.ts`;
   * over whole chunks, lines without a hit are not even cut out: `engine/chunkSieve.ts`);
   * default true (ignored with `keepAllEvents`). Such lines are counted as events but not checked
   * for JSON errors, unless they do not look like one JSON object (`{…}`), which are parsed and
   * reported as usual (a truncated line, say).
   */
  prefilter?: boolean;
  /** Told of each skipped line and each warning as soon as it is found. */
  onProblem?: (problem: NdjsonProblem) => void;
  /** Told of progress after each chunk read. */
  onProgress?: (progress: SampleProgress) => void;
  /** Stops the replay between two chunks: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Events to leave out before the rule sees them (exception items, as the `filter` of an
   * `_eql/search` request). When given, the events are also replayed without it, into
   * `matchesWithoutExclusions`, so the caller can tell what the exclusions removed.
   */
  exclude?: (event: EventRecord) => boolean;
  /**
   * The rule's index patterns (`[rule] index`; entries may be comma lists): an event whose
   * `_index` or `data_stream` fields name an index they do not resolve to is left out before
   * anything else sees it, as it is not searched (`indexPatterns.ts`). Absent or empty: all kept.
   */
  indexPatterns?: readonly string[];
  /**
   * Told of every event read, in input order (each line is parsed: the prefilter is off). For
   * callers that look for a few events among all (rule tests naming events) without keeping all.
   */
  onEvent?: (event: EventRecord) => void;
  /** Lines longer than this many bytes are skipped unread with a warning (default `MAX_LINE_BYTES`, 100 MiB). */
  maxLineBytes?: number;
  /** Bytes per chunk read from a file or an unsaved text (default `CHUNK_BYTES`, 256 KiB; for tests of the seams between chunks). */
  chunkBytes?: number;
  /**
   * Parsed sample files kept between replays (`sampleCache.ts`). A file whose content is unchanged
   * since it was cached is replayed from its cached events, without reading or parsing it. A file
   * read whose parsed events fit the cache's budget is parsed whole (every line, without the
   * prefilter, which only pays off on files too large to cache) and cached; once its estimated
   * size passes the budget while it is read, caching it is given up and the prefilter resumes.
   */
  cache?: SampleCache;
}

/** What a replay over sample files gives. */
export interface SampleReplayOutcome {
  /** Matches in Elasticsearch's order, pipes and `size` applied. */
  matches: Match[];
  /** Notes: events without a timestamp, a missing event category field. */
  warnings: string[];
  /** Skipped lines (severity `error`) and lines kept with a warning, in reading order. */
  problems: NdjsonProblem[];
  /** Files that could not be read (`reason` fits `path: reason`); their events are not replayed. */
  unreadable: Array<{ path: string; reason: string }>;
  /** Files read. */
  files: number;
  /** Events read (lines holding a JSON object, and lines the prefilter skipped). */
  events: number;
  /** Lines the prefilter skipped unparsed (counted in `events`). */
  prefiltered: number;
  /** With `cache`: the files replayed from their cached events. */
  cachedFiles?: number;
  /** With `keepAllEvents`: every event read (that `keepEvent` accepts), in input order. */
  allEvents?: EventRecord[];
  /** With `exclude`: the matches over every event, as if nothing were left out. */
  matchesWithoutExclusions?: Match[];
  /**
   * With `indexPatterns`: what each pattern kept, over every event read (the index of a line the
   * prefilter skipped unparsed is read from its bytes: `rawEventIndex.ts`).
   */
  indexPatterns?: IndexPatternSummary;
}

/**
 * Replays `request.statement` over `request.sources`, in the order given (files in that order,
 * lines in file order: the implicit tiebreaker).
 *
 * @returns see {@link SampleReplayOutcome}.
 * @throws the engine's errors: `EqlCompileError` (the rule cannot be compiled), `EqlEvaluationError`
 *   (a script fails on an event; its `source` names the event), a `ReplayMemoryError` when the
 *   events kept would exhaust the heap (`memoryGuard.ts`), and the signal's reason when aborted.
 */
export async function replaySamples(request: SampleReplayRequest): Promise<SampleReplayOutcome> {
  const { statement, options, signal } = request;
  const session = new ReplaySession(statement, [], { ...options, relevantOnly: !request.keepAllEvents || request.keepEvent !== undefined });
  const unexcluded = request.exclude ? new ReplaySession(statement, [], { ...options, relevantOnly: true }) : undefined;
  const outcome: SampleReplayOutcome = { matches: [], warnings: [], problems: [], unreadable: [], files: 0, events: 0, prefiltered: 0 };
  if (request.keepAllEvents) outcome.allEvents = [];
  const categoryField = options.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD;
  const categoryOf = compileFieldGetter(categoryField, options.mapping);
  let someHaveCategory = false;
  const indexFilter = request.indexPatterns ? new IndexPatternFilter(request.indexPatterns) : undefined;

  // The file being read and cached, if it fits the cache (see `cache`).
  let collecting: CachedSample | undefined;
  const report = (problem: NdjsonProblem): void => {
    collecting?.problems.push(problem);
    outcome.problems.push(problem);
    request.onProblem?.(problem);
  };
  const addEvent = (event: EventRecord): void => {
    outcome.events++;
    collecting?.events.push(event);
    if (!someHaveCategory && categoryOf(event.doc).length > 0) someHaveCategory = true;
    request.onEvent?.(event);
    // Not in the rule's indices: not searched, so not even a near miss.
    if (indexFilter && !indexFilter.admits(event)) return;
    if (outcome.allEvents && (!request.keepEvent || request.keepEvent(event))) outcome.allEvents.push(event);
    feed(event);
  };
  /**
   * Gives an event to the replay (and to the replay without exceptions), with the tests of its
   * category values when they are known (`relevanceBySet`, for each of the two replays).
   */
  const feed = (event: EventRecord, relevant?: RelevanceTest, unexcludedRelevant?: RelevanceTest): void => {
    if (unexcluded) unexcluded.add(event, unexcludedRelevant);
    if (!request.exclude?.(event)) session.add(event, relevant);
  };
  const prefilterOn = !request.keepAllEvents && !request.onEvent && request.prefilter !== false;
  const prefilterContext = { eventCategoryField: categoryField, mapping: options.mapping };
  const prefilter = prefilterOn ? compilePrefilter(statement, prefilterContext) : undefined;
  // The same prefilter over whole chunks: lines without a hit are passed over uncut (`chunkSieve.ts`).
  const chunkSieve = prefilterOn ? compileChunkSieve(statement, prefilterContext) : undefined;
  // A line holding the category field's name in quotes likely has a category (for the warning).
  const categoryKey = Buffer.from(`"${categoryField.slice(categoryField.lastIndexOf('.') + 1)}"`);
  /** Counts a line left unparsed for the index patterns, as `addEvent` counts a parsed event. */
  const countSkipped = (bytes: Buffer): void => {
    const where = rawEventIndex(bytes);
    if (where !== null) indexFilter!.admitsIndex(where);
  };
  const visit = (bytes: Buffer, path: string, line: number): void => {
    if (prefilter && !collecting && looksLikeObject(bytes, 0, bytes.length) && !prefilter(bytes)) {
      outcome.events++;
      outcome.prefiltered++;
      if (indexFilter?.active) countSkipped(bytes);
      if (!someHaveCategory && bytes.includes(categoryKey)) someHaveCategory = true;
      return;
    }
    const decoded = decodeNdjsonLine(bytes, path, line);
    if (decoded.problem) report(decoded.problem);
    if (decoded.warning) report(decoded.warning);
    if (decoded.event) addEvent(decoded.event);
  };

  const sizes = await Promise.all(
    request.sources.map(async (s) => (s.text !== undefined ? Buffer.byteLength(s.text) : s.bytes ? 0 : await fileSize(s.path))),
  );
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const { cache } = request;
  if (cache) outcome.cachedFiles = 0;
  let bytesBefore = 0;
  const heap = new HeapGuard();
  // A cached file is replayed from the events of the rule's categories only (`categoryIndex.ts`)
  // when nothing needs the other events: no `any` filter, no caller told of or keeping every event,
  // no index patterns counting the events they keep.
  const categories = ruleCategories(statement);
  const byCategory = cache !== undefined && categories !== undefined && !request.keepAllEvents && !request.onEvent && !indexFilter?.active;
  const indexKey = categoryIndexKey(categoryField, options.mapping);
  const categoryIndexOf = (entry: CachedSample) => {
    entry.categoryIndexes ??= new Map();
    let index = entry.categoryIndexes.get(indexKey);
    if (index === undefined) entry.categoryIndexes.set(indexKey, (index = buildCategoryIndex(entry.events, categoryField, options.mapping)));
    return index;
  };
  /**
   * Replays a cached file: every event, or with `byCategory` only the events of the rule's
   * categories, each tried on the filters of its categories only (`categoryIndex.ts`).
   */
  const replayCached = (entry: CachedSample, i: number): void => {
    const events = entry.events;
    const count = events.length;
    let setOf: Int32Array | undefined;
    let tests: Array<RelevanceTest | undefined> = [];
    let unexcludedTests: Array<RelevanceTest | undefined> = [];
    if (byCategory) {
      const index = categoryIndexOf(entry);
      const ctx = { eventCategoryField: categoryField, mapping: options.mapping };
      setOf = index.setOf;
      tests = relevanceBySet(index, session, ctx);
      if (unexcluded) unexcludedTests = relevanceBySet(index, unexcluded, ctx);
      if (index.withValue > 0) someHaveCategory = true;
    }
    const eventsBefore = outcome.events;
    // In slices, for cancellation and progress as between chunks read.
    for (let at = 0; at < count; at += CACHED_SLICE) {
      signal?.throwIfAborted();
      heap.check(outcome.events);
      const end = Math.min(count, at + CACHED_SLICE);
      if (setOf) {
        for (let j = at; j < end; j++) {
          const relevant = tests[setOf[j]];
          // Undefined: no filter of the rule can pass an event with these category values.
          if (relevant !== undefined) feed(events[j], relevant, unexcludedTests[setOf[j]]);
        }
        outcome.events = eventsBefore + end;
      } else {
        for (let j = at; j < end; j++) addEvent(events[j]);
      }
      request.onProgress?.({ bytesRead: bytesBefore + Math.round((sizes[i] * (outcome.events - eventsBefore)) / count), totalBytes, events: outcome.events });
    }
    outcome.events = eventsBefore + events.length;
    outcome.files++;
    outcome.cachedFiles!++;
    bytesBefore += sizes[i];
    request.onProgress?.({ bytesRead: bytesBefore, totalBytes, events: outcome.events });
  };
  for (let i = 0; i < request.sources.length; i++) {
    const source = request.sources[i];
    signal?.throwIfAborted();
    const key = cache && !source.bytes ? await sampleContentKey(source) : undefined;
    if (cache && key === undefined) cache.delete(source.path);
    const cached = key !== undefined ? cache?.get(source.path, key) : undefined;
    if (cached) {
      for (const problem of cached.problems) report(problem);
      outcome.warnings.push(...cached.warnings);
      replayCached(cached, i);
      continue;
    }
    collecting = key !== undefined && cache!.fits(estimateSampleBytes(sizes[i], 0)) ? { key, events: [], problems: [], warnings: [], bytes: 0 } : undefined;
    let contentBytes = 0;
    try {
      let fileBytes = 0;
      const truncated = (): void => {
        const warning = `${source.path}: the gzip file is truncated (it ends before its end of stream); its complete lines were replayed, the rest is lost`;
        collecting?.warnings.push(warning);
        outcome.warnings.push(warning);
      };
      const trailingData = (bytes: number): void => {
        const warning = `${source.path}: ${gzipTrailingDataMessage(bytes)}; the lines before it were replayed`;
        collecting?.warnings.push(warning);
        outcome.warnings.push(warning);
      };
      const reading: ReadOptions = { chunkBytes: request.chunkBytes };
      const raw =
        source.text !== undefined
          ? textContent(source.text, request.chunkBytes)
          : await openSampleContent(source.path, ({ bytesRead }) => (fileBytes = bytesRead), truncated, reading, trailingData, source.bytes);
      const { head, content } = await peekContent(raw);
      const onChunk = (chunk: Buffer): void => {
        signal?.throwIfAborted();
        heap.check(outcome.events);
        contentBytes += chunk.length;
        if (collecting && !cache!.fits(estimateSampleBytes(contentBytes, collecting.events.length))) collecting = undefined;
        if (source.text !== undefined) fileBytes += chunk.length;
        request.onProgress?.({ bytesRead: bytesBefore + fileBytes, totalBytes, events: outcome.events });
      };
      const format = head === undefined ? 'ndjson' : detectSampleFormat(head);
      if (format === 'ndjson') {
        // `splitLines` is done with each chunk once it asks for the next (it copies what it keeps).
        reading.reuseChunks = true;
        const onOversizedLine = (line: number, bytes: number): void => report(oversizedLineProblem(source.path, line, bytes, request.maxLineBytes));
        const sieve = chunkSieve?.();
        // Chunks with a skipped line are searched once for the category key (for the warning).
        let chunks = 0;
        let searched = 0;
        const skipper: LineSkipper | undefined = sieve && {
          lines: (chunk, start) => (chunks++, collecting ? undefined : sieve(chunk, start)),
          skip: (chunk, start, end) => {
            // Lines that are not a JSON object are parsed and reported (a truncated line, say).
            if (!looksLikeObject(chunk, start, end)) return false;
            outcome.events++;
            outcome.prefiltered++;
            if (indexFilter?.active) countSkipped(chunk.subarray(start, end));
            if (!someHaveCategory && searched !== chunks && ((searched = chunks), chunk.includes(categoryKey))) someHaveCategory = true;
            return true;
          },
        };
        await splitLines(content, (bytes, line) => visit(bytes, source.path, line), onChunk, { maxLineBytes: request.maxLineBytes, onOversizedLine, skipper });
      } else {
        const reason = head === undefined ? undefined : detectUnsupportedEncoding(head);
        if (reason !== undefined) throw new UnsupportedEncodingError(reason);
        // Each event of a JSON document goes through the same step as an NDJSON line (prefilter, then parse).
        if (format === 'json-array') await splitJsonArray(content, source.path, (bytes, line) => visit(bytes, source.path, line), report, onChunk, request.maxLineBytes);
        else await splitJsonObjects(content, source.path, (bytes, line) => visit(bytes, source.path, line), report, onChunk, request.maxLineBytes);
      }
    } catch (e) {
      collecting = undefined;
      if (signal?.aborted || isEngineError(e) || e instanceof ReplayMemoryError) throw e;
      outcome.unreadable.push({ path: source.path, reason: describeFsError(e) });
      bytesBefore += sizes[i];
      continue;
    }
    if (collecting) {
      collecting.bytes = estimateSampleBytes(contentBytes, collecting.events.length);
      if (cache!.set(source.path, collecting) && categories !== undefined) categoryIndexOf(collecting);
      collecting = undefined;
    }
    outcome.files++;
    bytesBefore += sizes[i];
    request.onProgress?.({ bytesRead: bytesBefore, totalBytes, events: outcome.events });
  }

  const result = session.finish();
  outcome.matches = result.matches;
  if (unexcluded) outcome.matchesWithoutExclusions = unexcluded.finish().matches;
  if (indexFilter?.active) outcome.indexPatterns = indexFilter.summary();
  outcome.warnings.push(...result.warnings);
  const categoryWarning = categoryWarningFor(statement, outcome.events, someHaveCategory, categoryField, request.categoryOptionName);
  if (categoryWarning) outcome.warnings.push(categoryWarning);
  return outcome;
}

/** Cached events added between two cancellation checks and progress reports. */
const CACHED_SLICE = 65_536;

/** True when the first and last bytes of `bytes[from, to)` other than JSON whitespace are `{` and `}`. */
function looksLikeObject(bytes: Buffer, from: number, to: number): boolean {
  let start = from;
  let end = to - 1;
  while (start <= end && isJsonSpace(bytes[start])) start++;
  while (end > start && isJsonSpace(bytes[end])) end--;
  return bytes[start] === 0x7b && bytes[end] === 0x7d && end > start;
}

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Errors of the engine are the rule's, not the file's. */
function isEngineError(e: unknown): boolean {
  return e instanceof EqlEvaluationError || e instanceof EqlCompileError;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch {
    return 0; // Reported when the file is read.
  }
}
