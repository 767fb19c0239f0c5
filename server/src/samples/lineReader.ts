/**
 * Reading a sample file as a stream of raw lines (bytes), chunk by chunk: the file is never held
 * whole in memory, and each line is assembled once, so reading is linear in the file size whatever
 * the line lengths. Gzip-compressed files are recognised by their magic bytes (RFC 1952: `1f 8b`),
 * whatever their name, and decompressed on the fly (`gzipMembers.ts`, with `node:zlib`).
 */
import { open } from 'node:fs/promises';
import { detectUnsupportedEncoding, UnsupportedEncodingError } from './encoding';
import { gunzipMembers, GzipTruncatedError } from './gzipMembers';

/**
 * Called once per line: its bytes (without terminator, valid only during the call), its 1-based
 * number, and the byte offset of its first byte in the content (after a byte order mark).
 */
export type LineVisitor = (bytes: Buffer, line: number, offset: number) => void;

/**
 * The longest line read, in bytes: Elasticsearch's default `http.max_content_length` (100mb), the
 * largest request body it accepts, so a longer line could never have been indexed as one document
 * (https://www.elastic.co/guide/en/elasticsearch/reference/current/modules-network.html#http-settings).
 */
export const MAX_LINE_BYTES = 100 * 1024 * 1024;

/** Limits of {@link splitLines}. */
export interface LineLimits {
  /** Lines longer than this many bytes are not assembled (default {@link MAX_LINE_BYTES}). */
  maxLineBytes?: number;
  /**
   * Told of each line longer than the limit instead of `visit`: its 1-based number and length in
   * bytes. Its bytes are dropped as they are read, never held (default: the line is dropped unsaid).
   */
  onOversizedLine?: (line: number, bytes: number) => void;
  /** Lines that need not be visited, passed over without being cut out (default: every line is visited). */
  skipper?: LineSkipper;
}

/**
 * Passes over lines without visiting them (the chunk prefilter): per chunk, where the lines to
 * visit may be; the other lines are offered to `skip` as positions in the chunk, never cut out.
 * Lines that start in an earlier chunk, the first line of the content and lines over the length
 * limit are always visited (or reported as oversized).
 */
export interface LineSkipper {
  /**
   * Called once per chunk before its lines are split, with the offset where its first line (or
   * the rest of a line begun in an earlier chunk) starts. Returns, for a line starting at `at` (offsets in the chunk, never decreasing),
   * the first offset at or after `at` of a byte of a line to visit, -1 when there is none left
   * (the lines before it may be skipped); or undefined to visit every line of the chunk.
   */
  lines(chunk: Buffer, start: number): ((at: number) => number) | undefined;
  /**
   * A line, `chunk[start, end)` without its terminator, that holds none of those bytes: returns
   * true when it is skipped (still numbered), false to visit it after all.
   */
  skip(chunk: Buffer, start: number, end: number): boolean;
}

/** Progress of one file, in bytes of the file on disk (compressed bytes for gzip). */
export interface ReadProgress {
  bytesRead: number;
}

/**
 * Splits a stream of byte chunks into lines on `\n`, `\r\n` and a lone `\r` (as editors and LSP
 * count lines). A UTF-8 byte order mark at the start of the first line is removed. UTF-8 allows
 * splitting before decoding: these bytes never occur inside a multi-byte character.
 *
 * @param chunks the content, in order.
 * @param visit called for every line, in order (the last line may lack a terminator; an empty
 *   content has no line).
 * @param onChunk called after each chunk is split (for progress and cancellation: it may throw to stop).
 * @param limits the longest line assembled; a longer line goes to `limits.onOversizedLine`, so
 *   memory stays bounded by the limit and the chunk size whatever the input (one line of 2 GiB, a
 *   gzip bomb of zeros). `limits.skipper`: lines passed over unvisited (see {@link LineSkipper}).
 * @throws {@link UnsupportedEncodingError} when the first bytes show a UTF-16 / UTF-32 or binary
 *   content (see `detectUnsupportedEncoding`); the stream's own errors.
 */
