/**
 * Making untrusted text safe to print on a terminal. Sample logs (and rule files) may hold any
 * character: an escape sequence (ESC, CSI) can clear the screen or recolour text, a line break can
 * fake an output line, bidirectional overrides can reorder what is shown. Such characters are shown
 * as visible escapes instead.
 */

/**
 * Characters that are escaped: C0 controls U+0000–U+001F (tab, line feed and carriage return
 * included), DEL U+007F, C1 controls U+0080–U+009F, the line and paragraph separators U+2028 and
 * U+2029, and the bidirectional formatting characters U+200E, U+200F, U+202A–U+202E, U+2066–U+2069
 * (Unicode Standard Annex #9, "Explicit Directional Formatting").
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Replaces control and formatting characters by visible escapes: `\n`, `\r`, `\t`, `\xHH` for the
 * other characters up to U+00FF (`\x1b` for ESC, `\x00` for NUL, `\x9b` for CSI), `\uHHHH` above
 * (`\u2028`, `\u202e`). Every other character, backslashes included, is kept as is, so Windows
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
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Characters JSON allows raw inside strings but that a terminal may interpret (see {@link toSafeJsonLine}). */
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Serialises a value as one line of compact JSON that is safe to print: besides the escapes
 * `JSON.stringify` writes (U+0000–U+001F, so no line break), DEL, the C1 controls, U+2028, U+2029
 * and the bidirectional formatting characters are written as `\uXXXX`. These can only occur inside
 * JSON strings, where `\uXXXX` denotes the same character (RFC 8259 §7): `JSON.parse` gives back
 * the same value.
 *
 * @param value a JSON-serialisable value (as for `JSON.stringify`).
 * @returns the JSON text, without a trailing newline.
 */
export function toSafeJsonLine(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
