/**
 * The sample events of a replay debug session as a compact index in the engine's order, read back
 * from the files only when they are needed (stepping, stepping back, variables), so that sample files
 * larger than memory can be stepped through.
 *
 * One streaming pass over each file (the shared readers: `splitLines` + `decodeNdjsonLine` for NDJSON,
 * `readJsonDocuments` for JSON arrays and responses) parses every event once, to read its timestamp
 * and tiebreaker, and keeps per event: file, byte offset and length of its line, 1-based line,
 * timestamp and tiebreaker, in typed arrays (about 36 bytes an event). The index is then sorted in the
 * engine's order (`ReplaySession.ordinal`: timestamp, tiebreaker, input order; input order for
 * samples); events without a readable timestamp are left out (and remembered, to say why a
 * breakpoint on their line is never hit).
 *
 * A line can be read back by its offset only in a plain NDJSON file. Events of gzip-compressed files
 * (whose offsets are in the decompressed stream) and of JSON arrays or responses (several events may
 * share a line) are kept parsed in memory instead, and the launch says so.
 *
 * At most a few files are open at once (`FileHandlePool`, the 16 most recently read by default): a
 * folder of thousands of recordings never runs out of file descriptors; a file is opened again when
 * it is read next. While a file stays open, a deletion does not affect it (POSIX keeps an open file's
 * content); a file changed meanwhile, or deleted and no longer open, is reported, once, and an event
 * that no longer reads as a JSON object becomes an empty document with a note. `close()` closes them.
 */
import { fstatSync, readSync } from 'node:fs';
import { compareOrdinals, type Ordinal } from '../engine/order';
import type { EventRecord } from '../engine/types';
import { detectUnsupportedEncoding, UnsupportedEncodingError } from '../samples/encoding';
import { describeFsError } from '../samples/fsErrors';
import { detectSampleFormat, readJsonDocuments } from '../samples/jsonDocuments';
import { isGzip, openSampleContent, peekContent, splitLines } from '../samples/lineReader';
import { decodeNdjsonLine, oversizedLineProblem, type NdjsonProblem } from '../samples/ndjson';
import { DEFAULT_OPEN_FILES, FileHandlePool, NODE_FS, type FileOpener } from './fileHandlePool';

/** Bytes read from a file at once when reading events back (consecutive events share a block). */
const BLOCK_BYTES = 256 * 1024;
/** Blocks kept (one per file being read, for files interleaved in time). */
const MAX_BLOCKS = 16;
/** `offsets` value of an event kept in memory: its document is `resident[lengths[i]]`. */
const RESIDENT = -1;

/** How each event's place in the replay is read (`ReplaySession.ordinal`). */
export type OrdinalOf = (doc: Record<string, unknown>, index: number) => Ordinal | undefined;

/** What the indexing pass tells its caller, as it goes. */
export interface IndexingListener {
  /** A skipped line (severity `error`) or a line kept with a warning. */
  problem(problem: NdjsonProblem): void;
  /** Each event parsed (in input order), e.g. to look for the event category field. */
  event?(doc: Record<string, unknown>): void;
  /** A readable note about a whole file (held in memory, truncated gzip). */
  note(text: string): void;
}

/** How many files the index keeps open, and how it opens them (both optional). */
export interface SampleEventIndexOptions {
  /** Most sample files open at once (default {@link DEFAULT_OPEN_FILES}). */
  openFiles?: number;
  /** Opens and closes files (default Node's `fs`); tests count descriptors through it. */
  opener?: FileOpener;
}

