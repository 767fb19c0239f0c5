/**
 * Where the event of a raw NDJSON line was stored, read without parsing the whole line: for the
 * lines the prefilter skips unparsed (`engine/prefilter.ts`), so that the rule's index patterns
 * count them as they count the parsed ones (`indexPatterns.ts`).
 *
 * Only the line's structure is walked (string contents are jumped over with a byte search), and
 * only the values that tell the index are parsed: a hit's `_index` (`searchHit.ts`) and the
 * `data_stream` members (an object, or dotted keys), of the line's object or, for a hit without an
 * `_index`, of its `_source`. Those go through the same `eventIndexOf` as a parsed event, so the
 * result is the one a parse would give, for every well-formed line. A line that holds none of the
 * keys' names is decided without any walk, and the index of the same member text is decided once
 * (logs hold few distinct data streams).
 *
 * The walk is a plain loop over the bytes: a `Buffer.indexOf` call per string costs more than the
 * loop over a short string, and most strings of a log line are short.
 */
import { eventIndexOf, type EventIndex } from './indexPatterns';
import { isSearchHit } from './searchHit';

const INDEX_KEY = Buffer.from('"_index"');
const SOURCE_KEY = Buffer.from('"_source"');
const DATA_STREAM = Buffer.from('data_stream');

/**
 * The index of the event on a raw NDJSON line, as `eventIndexOf` gives it for the parsed event.
 *
 * @param line the line's bytes (UTF-8, without its terminator); it should hold no `\u` escape (the
 *   prefilter parses such lines), as a key spelled with one is not recognised here.
 * @returns the index (see {@link EventIndex}); `undefined` when the event carries none; `null` when
 *   the line is not a JSON object, or is a hit without a `_source` object (a parse would report it
 *   and give no event). A malformed line is not always told apart from a well-formed one: only what
 *   the walk passes over is checked.
 */
export function rawEventIndex(line: Buffer): EventIndex | undefined | null {
  const mayBeHit = firstKeyMayBeHitKey(line) && line.includes(SOURCE_KEY);
  const first = line.indexOf(DATA_STREAM);
  if (!mayBeHit && first < 0) return undefined;
  // Not a hit, and `data_stream` written once: only the members up to it are walked.
  const stopAt = !mayBeHit && line.indexOf(DATA_STREAM, first + 1) < 0 ? first - 1 : undefined;
  const top = members(line, 0, line.length, mayBeHit, stopAt);
  if (top === undefined) return null;
  if (mayBeHit && isSearchHit(keysOf(top))) {
    const source = top.find((m) => m.key === '_source')!;
    if (line[source.from] !== 0x7b) return null;
    const indexMember = top.find((m) => m.key === '_index');
    if (indexMember !== undefined && line[indexMember.from] === 0x22 && indexMember.to - indexMember.from > 2) {
      return decided(line, [indexMember], () => {
        const index = parseValue(line, indexMember);
        return typeof index === 'string' ? eventIndexOf({ doc: {}, index, source: NO_SOURCE }) : undefined;
      });
    }
    // No `_index` (or not a string: not an index either): the data_stream fields of `_source`.
    const inner = members(line, source.from, source.to, false);
    if (inner === undefined) return null;
    return fromDataStream(line, inner);
  }
  return fromDataStream(line, top);
}

const NO_SOURCE = { file: '', line: 0 };

/** First letters of the keys of a hit (`searchHit.ts`): `_…`, `fields`, `highlight`, `inner_hits`, `matched_queries`, `missing`, `sort`. */
const HIT_KEY_STARTS = new Set([0x5f, 0x66, 0x68, 0x69, 0x6d, 0x73]);

/**
 * False when the line's first key cannot be a key of a hit (an event's `@timestamp`, say): then
 * the line is no hit, whatever follows. A first key spelled with an escape is let through.
 */
function firstKeyMayBeHitKey(line: Buffer): boolean {
  let i = skipSpace(line, 0, line.length);
  if (line[i] !== 0x7b) return true;
  i = skipSpace(line, i + 1, line.length);
  if (line[i] !== 0x22) return true;
  const c = line[i + 1];
  return c === 0x5c || HIT_KEY_STARTS.has(c);
}

/** One member of an object: its key (decoded; only for the keys asked for) and where its value lies (bytes, `to` exclusive). */
interface Member {
  key: string;
  from: number;
  to: number;
}

function keysOf(all: Member[]): Record<string, unknown> {
  const keys: Record<string, unknown> = Object.create(null);
  for (const m of all) keys[m.key] = true;
  return keys;
}

/** The index from the data_stream members (an object, dotted keys), as `eventIndexOf` reads them. */
function fromDataStream(line: Buffer, all: Member[]): EventIndex | undefined {
  const streams = all.filter((m) => m.key === 'data_stream' || m.key.startsWith('data_stream.'));
  if (streams.length === 0) return undefined;
  return decided(line, streams, () => {
    const doc: Record<string, unknown> = {};
    for (const m of streams) doc[m.key] = parseValue(line, m);
    return eventIndexOf({ doc, source: NO_SOURCE });
  });
}

