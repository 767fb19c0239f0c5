/**
 * Byte-level pieces shared by the walks that split JSON arrays (`jsonArrayElements.ts`) and JSON
 * objects (`jsonObjectElements.ts`) into events without decoding them: JSON's whitespace, how a
 * byte is named in a message, and the message for a document over the size limit.
 */
import { escapeControlCharacters } from './controlCharacters';
import { MAX_LINE_BYTES } from './lineReader';

/** JSON's insignificant whitespace (RFC 8259 §2): space, tab, line feed, carriage return. */
export const isJsonSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * A byte as the messages name it.
 * @param b a byte (0–255).
 * @returns the character in quotes when printable ASCII, else `byte 0xNN`.
 */
export function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${escapeControlCharacters(String.fromCharCode(b))}'` : `byte 0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * The warning for a document larger than the limit, which ends the reading of its file.
 * @param maxBytes the limit in bytes; at the default (`MAX_LINE_BYTES`, 100 MiB) the message says
 *   why: Elasticsearch's default `http.max_content_length` (100mb) would have refused it.
 */
export function tooLargeDocumentMessage(maxBytes: number): string {
  const why = maxBytes === MAX_LINE_BYTES ? " (Elasticsearch's default http.max_content_length, 100mb: it could not have been indexed)" : '';
  return `a document larger than ${maxBytes} bytes starts here${why}; it and the rest of the file are not read`;
}

/**
 * The first chunk of a content without its UTF-8 byte order mark.
 * @returns `chunk` itself, or a view past its first 3 bytes when they are EF BB BF.
 */
export function withoutByteOrderMark(chunk: Buffer): Buffer {
  return chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? chunk.subarray(3) : chunk;
}