/** What a file was when indexed: a later read compares it, to say the file changed. */
interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A growable typed array. */
class Column<T extends Float64Array | Uint32Array | Int32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(Math.max(1024, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** The values, trimmed to their length (a copy only when there is spare room). */
  trimmed(): T {
    return (this.length === this.data.length ? this.data : this.data.slice(0, this.length)) as T;
  }
}

interface Block {
  file: number;
  start: number;
  bytes: Buffer;
}

/** The sample events in replay order, read back as needed. */
export class SampleEventIndex {
  /** Events in replay order. */
  readonly count: number;
  /** Per event in replay order: its input position (0-based, files in order, events in file order). */
  private readonly order: Uint32Array;
  /** Per input position: place in replay order, or -1 when left out (no readable timestamp). */
  private readonly positionOf: Int32Array;
  /** Per input position (all events read, including those left out). */
  private readonly fileOf: Uint32Array;
  private readonly offsets: Float64Array;
  private readonly lengths: Uint32Array;
  private readonly lines: Uint32Array;
  private readonly timestamps: Float64Array;
  private readonly tiebreakers?: Array<number | bigint | string | boolean | undefined>;
  /** Documents of events that cannot be read back by offset. */
  private readonly resident: Array<Record<string, unknown>>;
  /** Per file: the first input position of its events (and of the next file's, at the end). */
  private readonly fileStarts: number[];
  /** Open descriptors of the files read back by offset (a few at a time). */
  private readonly handles: FileHandlePool;
  /** Per file read back by offset: what it was when indexed; undefined for files held in memory. */
  private readonly stats: Array<FileIdentity | undefined>;
  private readonly changedFiles = new Set<number>();
  private readonly blocks = new Map<number, Block>();
  /** Told of problems met while reading events back (a file changed since the launch). */
  onNote: (text: string) => void = () => undefined;
  /** Notes already given: each is given once, however often stepping back reads the event again. */
  private readonly noted = new Set<string>();

  private constructor(
    /** The sample files, absolute, in replay order (those that could be read). */
    readonly files: string[],
    parts: {
      order: Uint32Array;
      positionOf: Int32Array;
      fileOf: Uint32Array;
      offsets: Float64Array;
      lengths: Uint32Array;
      lines: Uint32Array;
      timestamps: Float64Array;
      tiebreakers?: Array<number | bigint | string | boolean | undefined>;
      resident: Array<Record<string, unknown>>;
      fileStarts: number[];
      handles: FileHandlePool;
      stats: Array<FileIdentity | undefined>;
    },
  ) {
    this.order = parts.order;
    this.count = parts.order.length;
    this.positionOf = parts.positionOf;
    this.fileOf = parts.fileOf;
    this.offsets = parts.offsets;
    this.lengths = parts.lengths;
    this.lines = parts.lines;
    this.timestamps = parts.timestamps;
    this.tiebreakers = parts.tiebreakers;
    this.resident = parts.resident;
    this.fileStarts = parts.fileStarts;
    this.handles = parts.handles;
    this.stats = parts.stats;
  }

  /**
   * Reads the files once and builds the index.
   *
   * @param files absolute paths, in replay order.
   * @param ordinalOf the engine session's ordering (`ReplaySession.ordinal`).
   * @param listener told of problems, events and notes while reading.
   * @param options how many files stay open at once (also while indexing), and how they are opened.
   * @returns the index, and the files that could not be read with the reason (`path: reason` form).
   *   Never throws for a file: a file that cannot be opened or read is left out and named.
   */
  static async build(
    files: readonly string[],
    ordinalOf: OrdinalOf,
    listener: IndexingListener,
    options: SampleEventIndexOptions = {},
  ): Promise<{ index: SampleEventIndex; unreadable: Array<{ path: string; error: unknown }> }> {
    const fileOf = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
    const offsets = new Column(new Float64Array(1024), (n) => new Float64Array(n));
    const lengths = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
    const lines = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
    const timestamps = new Column(new Float64Array(1024), (n) => new Float64Array(n));
    const timed = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
    let tiebreakers: Array<number | bigint | string | boolean | undefined> | undefined;
    const resident: Array<Record<string, unknown>> = [];
    const kept: string[] = [];
    const fileStarts: number[] = [];
    const opener = options.opener ?? NODE_FS;
    const handles = new FileHandlePool(kept, options.openFiles ?? DEFAULT_OPEN_FILES, opener);
    const stats: Array<FileIdentity | undefined> = [];
    const unreadable: Array<{ path: string; error: unknown }> = [];

    for (const path of files) {
      const fileId = kept.length;
      const first = fileOf.length;
      // Events of a file that fails midway are dropped with it.
      const rollBack = () => {
        for (const c of [fileOf, offsets, lengths, lines, timestamps]) c.length = first;
        while (timed.length > 0 && timed.data[timed.length - 1] >= first) timed.length--;
        if (tiebreakers) tiebreakers.length = first;
      };
      let fd: number | undefined;
      try {
        handles.makeRoom();
        fd = opener.open(path);
        const head = Buffer.alloc(2);
        const gzip = isGzip(head.subarray(0, readSync(fd, head, 0, 2, 0)));
        const add = (doc: Record<string, unknown>, line: number, offset: number, length: number): void => {
          const input = fileOf.length;
          listener.event?.(doc);
          fileOf.push(fileId);
          offsets.push(offset);
          lengths.push(length);
          lines.push(line);
          const ordinal = ordinalOf(doc, input);
          timestamps.push(ordinal ? ordinal.timestamp : NaN);
          if (ordinal) timed.push(input);
          if (ordinal?.tiebreaker !== undefined) tiebreakers ??= [];
          if (tiebreakers) tiebreakers[input] = ordinal?.tiebreaker;
        };
        const addResident = (event: EventRecord) => {
          resident.push(event.doc);
          add(event.doc, event.source.line, RESIDENT, resident.length - 1);
        };
        let lastLine = 0;
        const truncated = () =>
          listener.problem({
            file: path,
            line: lastLine + 1,
            message: 'the gzip file is truncated here (it ends before its end of stream); the lines before were read, the rest is lost',
            severity: 'warning',
          });
        const { head: contentHead, content } = await peekContent(await openSampleContent(path, undefined, truncated));
        const format = contentHead === undefined ? 'ndjson' : detectSampleFormat(contentHead);
        if (format === 'ndjson') {
          await splitLines(content, (bytes, line, offset) => {
            lastLine = line;
            const decoded = decodeNdjsonLine(bytes, path, line);
            if (decoded.problem) listener.problem(decoded.problem);
            if (decoded.warning) listener.problem(decoded.warning);
            if (!decoded.event) return;
            if (gzip) addResident(decoded.event);
            else add(decoded.event.doc, line, offset, bytes.length);
          }, undefined, {
            onOversizedLine: (line, bytes) => {
              lastLine = line;
              listener.problem(oversizedLineProblem(path, line, bytes));
            },
          });
        } else {
          const reason = contentHead === undefined ? undefined : detectUnsupportedEncoding(contentHead);
          if (reason !== undefined) throw new UnsupportedEncodingError(reason);
          await readJsonDocuments(content, format, path, addResident, (p) => listener.problem(p));
        }
        if (gzip || format !== 'ndjson') {
          listener.note(
            `${path}: ${gzip ? 'gzip-compressed' : 'a JSON document, not NDJSON'}, so its ${fileOf.length - first} events are held in memory ` +
              `(events of plain NDJSON files are read from disk as they are needed)`,
          );
          opener.close(fd);
          fd = undefined;
        }
      } catch (error) {
        if (fd !== undefined) opener.close(fd);
        rollBack();
        unreadable.push({ path, error });
        continue;
      }
      kept.push(path);
      fileStarts.push(first);
      stats.push(fd === undefined ? undefined : statOf(fd));
      // Kept open for the first reads while there is room; the pool closes the least recent beyond.
      if (fd !== undefined) handles.adopt(fileId, fd);
    }
    fileStarts.push(fileOf.length);

    // Replay order: the events with an ordinal, sorted unless they were read in order already.
    const ts = timestamps.trimmed();
    const order = timed.trimmed().slice();
    const compare = (a: number, b: number): number => {
      if (ts[a] !== ts[b]) return ts[a] < ts[b] ? -1 : 1;
      if (!tiebreakers) return a - b;
      return compareOrdinals({ timestamp: 0, tiebreaker: tiebreakers[a], index: a }, { timestamp: 0, tiebreaker: tiebreakers[b], index: b });
    };
    let sorted = true;
    for (let i = 1; i < order.length && sorted; i++) if (compare(order[i - 1], order[i]) > 0) sorted = false;
    if (!sorted) order.sort(compare);
    const positionOf = new Int32Array(fileOf.length).fill(-1);
    order.forEach((input, position) => {
      positionOf[input] = position;
    });
    const index = new SampleEventIndex(kept, {
      order,
      positionOf,
      fileOf: fileOf.trimmed(),
      offsets: offsets.trimmed(),
      lengths: lengths.trimmed(),
      lines: lines.trimmed(),
      timestamps: ts,
      tiebreakers,
      resident,
      fileStarts,
      handles,
      stats,
    });
    return { index, unreadable };
  }

  /** Events read from the files, including those left out for lack of a timestamp. */
  get read(): number {
    return this.fileOf.length;
  }

  /** Where the event at `position` (0-based, replay order) was read: absolute file and 1-based line. */
  source(position: number): { file: string; line: number } {
    const input = this.order[position];
    return { file: this.files[this.fileOf[input]], line: this.lines[input] };
  }

  /** The ordinal of the event at `position`, as the engine sorts by it. */
  ordinal(position: number): Ordinal {
    const input = this.order[position];
    return { timestamp: this.timestamps[input], tiebreaker: this.tiebreakers?.[input], index: input };
  }

  /**
   * The raw line of the event at `position` (for the raw-line prefilter), or undefined when the
   * event is held in memory or cannot be read. Valid until the next read.
   */
  rawLine(position: number): Buffer | undefined {
    const input = this.order[position];
    if (this.offsets[input] === RESIDENT) return undefined;
    return this.readBytes(this.fileOf[input], this.offsets[input], this.lengths[input]);
  }

  /**
   * The document of the event at `position` (0-based, replay order), read and parsed now. An event
   * that cannot be read back (its file changed or became unreadable since the launch) is an empty
   * document, and the reason is given to `onNote` (once per event).
   */
  document(position: number): Record<string, unknown> {
    const input = this.order[position];
    if (this.offsets[input] === RESIDENT) return this.resident[this.lengths[input]];
    const source = this.source(position);
    const bytes = this.readBytes(this.fileOf[input], this.offsets[input], this.lengths[input]);
    const decoded = bytes === undefined ? undefined : decodeNdjsonLine(bytes, source.file, source.line);
    if (decoded?.event) return decoded.event.doc;
    this.note(
      `${source.file}:${source.line}: the event can no longer be read (${decoded?.problem?.message ?? 'the file cannot be read'}); an empty document stands in for it: restart to read the files again`,
    );
    return {};
  }

  /**
   * Positions (replay order, ascending) of the events read from `file` at 1-based `line`
   * (several for a JSON array on one line; none for a line without an event or left out).
   */
  positionsAt(file: string, line: number): number[] {
    const f = this.files.indexOf(file);
    if (f < 0) return [];
    const out: number[] = [];
    for (let input = this.firstInputAt(f, line); input < this.fileStarts[f + 1] && this.lines[input] === line; input++) {
      if (this.positionOf[input] >= 0) out.push(this.positionOf[input]);
    }
    return out.sort((a, b) => a - b);
  }

  /** True when `file` has an event at `line` that was left out (no readable timestamp). */
  leftOutAt(file: string, line: number): boolean {
    const f = this.files.indexOf(file);
    if (f < 0) return false;
    for (let input = this.firstInputAt(f, line); input < this.fileStarts[f + 1] && this.lines[input] === line; input++) {
      if (this.positionOf[input] < 0) return true;
    }
    return false;
  }

  /** Events read but left out for lack of a timestamp, and the first of them. */
  leftOut(): { count: number; first?: { file: string; line: number } } {
    let count = 0;
    let first: number | undefined;
    for (let input = 0; input < this.positionOf.length; input++) {
      if (this.positionOf[input] >= 0) continue;
      count++;
      first ??= input;
    }
    return { count, first: first === undefined ? undefined : { file: this.files[this.fileOf[first]], line: this.lines[first] } };
  }

  /** Sample files open now, to read events back (at most the `openFiles` option). */
  get openFiles(): number {
    return this.handles.size;
  }

  /** Closes the files (a later read opens them again). */
  close(): void {
    this.handles.closeAll();
    this.blocks.clear();
  }

  /** Gives `text` to `onNote`, unless it was given already. */
  private note(text: string): void {
    if (this.noted.has(text)) return;
    this.noted.add(text);
    this.onNote(text);
  }

  /** Lines of one file are in ascending order: a binary search for the first input at `line`. */
  private firstInputAt(file: number, line: number): number {
    let lo = this.fileStarts[file];
    let hi = this.fileStarts[file + 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lines[mid] < line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private readBytes(file: number, offset: number, length: number): Buffer | undefined {
    let block = this.blocks.get(file);
    if (!block || offset < block.start || offset + length > block.start + block.bytes.length) {
      if (this.stats[file] === undefined) return undefined;
      try {
        const { fd, reopened } = this.handles.get(file);
        this.checkUnchanged(file, fd, reopened);
        const bytes = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, length));
        const n = readSync(fd, bytes, 0, bytes.length, offset);
        block = { file, start: offset, bytes: bytes.subarray(0, n) };
      } catch (e) {
        this.note(`${this.files[file]}: ${describeFsError(e)}`);
        return undefined;
      }
      this.blocks.delete(file);
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
      this.blocks.set(file, block);
      if (length > block.bytes.length) return undefined;
    }
    const at = offset - block.start;
    return block.bytes.subarray(at, at + length);
  }

  /**
   * Says once per file when its size or modification time changed since it was indexed, or, for a
   * file opened again, when the path now names another file (replaced by a rename).
   */
  private checkUnchanged(file: number, fd: number, reopened: boolean): void {
    if (this.changedFiles.has(file)) return;
    const then = this.stats[file];
    const now = statOf(fd);
    const replaced = reopened && then !== undefined && (now.dev !== then.dev || now.ino !== then.ino);
    if (then && (replaced || now.size !== then.size || now.mtimeMs !== then.mtimeMs)) {
      this.changedFiles.add(file);
      this.note(`${this.files[file]} changed since the replay started: its events are read from the new content at the old places; restart to read it again`);
    }
  }
}

function statOf(fd: number): FileIdentity {
  const s = fstatSync(fd);
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
}
