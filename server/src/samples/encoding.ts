/**
 * Recognising files that are not UTF-8 text: UTF-16 / UTF-32 files (Windows PowerShell 5.1 writes
 * UTF-16LE with a byte order mark for `>` and `Out-File`), binary files, and bytes that are not
 * well-formed UTF-8 (a Latin-1 or Windows-1252 file). Sample logs and rules are read as UTF-8, as
 * NDJSON (https://github.com/ndjson/ndjson-spec) and JSON (RFC 8259 §8.1) require.
 */

/**
 * How many bytes at the start of a file are examined for NUL bytes: git's window for the same
 * question (`FIRST_FEW_BYTES` in git's `xdiff-interface.c`, used by `buffer_is_binary`).
 */
export const ENCODING_SNIFF_BYTES = 8000;

/** The reason given for a binary file, for `path: reason`. */
export const BINARY_FILE_REASON = 'not a text file (it contains NUL bytes and other bytes that are not text)';

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
 *   text).
 * - Else NUL bytes make the file a binary one only when the rest of those bytes is not text
 *   either. git (`buffer_is_binary`) and file(1) call any file with a NUL byte binary; but log files
 *   get NUL bytes while being text (a block left zero-filled by a crash, a stray byte in one event),
 *   and refusing such a file would lose all its good lines. So the bytes other than NUL are judged
 *   as file(1) judges text (`text_chars` in file's `encoding.c`: BEL, BS, HT, LF, VT, FF, CR, ESC
 *   and 0x20–0x7E are text; the other C0 controls and DEL are not) and bytes from 0x80 must form
 *   well-formed UTF-8 (a sequence cut by the end of the window is allowed). A real binary file
 *   (an executable, an image, an archive) fails this within its first bytes; a text file with NUL
 *   bytes passes, and each of its lines holding a NUL is then reported and skipped as invalid JSON.
 *
 * @param head the first bytes of the file (any length; only the first {@link ENCODING_SNIFF_BYTES}
 *   are examined).
 * @returns a reason for `path: reason` (`the file is UTF-16 encoded …; convert it to UTF-8 …`, or
 *   {@link BINARY_FILE_REASON}), or undefined when the file may be UTF-8 text.
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
  return isTextApartFromNuls(head.subarray(0, end), end < head.length) ? undefined : BINARY_FILE_REASON;
}

/**
 * True when every byte other than NUL is text as file(1) sees it (see {@link detectUnsupportedEncoding}).
 * @param window the bytes examined.
 * @param cut true when the file goes on after them (a multi-byte sequence may be cut at the end).
 */
function isTextApartFromNuls(window: Uint8Array, cut: boolean): boolean {
  for (let i = 0; i < window.length; i++) {
    const c = window[i];
    if (c === 0 || (c >= 0x07 && c <= 0x0d) || c === 0x1b || (c >= 0x20 && c <= 0x7e)) continue;
    if (c < 0x80) return false; // other C0 controls, DEL
    // From here on the bytes must be UTF-8: find the end of this run of non-ASCII bytes.
    let j = i;
    while (j < window.length && window[j] >= 0x80) j++;
    const bad = firstInvalidUtf8(window.subarray(i, j));
    if (bad >= 0 && !(cut && j === window.length && window.length - (i + bad) < 4)) return false;
    i = j - 1;
  }
  return true;
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
