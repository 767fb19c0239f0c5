/**
 * The raw-line prefilter (`prefilter.ts`) applied to whole chunks of a sample file: instead of
 * testing every line, one literal of each filter (its "anchor") is searched over the chunk, and only
 * the lines holding a hit are handed on to be tested line by line and parsed. A byte search over a
 * chunk (`Buffer.indexOf`: `memchr` and Boyer-Moore-Horspool in native code) costs far less than
 * splitting the chunk into lines and searching each, and most lines hold none of a selective
 * rule's literals.
 *
 * It is exact: a line can pass a filter only if it meets every group of that filter's need, so it
 * holds one of the alternatives of the filter's anchor group; lines that may meet a group without
 * holding its text are candidates too, as for the line test: a line with a `\uXXXX` escape, and,
 * when an anchor is case-insensitive, a line with a byte above 0x7F. Every candidate line is then
 * tested by the line prefilter, so the lines skipped are exactly those the line prefilter skips.
 * No literal, pattern or escape holds a line terminator, so a hit never spans two lines.
 *
 * Which group is a filter's anchor does not change the result, only the speed: it is chosen from the
 * data, as the group costing least over a sample of the chunk: its search (a case-insensitive or
 * pattern group is searched as a regular expression over a Latin-1 view, slower than a byte
 * search) and the lines it hits. It is chosen at the first chunk of a file and again every
 * {@link RESAMPLE_CHUNKS} chunks. When even the best anchors would cost more than testing every
 * line on its own (they hit most lines), the chunks are not searched.
 */
import { isAscii } from 'node:buffer';
import { BACKSLASH_U, groupSource, isCaseInsensitive, isPlain, prefilterNeeds, type AnyOf, type PrefilterContext } from './prefilter';
import type { Statement } from '../eql/ast';

/**
 * For one chunk: given `at`, the start of a line, the smallest position at or after `at` of a hit
 * (a byte of a line that must be tested), or -1 when no line from `at` on holds one. Positions are
 * byte offsets in the chunk; `at` must not decrease between calls.
 */
export type CandidateFinder = (at: number) => number;

/** The sieve of one file: called once per chunk, in order. */
export type ChunkSieve = (chunk: Buffer, start: number) => CandidateFinder | undefined;

/** Chunks between two choices of the anchors. */
export const RESAMPLE_CHUNKS = 64;
/** Bytes of a chunk looked at to choose the anchors. */
const SAMPLE_BYTES = 64 * 1024;
/** Latin-1 views of a chunk for regular expressions are made at most this long (longer strings cost more to make). */
const VIEW_BYTES = 32 * 1024;
/**
 * Costs, counted in bytes of one byte search (`Buffer.indexOf`): a regular expression search
 * (its Latin-1 view included) costs about three per byte; testing a line on its own (cutting it
 * out, calling the line prefilter) about 8 KiB, plus its bytes searched. Estimated from timings on the
 * benchmark's events (`bench/`); they only steer the choice of anchors, never the result.
 */
const REGEX_BYTE_COST = 3;
const HIT_COST = 8 * 1024;

/**
 * Compiles the chunk sieve of a statement: a factory giving each file its own sieve.
 *
 * @param statement the analysed statement; @param ctx as for `compilePrefilter`.
 * @returns undefined when the statement has no line prefilter (some filter needs no literal).
 */
export function compileChunkSieve(statement: Statement, ctx: PrefilterContext): (() => ChunkSieve) | undefined {
  const needs = prefilterNeeds(statement, ctx);
  if (needs === undefined) return undefined;
  const filters = needs.map((groups) => groups.map(toSearch));
  return () => {
    let chunks = 0;
    let anchors: GroupSearch[] | undefined;
    return (chunk, start) => {
      if (chunks++ % RESAMPLE_CHUNKS === 0) anchors = chooseAnchors(filters, chunk, start);
      if (anchors === undefined) return undefined;
      const finders = anchors.map((a) => a.finder(chunk));
      finders.push(escapeFinder(chunk));
      if (anchors.some((a) => a.caseInsensitive) && !isAscii(chunk.subarray(start))) finders.push(regexFinder(chunk, HIGH_BYTE));
      return earliest(finders);
    };
  };
}

/** How to search one group over a chunk. */
interface GroupSearch {
  caseInsensitive: boolean;
  /** The cost of searching one byte (1 for one byte search; see {@link REGEX_BYTE_COST}). */
  byteCost: number;
  finder(chunk: Buffer): CandidateFinder;
  /** Hits in `chunk[start, end)`, counted up to a little past `limit`. */
  count(chunk: Buffer, start: number, end: number, limit: number): number;
}

