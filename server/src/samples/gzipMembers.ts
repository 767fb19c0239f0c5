/**
 * Decompressing a gzip file as gzip(1) does: every member in turn (RFC 1952 section 2.2: "A gzip
 * file consists of a series of members"), zero bytes after a member ignored as padding, and bytes
 * after the last member that do not start another one ignored as trailing data — reported, never a
 * reason to lose the members before them.
 *
 * The deflate data of each member is inflated by `node:zlib` (`createInflateRaw`); only the
 * member's frame is read here: the header (RFC 1952 section 2.3: magic bytes, method, flags and
 * their optional fields) and the trailer (CRC-32 and size of the decompressed data, checked).
 * Node's own gunzip cannot be used for this: after a member it decompresses whatever follows as a
 * new member and fails on trailing data, dropping output it had already produced
 * ("incorrect header check", or "unexpected end of file" for one stray byte).
 */
import * as zlib from 'node:zlib';

/** The gzip data ends before its end (a copy cut short): what was decompressed is all there is. */
export class GzipTruncatedError extends Error {
  constructor(message = 'gzip: unexpected end of file') {
    super(message);
    this.name = 'GzipTruncatedError';
  }
}

/** The words for trailing data after gzip data, as gzip(1) says it: `gzip: trailing data after the gzip stream ignored (7 bytes)`. */
export function gzipTrailingDataMessage(bytes: number): string {
  return `gzip: trailing data after the gzip stream ignored (${bytes.toLocaleString('en-US')} ${bytes === 1 ? 'byte' : 'bytes'})`;
}

/** Flag bits of the header's FLG byte (RFC 1952 section 2.3.1). */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/** Compressed bytes read ahead of the decompression, with one chunk pushed back at most. */
class ByteQueue {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly input: AsyncIterator<Buffer>) {}

  /** The next bytes (all that is pending, else the next chunk read); undefined at the end of the file. */
  async next(): Promise<Buffer | undefined> {
    if (this.pending.length > 0) {
      const out = this.pending;
      this.pending = Buffer.alloc(0);
      return out;
    }
    while (!this.ended) {
      const next = await this.input.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) return next.value;
    }
    return undefined;
  }

  /** Puts bytes back in front. */
  unshift(bytes: Buffer): void {
    if (bytes.length > 0) this.pending = this.pending.length > 0 ? Buffer.concat([bytes, this.pending]) : bytes;
  }

  /** At least `n` bytes ahead, reading as needed; false when the file ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.pending.length < n) {
      const held = this.pending;
      this.pending = Buffer.alloc(0);
      const more = await this.next();
      this.pending = more === undefined ? held : Buffer.concat([held, more]);
      if (more === undefined) return false;
    }
    return true;
  }

  /** The pending bytes (after {@link ensure}), without taking them. */
  peek(): Buffer {
    return this.pending;
  }

  /** Takes `n` pending bytes (after {@link ensure}). */
  take(n: number): Buffer {
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** Reads to the end of the file; returns the bytes that were left. */
  async drain(): Promise<number> {
    let bytes = 0;
    for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) bytes += chunk.length;
    return bytes;
  }
}

/**
 * The length of the member header at the start of `bytes` (RFC 1952 section 2.3), or undefined
 * when more bytes are needed to tell.
 * @throws Error (`gzip: …`) for a header gzip(1) refuses: a method other than deflate (8), reserved flags set.
 */
function headerLength(bytes: Buffer): number | undefined {
  if (bytes.length < 10) return undefined;
  if (bytes[2] !== 8) throw new Error(`gzip: unknown compression method ${bytes[2]}`);
  const flags = bytes[3];
  if (flags & FRESERVED) throw new Error(`gzip: reserved header flags set (0x${flags.toString(16)})`);
  let at = 10;
  if (flags & FEXTRA) {
    if (bytes.length < at + 2) return undefined;
    at += 2 + bytes.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = bytes.indexOf(0, at);
    if (end < 0) return undefined;
    at = end + 1;
  }
  if (flags & FHCRC) at += 2;
  return bytes.length >= at ? at : undefined;
}

/**
 * Decompresses a gzip file given as its chunks.
 *
 * @param chunks the file's bytes, starting with the gzip magic bytes `1f 8b`.
 * @param onTrailingData told, after the last member's data, of the bytes that follow it and do not
 *   start another member (zero bytes alone are padding: not told); they are read and ignored.
 * @returns the decompressed bytes, member after member; backpressure holds (a gzip bomb is never
 *   held whole).
 * @throws {@link GzipTruncatedError} when the file ends inside a member (after the bytes it
 *   decompressed); an Error whose message starts with `gzip:` for damaged data (zlib's reason, a
 *   CRC-32 or size that does not match the data); the read errors of `chunks`.
 */
export async function* gunzipMembers(chunks: AsyncIterable<Buffer>, onTrailingData?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const queue = new ByteQueue(chunks[Symbol.asyncIterator]());
  for (let member = 0; ; member++) {
    if (member > 0) {
      // Zero padding after a member, then another member, trailing data or the end.
      for (let bytes = await queue.next(); ; bytes = await queue.next()) {
        if (bytes === undefined) return;
        let at = 0;
        while (at < bytes.length && bytes[at] === 0) at++;
        if (at < bytes.length) {
          queue.unshift(bytes.subarray(at));
          break;
        }
      }
      const complete = await queue.ensure(2);
      const head = queue.peek();
      if (!complete || head[0] !== 0x1f || head[1] !== 0x8b) {
        onTrailingData?.(await queue.drain());
        return;
      }
    }
    let length: number | undefined;
    for (let need = 10; (length = headerLength(queue.peek())) === undefined; need = queue.peek().length + 1) {
      if (!(await queue.ensure(need))) throw new GzipTruncatedError();
    }
    queue.take(length);
    let crc = 0;
    let size = 0;
    // Inflated chunks of 64 KiB rather than zlib's default 16 KiB: fewer lines cut across chunks
    // (each is assembled and tested on its own, never skipped by a chunk search).
    const inflate = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    // Feeds the member's deflate data; once zlib stops taking input (the end of the deflate data),
    // the bytes it left are put back. Resolves false when the file ended first.
    const fed = (async (): Promise<boolean> => {
      let written = 0;
      for (let bytes = await queue.next(); bytes !== undefined; bytes = await queue.next()) {
        await new Promise<void>((resolve, reject) => inflate.write(bytes, (e) => (e ? reject(e) : resolve())));
        written += bytes.length;
        const left = written - inflate.bytesWritten;
        if (left > 0) {
          queue.unshift(bytes.subarray(bytes.length - left));
          inflate.end();
          return true;
        }
      }
      inflate.end();
      return false;
    })();
    fed.catch(() => undefined); // Its failure is the inflate stream's, thrown below.
    try {
      for await (const out of inflate as AsyncIterable<Buffer>) {
        crc = zlib.crc32(out, crc);
        size = (size + out.length) % 2 ** 32;
        yield out;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') throw new GzipTruncatedError();
      throw new Error(`gzip: the data is damaged (${(e as Error).message})`);
    }
    if (!(await fed) || !(await queue.ensure(8))) throw new GzipTruncatedError();
    const trailer = queue.take(8);
    if (trailer.readUInt32LE(0) !== crc >>> 0) throw new Error('gzip: the data is damaged (its CRC-32 does not match)');
    if (trailer.readUInt32LE(4) !== size) throw new Error('gzip: the data is damaged (its size does not match)');
  }
}
