/**
 * Exact integers in sample logs. `JSON.parse` reads every number as a double, so integers beyond
 * 2^53 (a `process.pid` of 9007199254740993, a 64-bit id) lose their last digits and two different
 * values read as one. Elasticsearch keeps `long` (64-bit) and `unsigned_long` values exactly, so
 * such integers are read here as JavaScript `bigint`s; every other number stays a `number`.
 *
 * Only lines that may hold such an integer pay for it: an integer beyond 2^53 has at least 16
 * digits, so a line without a run of 16 digits is parsed with `JSON.parse` as before. Lines with
 * such a run (even inside a string: a false positive only costs speed) are parsed with
 * `lossless-json`, chosen over `json-bigint` because it is maintained, has no dependencies, ships
 * its own types and lets the caller decide per number how to read its text.
 */
import { parse as parseLossless } from 'lossless-json';

const INTEGER = /^-?\d+$/;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * Whether a JSON text may hold an integer that a double cannot represent exactly.
 *
 * Any run of 16 characters holds one of every 16th position, so only those are looked at, and the
 * run of digits around one that is a digit is measured: about 1/16 of the characters are read on
 * a line without long digit runs (a regular expression reads them all).
 * @param json the text of one JSON value (a line of NDJSON).
 * @returns false only when it certainly holds none (no run of 16 decimal digits).
 */
export function mayHoldUnsafeInteger(json: string): boolean {
  const n = json.length;
  for (let i = 15; i < n; i += 16) {
    if (!isDigit(json.charCodeAt(i))) continue;
    let from = i;
    while (from > 0 && isDigit(json.charCodeAt(from - 1))) from--;
    let to = i;
    while (to + 1 < n && isDigit(json.charCodeAt(to + 1))) to++;
    if (to - from + 1 >= 16) return true;
    // The next 16 positions from `to` cover any later run of 16.
    i = to;
  }
  return false;
}

/** The integers Elasticsearch keeps exactly: `long` from −2^63, `unsigned_long` up to 2^64 − 1. */
const EXACT_MIN = -(2n ** 63n);
const EXACT_MAX = 2n ** 64n - 1n;

/**
 * Reads the text of one JSON number: a `bigint` for an integer outside ±(2^53 − 1) (written
 * without fraction or exponent) within −2^63 … 2^64 − 1 (`long` and `unsigned_long`), a `number`
 * otherwise, as `JSON.parse` reads it (an integer beyond 64 bits is a double, as Elasticsearch
 * reads such an integer literal: `ExpressionBuilder.visitIntegerLiteral`).
 */
export function exactNumber(text: string): number | bigint {
  const n = Number(text);
  if (Number.isSafeInteger(n) || text.length < 16 || !INTEGER.test(text)) return n;
  const big = BigInt(text);
  return big >= EXACT_MIN && big <= EXACT_MAX ? big : n;
}

/**
 * Parses one JSON value, reading integers beyond 2^53 exactly (see {@link exactNumber}), in one
 * pass with `lossless-json` when {@link mayHoldUnsafeInteger} says it may be needed, else with
 * `JSON.parse`.
 * @param json the JSON text.
 * @returns the value: objects, arrays, strings, booleans, null, `number`s and `bigint`s.
 * @throws SyntaxError with `JSON.parse`'s message (and position) when the text is not valid JSON.
 */
export function parseJsonExact(json: string): unknown {
  if (!mayHoldUnsafeInteger(json)) return JSON.parse(json);
  try {
    return parseLossless(json, null, exactNumber);
  } catch {
    // lossless-json also refuses duplicate keys; JSON.parse gives the messages users see for
    // invalid JSON, and keeps duplicate keys for `documentProblem` to report.
    return JSON.parse(json);
  }
}