/** The last decision for one member's text (the common case: one `_index` or one `data_stream` object). */
let lastKey = '';
let lastBytes: Buffer | undefined;
let lastWhere: EventIndex | undefined;

/** Decisions by the text of the members that made them (bounded: cleared when full). */
const memo = new Map<string, EventIndex | undefined>();
const MEMO_ENTRIES = 4096;

function decided(line: Buffer, from: Member[], decide: () => EventIndex | undefined): EventIndex | undefined {
  // Consecutive lines mostly come from one index: compared in place, without a copy.
  const one = from.length === 1 ? from[0] : undefined;
  if (one && lastBytes !== undefined && one.key === lastKey && one.to - one.from === lastBytes.length && line.compare(lastBytes, 0, lastBytes.length, one.from, one.to) === 0) {
    return lastWhere;
  }
  let key = '';
  for (const m of from) key += `${m.key}\u0000${line.toString('latin1', m.from, m.to)}\u0000`;
  let where: EventIndex | undefined;
  if (memo.has(key)) {
    where = memo.get(key);
  } else {
    where = decide();
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(key, where);
  }
  if (one) {
    lastKey = one.key;
    lastBytes = Buffer.from(line.subarray(one.from, one.to));
    lastWhere = where;
  }
  return where;
}

function parseValue(line: Buffer, m: Member): unknown {
  try {
    return JSON.parse(line.toString('utf8', m.from, m.to));
  } catch {
    return undefined;
  }
}

/**
 * The members of the JSON object in `line[start, end)` (surrounding whitespace allowed), in order:
 * with `allKeys`, every member; else only those whose key starts with `data_stream`.
 * @param stopAt when given, the walk ends at the member whose key opens there (the one asked for),
 *   or at the first member past it (then the bytes there are not a key of this object).
 * @returns undefined when the bytes are not an object as far as the walk sees.
 */
function members(line: Buffer, start: number, end: number, allKeys: boolean, stopAt?: number): Member[] | undefined {
  const out: Member[] = [];
  let i = skipSpace(line, start, end);
  if (line[i] !== 0x7b) return undefined;
  i = skipSpace(line, i + 1, end);
  if (line[i] === 0x7d) return skipSpace(line, i + 1, end) === end ? out : undefined;
  for (;;) {
    if (line[i] !== 0x22) return undefined;
    const keyStart = i;
    if (stopAt !== undefined && keyStart > stopAt) return out;
    const keyEnd = stringEnd(line, i, end);
    if (keyEnd < 0) return undefined;
    let key: string | undefined;
    if (keyEnd - i - 2 === DATA_STREAM.length && line.compare(DATA_STREAM, 0, DATA_STREAM.length, i + 1, keyEnd - 1) === 0) {
      key = 'data_stream';
    } else if (allKeys || startsWithDataStream(line, i + 1, keyEnd - 1)) {
      key = line.toString('utf8', i + 1, keyEnd - 1);
      if (key.includes('\\')) {
        try {
          key = JSON.parse(line.toString('utf8', i, keyEnd)) as string;
        } catch {
          return undefined;
        }
      }
    }
    i = skipSpace(line, keyEnd, end);
    if (line[i] !== 0x3a) return undefined;
    const from = skipSpace(line, i + 1, end);
    const to = valueEnd(line, from, end);
    if (to < 0) return undefined;
    if (key !== undefined && (allKeys || key === 'data_stream' || key.startsWith('data_stream.'))) out.push({ key, from, to });
    if (keyStart === stopAt) return out;
    i = skipSpace(line, to, end);
    if (line[i] === 0x2c) {
      i = skipSpace(line, i + 1, end);
    } else if (line[i] === 0x7d) {
      return skipSpace(line, i + 1, end) === end ? out : undefined;
    } else {
      return undefined;
    }
  }
}

/** Whether the key bytes `[from, to)` may spell `data_stream…` (a backslash: decoded to tell). */
function startsWithDataStream(line: Buffer, from: number, to: number): boolean {
  if (to - from < DATA_STREAM.length) return false;
  for (let k = 0; k < DATA_STREAM.length; k++) {
    const b = line[from + k];
    if (b === 0x5c) return true;
    if (b !== DATA_STREAM[k]) return false;
  }
  return true;
}

/** The offset just past the string opening at `at` (a `"`), or -1 when it does not end before `end`. */
function stringEnd(line: Buffer, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = line[i];
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** The offset just past the value starting at `at`, or -1 when it is cut short or unbalanced. */
function valueEnd(line: Buffer, at: number, end: number): number {
  const first = line[at];
  if (first === 0x22) return stringEnd(line, at, end);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let i = at; i < end; i++) {
      const c = line[i];
      if (c === 0x22) {
        // Inside a string: up to its closing quote.
        for (i++; i < end; i++) {
          const d = line[i];
          if (d === 0x5c) i++;
          else if (d === 0x22) break;
        }
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next separator.
  let i = at;
  while (i < end && line[i] !== 0x2c && line[i] !== 0x7d && line[i] !== 0x5d && !isSpace(line[i])) i++;
  return i > at ? i : -1;
}

function skipSpace(line: Buffer, i: number, end: number): number {
  while (i < end && isSpace(line[i])) i++;
  return i;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
