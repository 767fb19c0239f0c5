/**
 * Expanding sample arguments (files and folders) into the list of NDJSON files to replay.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import picomatch from 'picomatch';
import { describeFsError } from './fsErrors';

/** Re-exported: `services/replayService.ts` imports it from here. */
export { describeFsError };

/** File names searched for inside folders: NDJSON and JSON Lines, plain or gzip-compressed, matched whatever the letter case. */
export const SAMPLE_FILE_GLOB = '*.{ndjson,jsonl,ndjson.gz,jsonl.gz}';

// Case-insensitive: `A.NDJSON` written on Windows is a sample file on every system.
const isSampleFileName = picomatch(SAMPLE_FILE_GLOB, { dot: true, nocase: true });

/** The outcome of {@link discoverSampleFiles}. */
export interface DiscoveryResult {
  /** Files to read, in replay order; each path as given, or joined onto the folder as given. */
  files: string[];
  /** One readable message per argument that could not be used (`path: reason`). */
  errors: string[];
}

/**
 * Expands command-line sample arguments into files.
 *
 * - A file argument is used as given, whatever its extension, in argument order.
 * - A folder argument is searched recursively for `*.ndjson` and `*.jsonl` files, in any letter case
 *   (`A.NDJSON`, `b.JsonL`), hidden ones too;
 *   the files found are ordered by their path relative to the folder, compared by UTF-16 code units
 *   with `/` as separator, so the order is the same on every machine and file system.
 * - A file reached twice (given twice, or also found in a folder) is kept at its first place only,
 *   so no event is replayed twice. Symbolic links are followed; a folder reached again through a
 *   link cycle is not searched again.
 * - A missing path, an unreadable folder or a folder with no sample file is reported in `errors`
 *   (`path: reason`), and the other arguments are still expanded.
 *
 * @param args paths as written by the user (relative to the working directory, or absolute).
 * @returns the files and the errors; never throws for file system problems.
 */
export async function discoverSampleFiles(args: readonly string[]): Promise<DiscoveryResult> {
  const result: DiscoveryResult = { files: [], errors: [] };
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = nodePath.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    result.files.push(file);
  };
  for (const arg of args) {
    let stat;
    try {
      stat = await fs.stat(arg);
    } catch (e) {
      result.errors.push(`${arg}: ${describeFsError(e)}`);
      continue;
    }
    if (stat.isDirectory()) {
      const { files, problems } = await searchFolder(arg, { wanted: (name) => isSampleFileName(name) });
      result.errors.push(...problems);
      if (files.length === 0 && problems.length === 0) {
        result.errors.push(`${arg}: no sample files (${SAMPLE_FILE_GLOB}) found in this folder`);
      }
      files.forEach(add);
    } else {
      add(arg);
    }
  }
  return result;
}

/** What {@link searchFolder} looks for. */
export interface FolderSearch {
  /**
   * Whether a file is wanted, by its name (no folder part) and by its path relative to the searched
   * folder (`/` as separator, as globs are written).
   */
  wanted: (name: string, relPath: string) => boolean;
  /** Folders not searched, by name (`node_modules`, say); default: none. */
  skipFolder?: (name: string) => boolean;
}

/**
 * Searches a folder recursively for the files `search` wants. Symbolic links are followed (to
 * files and to folders); a folder reached again through a link cycle is not searched again; a
 * dangling link is passed over. A sub-folder that cannot be read is one problem, and the search
 * goes on with the others.
 *
 * @param folder the folder, as written by the user.
 * @param search which files are wanted and which folders skipped.
 * @returns the files (joined onto `folder` as given), ordered by their path relative to `folder`
 *   compared by UTF-16 code units with `/` as separator (the same order on every machine), and one
 *   `path: reason` per folder that could not be read; never throws for file system problems.
 */
export async function searchFolder(folder: string, search: FolderSearch): Promise<{ files: string[]; problems: string[] }> {
  const found: string[] = [];
  const problems: string[] = [];
  await walk(folder, '', search, found, problems, new Set());
  found.sort(compareCodeUnits);
  return { files: found.map((rel) => nodePath.join(folder, ...rel.split('/'))), problems };
}

/** Collects `rel` paths (with `/`) of wanted files below `root`; `visited` holds real paths of folders. */
async function walk(root: string, rel: string, search: FolderSearch, found: string[], problems: string[], visited: Set<string>): Promise<void> {
  const dir = rel === '' ? root : nodePath.join(root, ...rel.split('/'));
  let real: string;
  let entries;
  try {
    real = await fs.realpath(dir);
    if (visited.has(real)) return;
    visited.add(real);
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    problems.push(`${dir}: ${describeFsError(e)}`);
    return;
  }
  for (const entry of entries) {
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await fs.stat(nodePath.join(dir, entry.name));
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue; // A dangling link is not a sample file.
      }
    }
    if (isDir) {
      if (!search.skipFolder?.(entry.name)) await walk(root, childRel, search, found, problems, visited);
    } else if (isFile && search.wanted(entry.name, childRel)) found.push(childRel);
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
