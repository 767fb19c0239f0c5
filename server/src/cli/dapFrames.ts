/**
 * Checks the framing of Debug Adapter Protocol messages on a byte stream, beside the library's own
 * reader. The base protocol (https://microsoft.github.io/debug-adapter-protocol/overview#base-protocol)
 * frames each message as header fields (`Name: value` lines ended by `\r\n`), a blank line, then
 * exactly `Content-Length` bytes of JSON. `@vscode/debugadapter` (1.68, `ProtocolServer._handleData`)
 * takes a header without `Content-Length` as a header and then reads the body as the next header:
 * that message and the next are dropped without a word, and the reader stays out of step. This
 * checker follows the same frames and names the first one that cannot be read.
 */

/** The longest header accepted, in bytes (a real one is about 20 bytes: `Content-Length: N`). */
export const MAX_DAP_HEADER_BYTES = 8192;

const END_OF_HEADER = Buffer.from('\r\n\r\n');

/** Follows DAP frames chunk by chunk; the first framing error is returned, later input ignored. */
export class DapFrameChecker {
  /** Bytes of the header being read (less than {@link MAX_DAP_HEADER_BYTES} + one chunk). */
  private header = Buffer.alloc(0);
  /** Bytes of the current body still to come. */
  private bodyLeft = 0;
  private failed = false;

  /**
   * Takes the next bytes of the stream.
   * @returns undefined while the frames are well formed, else the reason the stream cannot be read
   *   (once): `a frame header has no Content-Length`, `a frame header has no valid Content-Length`
   *   (not a decimal number of bytes), or `a frame header is longer than 8192 bytes`.
   */
  feed(chunk: Buffer): string | undefined {
    if (this.failed) return undefined;
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= n;
        at += n;
        continue;
      }
      const searchFrom = Math.max(0, this.header.length - (END_OF_HEADER.length - 1));
      this.header = Buffer.concat([this.header, chunk.subarray(at)]);
      at = chunk.length;
      const end = this.header.indexOf(END_OF_HEADER, searchFrom);
      if (end < 0) {
        if (this.header.length > MAX_DAP_HEADER_BYTES) return this.fail(`a frame header is longer than ${MAX_DAP_HEADER_BYTES} bytes`);
        break;
      }
      const length = contentLength(this.header.toString('latin1', 0, end));
      if (typeof length === 'string') return this.fail(length);
      // The bytes after the header belong to the body (and maybe the next frames): read them again.
      const rest = this.header.subarray(end + END_OF_HEADER.length);
      this.header = Buffer.alloc(0);
      this.bodyLeft = length;
      if (rest.length > 0) return this.feed(rest);
    }
    return undefined;
  }

  private fail(reason: string): string {
    this.failed = true;
    this.header = Buffer.alloc(0);
    return reason;
  }
}

/** The Content-Length of a header (its lines without the final blank line), or why there is none. */
function contentLength(header: string): number | string {
  let value: string | undefined;
  for (const line of header.split('\r\n')) {
    // As the library reads a field: the name, then `:` and spaces.
    const match = /^([^:]*): +(.*)$/.exec(line);
    if (match && match[1] === 'Content-Length') value = match[2];
  }
  if (value === undefined) return 'a frame header has no Content-Length';
  if (!/^\d+$/.test(value.trim())) return 'a frame header has no valid Content-Length';
  return Number(value.trim());
}