function toSearch(group: AnyOf): GroupSearch {
  if (isPlain(group)) {
    const needles = group.map((a) => Buffer.from((a as { text: string }).text, 'utf8'));
    return {
      caseInsensitive: false,
      byteCost: needles.length,
      finder: (chunk) => earliest(needles.map((needle) => (at: number) => chunk.indexOf(needle, at))),
      count: (chunk, start, end, limit) => {
        let n = 0;
        for (const needle of needles) {
          for (let at = chunk.indexOf(needle, start); at >= 0 && at < end && n <= limit; at = chunk.indexOf(needle, at + 1)) n++;
        }
        return n;
      },
    };
  }
  const caseInsensitive = isCaseInsensitive(group);
  const re = new RegExp(groupSource(group), caseInsensitive ? 'gi' : 'g');
  return {
    caseInsensitive,
    byteCost: REGEX_BYTE_COST * group.length,
    finder: (chunk) => regexFinder(chunk, re),
    count: (chunk, start, end, limit) => {
      const view = chunk.toString('latin1', start, end);
      let n = 0;
      re.lastIndex = 0;
      while (n <= limit && re.exec(view) !== null) n++;
      return n;
    },
  };
}

/**
 * The anchor of each filter: its group with the least cost over a sample of the chunk (searching
 * it, and testing the lines it hits); undefined when that costs more than testing every line (a
 * line's cost: {@link HIT_COST} plus about two byte searches of it, the line prefilter's usual work).
 */
function chooseAnchors(filters: GroupSearch[][], chunk: Buffer, start: number): GroupSearch[] | undefined {
  const end = Math.min(chunk.length, start + SAMPLE_BYTES);
  const bytes = end - start;
  let lines = 1;
  for (let at = chunk.indexOf(0x0a, start); at >= 0 && at < end; at = chunk.indexOf(0x0a, at + 1)) lines++;
  const lineCost = HIT_COST + (2 * bytes) / lines;
  const budget = lines * lineCost;
  // The search for escapes is always made.
  let total = bytes;
  const anchors: GroupSearch[] = [];
  for (const groups of filters) {
    let best: GroupSearch | undefined;
    let bestCost = budget;
    for (const group of groups) {
      const scan = bytes * group.byteCost;
      if (scan >= bestCost) continue;
      const cost = scan + group.count(chunk, start, end, Math.ceil((bestCost - scan) / lineCost)) * lineCost;
      if (cost < bestCost) [best, bestCost] = [group, cost];
    }
    total += bestCost;
    if (best === undefined || total >= budget) return undefined;
    anchors.push(best);
  }
  return anchors;
}

/** The earliest of several finders' positions; each finder is asked again only once passed. */
function earliest(finders: CandidateFinder[]): CandidateFinder {
  if (finders.length === 1) return finders[0];
  const next = finders.map(() => -2);
  return (at) => {
    let min = -1;
    for (let i = 0; i < finders.length; i++) {
      let p = next[i];
      if (p !== -1 && p < at) next[i] = p = finders[i](at);
      if (p >= 0 && (min < 0 || p < min)) min = p;
    }
    return min;
  };
}

/** A JSON `\u` escape: `\u` after an even number of backslashes (counted back to `at`, a line start). */
function escapeFinder(chunk: Buffer): CandidateFinder {
  return (at) => {
    for (let p = chunk.indexOf(BACKSLASH_U, at); p >= 0; p = chunk.indexOf(BACKSLASH_U, p + 1)) {
      let before = p;
      while (before > at && chunk[before - 1] === 0x5c) before--;
      if ((p - before) % 2 === 0) return p;
    }
    return -1;
  };
}

const HIGH_BYTE = /[\x80-\xff]/g;

/**
 * Searches a regular expression (with the `g` flag) over Latin-1 views of the chunk, each at most
 * about {@link VIEW_BYTES} long and ending after a line terminator, so no match is cut in two.
 */
function regexFinder(chunk: Buffer, re: RegExp): CandidateFinder {
  let viewStart = 0;
  let viewEnd = 0;
  let view = '';
  return (at) => {
    if (at >= viewEnd) [viewStart, viewEnd, view] = [at, at, ''];
    let from = at;
    for (;;) {
      re.lastIndex = from - viewStart;
      const m = re.exec(view);
      if (m !== null) return viewStart + m.index;
      if (viewEnd >= chunk.length) return -1;
      viewStart = from = viewEnd;
      viewEnd = viewLimit(chunk, viewStart);
      view = chunk.toString('latin1', viewStart, viewEnd);
    }
  };
}

/** The end of a view starting at `start`: just after the last line terminator within {@link VIEW_BYTES}, else the next one. */
function viewLimit(chunk: Buffer, start: number): number {
  const limit = start + VIEW_BYTES;
  if (limit >= chunk.length) return chunk.length;
  let end = Math.max(chunk.lastIndexOf(0x0a, limit), chunk.lastIndexOf(0x0d, limit));
  if (end < start) {
    const lf = chunk.indexOf(0x0a, limit);
    const cr = chunk.indexOf(0x0d, limit);
    end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (end < 0) return chunk.length;
  }
  return end + 1;
}
