/**
 * Recognising files that are not UTF-8 text: UTF-16 / UTF-32 files (Windows PowerShell 5.1 writes
 * UTF-16LE with a byte order mark for `>` and `Out-File`), binary files, and bytes that are not
 * well-formed UTF-8 (a Latin-1 or Windows-1252 file). Sample logs and rules are read as UTF-8, as
 * NDJSON (https://github.com/ndjson/ndjson-spec) and JSON (RFC 8259 §8.1) require.
 */

/** How many bytes at the start of a file are examined for NUL bytes. */
export const ENCODING_SNIFF_BYTES = 4096;

/** Thrown when a file cannot be read as UTF-8 text; `message` is a short reason for `path: reason`. */
export class UnsupportedEncodingError extends Error {
  /** A stable code, as file system errors have one. */
  readonly code = 'EQLWB_UNSUPPORTED_ENCODING';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedEncodingError';
  }
}

const CONVERT_HINT = 'convert it to UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`, or in PowerShell `Get-Content FILE | Set-Content -Encoding utf8 NEWFILE`)';

/**
 * Recognises a file that is not UTF-8 text from its first bytes.
 *
 * - A UTF-32 byte order mark (`FF FE 00 00`, `00 00 FE FF`) or a UTF-16 one (`FF FE`, `FE FF`): the
 *   file is UTF-32 / UTF-16 (the Unicode Standard, §23.8 "Byte Order Mark").
 * - Otherwise, NUL bytes in the first {@link ENCODING_SNIFF_BYTES} bytes: UTF-16 without byte order
 *   mark when every NUL sits at odd offsets (little-endian: ASCII `{` is `7B 00`) or every NUL at
 *   even offsets (big-endian), and NULs fill at least half of those offsets (as for mostly-ASCII
 *   text); else a binary file. UTF-8 text never holds a NUL byte except for
 *   U+0000, which JSON and EQL text cannot contain unescaped.
 *
 * @param head the first bytes of the file (any length; only the first {@link ENCODING_SNIFF_BYTES}
 *   are used for the NUL test).
 * @returns a reason for `path: reason` (`the file is UTF-16 encoded …; convert it to UTF-8 …`, or
 *   `not a text file (it contains NUL bytes)`), or undefined when the file may be UTF-8 text.
 */
export function detectUnsupportedEncoding(head: Uint8Array): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) return `the file is UTF-32 encoded (little-endian); ${CONVERT_HINT}`;
  if (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) return `the file is UTF-32 encoded (big-endian); ${CONVERT_HINT}`;
  if (head[0] === 0xff && head[1] === 0xfe) return `the file is UTF-16 encoded (little-endian); ${CONVERT_HINT}`;
  if (head[0] === 0xfe && head[1] === 0xff) return `the file is UTF-16 encoded (big-endian); ${CONVERT_HINT}`;
  const end = Math.min(head.length, ENCODING_SNIFF_BYTES);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < end; i++) {
    if (head[i] === 0) {
      if (i % 2 === 0) evenNuls++;
      else oddNuls++;
    }
  }
  if (evenNuls + oddNuls === 0) return undefined;
  // ASCII text in UTF-16 has a NUL in every other byte: require at least half of them.
  const half = Math.floor(end / 4);
  if (evenNuls === 0 && oddNuls >= half) return `the file looks UTF-16 encoded (little-endian, no byte order mark); ${CONVERT_HINT}`;
  if (oddNuls === 0 && evenNuls >= half) return `the file looks UTF-16 encoded (big-endian, no byte order mark); ${CONVERT_HINT}`;
  return 'not a text file (it contains NUL bytes)';
}

/**
 * Finds the first byte that does not start a well-formed UTF-8 sequence, following the Unicode
 * Standard, Table 3-7 "Well-Formed UTF-8 Byte Sequences" (no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequence at the end).
 *
 * @param bytes the bytes to check.
 * @returns the 0-based byte offset of the first ill-formed sequence, or -1 when all is well-formed.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min2 = 0x80; // Allowed range of the second byte (Table 3-7).
    let max2 = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) min2 = 0xa0;
      else if (b === 0xed) max2 = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) min2 = 0x90;
      else if (b === 0xf4) max2 = 0x8f;
    } else return i;
    if (i + length > n) return i;
    const second = bytes[i + 1];
    if (second < min2 || second > max2) return i;
    for (let k = 2; k < length; k++) {
      const c = bytes[i + k];
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/**
 * Describes the first ill-formed UTF-8 sequence of a line or file for a message.
 *
 * @param bytes the bytes (already known to hold an ill-formed sequence).
 * @param offset its 0-based byte offset, from {@link firstInvalidUtf8}.
 * @returns the text before it (decoded; well-formed by construction) and a phrase such as
 *   `byte 0xE9`, for `invalid UTF-8 (byte 0xE9) at column N`.
 */
export function describeInvalidUtf8(bytes: Uint8Array, offset: number): { before: string; what: string } {
  const before = Buffer.from(bytes.buffer, bytes.byteOffset, offset).toString('utf8');
  const hex = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
  return { before, what: `byte 0x${hex}` };
}
