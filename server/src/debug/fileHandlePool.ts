/**
 * A bounded set of open file descriptors for reading sample files back by offset: at most
 * `capacity` files are open at once, the least recently read one is closed to make room, and a file
 * is opened again when it is read next. A folder of thousands of recordings so stays far below the
 * process's open-file limit (`ulimit -n`, often 1024), whatever its size.
 *
 * The least-recently-used order is a `Map`'s insertion order (a read moves its file to the end), as
 * the index's block cache does; a library cache would add a dependency for these few lines.
 */
import { closeSync, openSync } from 'node:fs';

/** How files are opened and closed (Node's `openSync(path, 'r')` / `closeSync`; replaceable in tests). */
export interface FileOpener {
  /** @returns a descriptor open for reading. @throws as `fs.openSync` (ENOENT, EACCES, EMFILE …). */
  open(path: string): number;
  close(fd: number): void;
}

/** Node's own: `openSync(path, 'r')` and `closeSync`. */
export const NODE_FS: FileOpener = {
  open: (path) => openSync(path, 'r'),
  close: (fd) => closeSync(fd),
};

/** Files open at once by default: enough for sample files interleaved in time, far below `ulimit -n`. */
export const DEFAULT_OPEN_FILES = 16;

/** Open descriptors of files (keyed by a caller's file number), at most `capacity` at a time. */
export class FileHandlePool {
  /** File number → descriptor, least recently used first. */
  private readonly open = new Map<number, number>();
  private opened = 0;

  /**
   * @param paths the files, by number (index into this array).
   * @param capacity most descriptors open at once (at least 1).
   * @param opener how files are opened and closed.
   */
  constructor(
    private readonly paths: readonly string[],
    readonly capacity: number = DEFAULT_OPEN_FILES,
    private readonly opener: FileOpener = NODE_FS,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`a file handle pool needs room for at least one file, not ${capacity}`);
  }

  /**
   * Takes a descriptor already open on file `file` (the indexing pass's), as the most recently used;
   * when the pool is full, the least recently used descriptor is closed (possibly this one).
   */
  adopt(file: number, fd: number): void {
    const had = this.open.get(file);
    if (had !== undefined && had !== fd) this.opener.close(had);
    this.open.delete(file);
    this.open.set(file, fd);
    this.trim();
  }

  /**
   * A descriptor open on file `file`, opening it now if needed (and closing the least recently used
   * one beyond `capacity`). @returns the descriptor and whether it was opened by this call (so the
   * caller can check the file is still the one it indexed).
   * @throws as `fs.openSync` when the file cannot be opened again (deleted, permissions changed).
   */
  get(file: number): { fd: number; reopened: boolean } {
    const fd = this.open.get(file);
    if (fd !== undefined) {
      this.open.delete(file);
      this.open.set(file, fd);
      return { fd, reopened: false };
    }
    this.makeRoom();
    const fresh = this.opener.open(this.paths[file]);
    this.opened++;
    this.open.set(file, fresh);
    return { fd: fresh, reopened: true };
  }

  /**
   * Closes the least recently used descriptor when the pool is full, so that one more file can be
   * opened (by `get`, or by a caller that will `adopt` it) without exceeding `capacity`.
   */
  makeRoom(): void {
    this.trim(this.capacity - 1);
  }

  /** Closes the descriptor of file `file` if it is open (it is opened again on the next `get`). */
  forget(file: number): void {
    const fd = this.open.get(file);
    if (fd === undefined) return;
    this.open.delete(file);
    this.opener.close(fd);
  }

  /** Descriptors open now (at most `capacity`). */
  get size(): number {
    return this.open.size;
  }

  /** Files opened again after being closed to make room (or first opened by `get`). */
  get reopens(): number {
    return this.opened;
  }

  /** Closes every descriptor; the pool can still be used (files are opened again as read). */
  closeAll(): void {
    for (const fd of this.open.values()) this.opener.close(fd);
    this.open.clear();
  }

  private trim(limit = this.capacity): void {
    while (this.open.size > limit) {
      const [file, fd] = this.open.entries().next().value!;
      this.open.delete(file);
      this.opener.close(fd);
    }
  }
}
