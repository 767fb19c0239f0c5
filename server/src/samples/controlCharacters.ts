/**
 * Making untrusted text safe to print on a terminal. Sample logs (and rule files) may hold any
 * character: an escape sequence (ESC, CSI) can clear the screen or recolour text, a line break can
 * fake an output line, bidirectional overrides can reorder what is shown. Such characters are shown
 * as visible escapes instead.
 */

/**
 * Characters that are escaped: every control character (General Category Cc: C0, DEL, C1), every
 * format character (Cf: the bidirectional controls U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069 of Unicode Standard Annex #9, the invisible U+00AD, U+200B–U+200D, U+2060–U+2064,
 * U+FEFF, the tag characters U+E0001–U+E007F, …), lone surrogates (Cs), and the line and paragraph
 * separators U+2028 and U+2029 (Zl, Zp). Such characters are invisible or reorder what a terminal
 * or an editor shows, so a value could look like another.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
import { stringifyExact } from '../engine/values';
const UNSAFE_TEST = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Replaces control and formatting characters by visible escapes: `\n`, `\r`, `\t`, `\xHH` for the
 * other characters up to U+00FF (`\x1b` for ESC, `\x00` for NUL, `\x9b` for CSI), `\uHHHH` above
 * (`\u2028`, `\u202e`, `\ufeff`), `\u{HHHHH}` beyond U+FFFF (`\u{e0041}`). Every other character, backslashes included, is kept as is, so Windows
 * paths stay readable; the result is meant for reading, not for decoding back.
 *
 * @param text any text (an event value, a file name, a message quoting source text).
 * @returns the text, one line, without characters that a terminal interprets.
 */
export function escapeControlCharacters(text: string): string {
  if (!UNSAFE_TEST.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    const short = SHORT[c];
    if (short) return short;
    const code = c.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Characters JSON allows raw inside strings but that a terminal may interpret (see {@link toSafeJsonLine}). */
const RAW_IN_JSON = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * Serialises a value as one line of compact JSON that is safe to print: besides the escapes
 * `JSON.stringify` writes (U+0000–U+001F, so no line break; lone surrogates), DEL, the C1
 * controls, U+2028, U+2029 and every format character (bidirectional controls, U+200B, U+FEFF, tag
 * characters) are written as `\uXXXX`. These can only occur inside
 * JSON strings, where `\uXXXX` denotes the same character (RFC 8259 §7): `JSON.parse` gives back
 * the same value.
 *
 * @param value a JSON-serialisable value (as for `JSON.stringify`).
 * @returns the JSON text, without a trailing newline.
 */
export function toSafeJsonLine(value: unknown): string {
  // Characters beyond U+FFFF (tag characters) are written as their two UTF-16 escapes.
  return stringifyExact(value).replace(RAW_IN_JSON, (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}