export async function splitLines(
  chunks: AsyncIterable<Buffer>,
  visit: LineVisitor,
  onChunk?: (chunk: Buffer) => void,
  limits: LineLimits = {},
): Promise<void> {
  const maxLineBytes = limits.maxLineBytes ?? MAX_LINE_BYTES;
  const skipper = limits.skipper;
  let lineNumber = 0;
  // Pieces of the line being read; joined once when its end is found.
  let pieces: Buffer[] = [];
  // Byte offsets in the content: of the chunk being split, and of the line being read.
  let chunkOffset = 0;
  let lineOffset = 0;
  // Bytes of the line being read (also those dropped once it is over the limit).
  let lineBytes = 0;
  const add = (piece: Buffer): void => {
    lineBytes += piece.length;
    if (lineBytes <= maxLineBytes) pieces.push(piece);
    else pieces = [];
  };
  const emit = (): void => {
    lineNumber++;
    const length = lineBytes;
    lineBytes = 0;
    if (length > maxLineBytes) {
      limits.onOversizedLine?.(lineNumber, length);
      return;
    }
    let bytes = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
    pieces = [];
    let offset = lineOffset;
    if (lineNumber === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
      offset += 3;
    }
    visit(bytes, lineNumber, offset);
  };
  let first = true;
  // The previous chunk ended with \r: a \n starting this chunk belongs to it.
  let afterCr = false;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    if (first) {
      first = false;
      const reason = detectUnsupportedEncoding(chunk);
      if (reason !== undefined) throw new UnsupportedEncodingError(reason);
    }
    let from = 0;
    if (afterCr && chunk[0] === 0x0a) {
      from = 1;
      lineOffset = chunkOffset + 1;
    }
    afterCr = false;
    // Next \n and \r at or after `from` (-1: none in this chunk), each searched again only once passed.
    let lf = chunk.indexOf(0x0a, from);
    let cr = chunk.indexOf(0x0d, from);
    // With a skipper: where the next line to visit may be (-2: not yet asked; -1: nowhere).
    const find = skipper && (lf >= 0 || cr >= 0) ? skipper.lines(chunk, from) : undefined;
    let hit = -2;
    while (lf >= 0 || cr >= 0) {
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      let skipped = false;
      if (find !== undefined && lineBytes === 0 && lineNumber > 0 && end - from <= maxLineBytes) {
        if (hit !== -1 && hit < from) hit = find(from);
        skipped = (hit === -1 || hit >= end) && skipper!.skip(chunk, from, end);
      }
      if (skipped) lineNumber++;
      else {
        add(chunk.subarray(from, end));
        emit();
      }
      from = end + 1;
      if (chunk[end] === 0x0d) {
        if (end + 1 === chunk.length) afterCr = true;
        else if (chunk[end + 1] === 0x0a) from = end + 2;
      }
      lineOffset = chunkOffset + from;
      if (lf >= 0 && lf < from) lf = chunk.indexOf(0x0a, from);
      if (cr >= 0 && cr < from) cr = chunk.indexOf(0x0d, from);
    }
    // Copied: the reader may reuse the chunk's memory once it is consumed.
    if (from < chunk.length) add(lineBytes + chunk.length - from > maxLineBytes ? chunk.subarray(from) : Buffer.from(chunk.subarray(from)));
    chunkOffset += chunk.length;
    onChunk?.(chunk);
  }
  // The last line, without terminator.
  if (lineBytes > 0) emit();
}

/** Reads the first bytes of an async byte stream without losing them: returns them and the rest. */
async function peek(chunks: AsyncIterable<Buffer>): Promise<{ head: Buffer | undefined; rest: AsyncIterator<Buffer> }> {
  const rest = chunks[Symbol.asyncIterator]();
  for (;;) {
    const next = await rest.next();
    if (next.done) return { head: undefined, rest };
    if (next.value.length > 0) return { head: next.value, rest };
  }
}

async function* prepend(head: Buffer | undefined, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    if (head) yield head;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // A consumer that stops early (an error, a cancelled replay) lets the source close its file.
    await rest.return?.();
  }
}

/**
 * Looks at the first non-empty chunk of a content without losing it.
 * @returns that chunk (undefined for an empty content) and the whole content, first chunk included.
 */
export async function peekContent(chunks: AsyncIterable<Buffer>): Promise<{ head: Buffer | undefined; content: AsyncIterable<Buffer> }> {
  const { head, rest } = await peek(chunks);
  return { head, content: prepend(head, rest) };
}

/** Bytes per chunk read from a file or an in-memory text, by default. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * An in-memory text as content chunks (an editor's unsaved text).
 * @param chunkBytes the size of each chunk but the last, in bytes (default {@link CHUNK_BYTES}).
 */
