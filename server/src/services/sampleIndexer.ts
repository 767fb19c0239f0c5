/**
 * Learns the fields of the workspace's sample files in the background: the files matched by the
 * `eqlWorkbench.samples` glob under the workspace folder are read with the sample readers of
 * `samples/` (`openSampleContent` → `splitLines` → `decodeNdjsonLine`, the same steps as a
 * replay, so plain and gzip files, encodings and malformed lines are handled alike), and their
 * field statistics go into a {@link SampleFields}.
 *
 * Indexing never blocks a request: the reader gives the event loop back after every 32 KiB of
 * content, so a completion or hover waits at most for the parsing of those few events. Files are indexed one
 * at a time; a changed file is indexed again on its own (`update`), a deleted one dropped. A
 * sample open in the editor with unsaved edits is indexed from the editor's text instead of the
 * disk (`editorText`), until it is saved or closed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { openSampleContent, splitLines, textContent } from '../samples/lineReader';
import { decodeNdjsonLine } from '../samples/ndjson';
import { FileFieldStats, SampleFields } from '../schema/sampleFields';

/** Default of the `eqlWorkbench.samples` setting (as in package.json). */
export const DEFAULT_SAMPLES_GLOB = '**/*.{ndjson,jsonl}';
/** Bytes of sample content indexed between two turns of the event loop (about a hundred events). */
const INDEX_SLICE_BYTES = 32 * 1024;
/** Folders never searched for samples. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

/** Reads one sample file into field statistics, yielding to the event loop after each chunk. */
export async function indexSampleFile(file: string): Promise<FileFieldStats> {
  return indexSampleContent(await openSampleContent(file), file);
}

/**
 * Reads sample content (chunks of NDJSON bytes: a file's, or an editor's unsaved text) into field
 * statistics, yielding to the event loop after each chunk. Malformed lines are skipped.
 * @param file the file the content is of (for the decoder's messages).
 */
export async function indexSampleContent(content: AsyncIterable<Buffer>, file: string): Promise<FileFieldStats> {
  const stats = new FileFieldStats();
  async function* yielding(): AsyncGenerator<Buffer> {
    for await (const chunk of content) {
      // Slices of at most INDEX_SLICE_BYTES (no copy): a request waits for one slice's events at most.
      for (let at = 0; at < chunk.length; at += INDEX_SLICE_BYTES) {
        yield chunk.subarray(at, at + INDEX_SLICE_BYTES);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  await splitLines(yielding(), (bytes, line) => {
    const decoded = decodeNdjsonLine(bytes, file, line);
    if (decoded.event) stats.add(decoded.event.doc);
  });
  return stats;
}

/**
 * The sample files of a workspace folder matched by a glob (relative to the folder, `/`
 * separators), sorted; `node_modules` and `.git` skipped; symbolic links not followed.
 */
export async function findSampleFiles(root: string, glob: string): Promise<string[]> {
  const matches = picomatch(glob || DEFAULT_SAMPLES_GLOB, { dot: true });
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(e.name)) await walk(full);
      } else if (e.isFile() && matches(path.relative(root, full).split(path.sep).join('/'))) out.push(full);
    }
  };
  await walk(root);
  return out.sort();
}

/** The background indexer of one workspace. */
export class SampleIndexer {
  readonly fields = new SampleFields();
  private root: string | undefined;
  private glob = DEFAULT_SAMPLES_GLOB;
  private matches = picomatch(DEFAULT_SAMPLES_GLOB, { dot: true });
  /** Files waiting to be (re)indexed, in order; processed one at a time. */
  private readonly queue = new Set<string>();
  /** The unsaved editor text of open samples, indexed instead of their file on disk. */
  private readonly editorTexts = new Map<string, string>();
  private running: Promise<void> | undefined;

  /**
   * @param onChange told after each file is indexed or dropped (to re-check open documents).
   * @param onError told of a file that could not be read (`path: reason`).
   */
  constructor(
    private readonly onChange: () => void = () => undefined,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** Indexes every sample of `root` matched by `glob` (again, when either changed); the promise ends when all are done. */
  async configure(root: string | undefined, glob: string | undefined): Promise<void> {
    const g = glob || DEFAULT_SAMPLES_GLOB;
    if (root === this.root && g === this.glob) return this.idle();
    this.root = root;
    this.glob = g;
    this.matches = picomatch(g, { dot: true });
    for (const f of this.fields.fileNames()) this.fields.deleteFile(f);
    if (!root) return;
    for (const f of await findSampleFiles(root, g)) this.queue.add(f);
    // Open samples not yet saved to disk.
    for (const f of this.editorTexts.keys()) if (this.isSample(f)) this.queue.add(f);
    return this.kick();
  }

  /** A file was created or changed: indexed again when the glob matches it. */
  update(file: string): Promise<void> {
    if (!this.isSample(file)) return this.idle();
    this.queue.add(file);
    return this.kick();
  }

  /**
   * The editor's text of a sample file changed: with `text`, the file is indexed from that text
   * (its unsaved edits) from now on; with undefined (saved, reverted or closed), from the disk
   * again. Files the glob does not match are ignored. The promise ends when the queue is done.
   */
  editorText(file: string, text: string | undefined): Promise<void> {
    if (!this.isSample(file)) return this.idle();
    if (text === undefined) {
      if (!this.editorTexts.delete(file)) return this.idle();
    } else this.editorTexts.set(file, text);
    this.queue.add(file);
    return this.kick();
  }

  /** A file was deleted. */
  remove(file: string): void {
    this.queue.delete(file);
    this.fields.deleteFile(file);
    this.onChange();
  }

  /** Resolves when nothing is waiting to be indexed. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private isSample(file: string): boolean {
    if (!this.root) return false;
    const rel = path.relative(this.root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
    const parts = rel.split(path.sep);
    return !parts.some((p) => SKIPPED_FOLDERS.has(p)) && this.matches(parts.join('/'));
  }

  private kick(): Promise<void> {
    this.running ??= (async () => {
      try {
        while (this.queue.size > 0) {
          const file = this.queue.values().next().value as string;
          this.queue.delete(file);
          try {
            const text = this.editorTexts.get(file);
            this.fields.setFile(file, await (text === undefined ? indexSampleFile(file) : indexSampleContent(textContent(text), file)));
          } catch (e) {
            this.fields.deleteFile(file);
            // A file that is gone (an unsaved sample closed without saving) is simply dropped.
            if ((e as NodeJS.ErrnoException)?.code !== 'ENOENT') this.onError(`${file}: ${(e as Error)?.message ?? e}`);
          }
          this.onChange();
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