export async function* textContent(text: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

/** How a sample file is read by {@link openSampleContent}. */
export interface ReadOptions {
  /** Bytes per chunk read from the file (default {@link CHUNK_BYTES}); decompressed chunks are 64 KiB. */
  chunkBytes?: number;
  /**
   * The consumer is done with each chunk once it asks for the next one (as {@link splitLines} is):
   * the file is then read again and again into the same buffer instead of a new one per chunk
   * (fewer allocations and page faults). May be set once the first chunk has been looked at;
   * has no effect on gzip files, whose compressed chunks zlib holds until it has inflated them.
   */
  reuseChunks?: boolean;
}

/** True for the gzip magic bytes `1f 8b` (RFC 1952, section 2.3.1). */
export function isGzip(head: Uint8Array | undefined): boolean {
  return head !== undefined && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Opens a sample file as a stream of decoded-content chunks: the file's bytes, or their gzip
 * decompression when the file starts with the gzip magic bytes (every member, as gzip(1) does:
 * see `gzipMembers.ts`).
 *
 * A truncated gzip file (the data stops before its end, as a copy cut short leaves it) ends the
 * content after its last complete line, as `zcat` would give it less the partial line, and
 * `onTruncated` is told. Bytes after the gzip data that start no member are ignored and
 * `onTrailingData` is told; every line before them is read.
 *
 * @param path the file.
 * @param onRead told of the file bytes read so far (compressed bytes for gzip), after each chunk.
 * @param onTruncated told, once the content has ended, that the gzip stream was truncated.
 * @param reading the chunk size, and whether chunks may be read into the same memory (see {@link ReadOptions}).
 * @param onTrailingData told, once the content has ended, of the number of bytes after the gzip
 *   data that were ignored (zero padding is not told).
 * @param from the bytes to read instead of the file at `path` (standard input), read once.
 * @returns the content chunks; iterating them throws the file system error (`ENOENT`, `EISDIR`, …)
 *   or, for damaged (not merely truncated) gzip data, an Error whose message starts with `gzip:`.
 */
export async function openSampleContent(
  path: string,
  onRead?: (progress: ReadProgress) => void,
  onTruncated?: () => void,
  reading: ReadOptions = {},
  onTrailingData?: (bytes: number) => void,
  from?: AsyncIterable<Buffer>,
): Promise<AsyncIterable<Buffer>> {
  const chunkBytes = reading.chunkBytes ?? CHUNK_BYTES;
  let gzip = false;
  async function* counted(): AsyncGenerator<Buffer> {
    if (from) {
      let bytesRead = 0;
      for await (const chunk of from) {
        bytesRead += chunk.length;
        onRead?.({ bytesRead });
        yield chunk;
      }
      return;
    }
    const file = await open(path, 'r');
    try {
      let bytesRead = 0;
      let buffer: Buffer | undefined;
      for (;;) {
        // A new buffer per chunk unless the consumer is done with each chunk once it asks for the next.
        if (buffer === undefined || gzip || !reading.reuseChunks) buffer = Buffer.allocUnsafeSlow(chunkBytes);
        const { bytesRead: read } = await file.read(buffer, 0, chunkBytes, null);
        if (read === 0) return;
        bytesRead += read;
        onRead?.({ bytesRead });
        yield read === chunkBytes ? buffer : buffer.subarray(0, read);
      }
    } finally {
      await file.close();
    }
  }
  const { head, rest } = await peek(counted());
  if (!isGzip(head)) return prepend(head, rest);
  gzip = true;
  let trailing: number | undefined;
  const content = gunzipMembers(prepend(head, rest), (bytes) => (trailing = bytes));
  return completeLinesUnlessTruncated(content, onTruncated, () => {
    if (trailing !== undefined) onTrailingData?.(trailing);
  });
}

/**
 * Passes decompressed chunks on, holding back the bytes after the last `\n` until the next
 * chunk (no copy: the held pieces are yielded as they are). When the stream ends normally they are
 * yielded and `onEnd` is called; when it is truncated they are dropped (a partial line) and
 * `onTruncated` is called.
 * Held bytes beyond {@link MAX_LINE_BYTES} are passed on (that line is too long to be read anyway),
 * so a stream that inflates to gigabytes without a newline is never held.
 */
async function* completeLinesUnlessTruncated(chunks: AsyncIterable<Buffer>, onTruncated?: () => void, onEnd?: () => void): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  try {
    for await (const chunk of chunks) {
      const lf = chunk.lastIndexOf(0x0a);
      if (lf < 0) {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes > MAX_LINE_BYTES) {
          for (const piece of held) yield piece;
          held = [];
          heldBytes = 0;
        }
        continue;
      }
      for (const piece of held) yield piece;
      held = [];
      heldBytes = 0;
      yield chunk.subarray(0, lf + 1);
      if (lf + 1 < chunk.length) {
        held.push(chunk.subarray(lf + 1));
        heldBytes = chunk.length - lf - 1;
      }
    }
  } catch (e) {
    if (!(e instanceof GzipTruncatedError)) throw e;
    onTruncated?.();
    return;
  }
  for (const piece of held) yield piece;
  onEnd?.();
}
