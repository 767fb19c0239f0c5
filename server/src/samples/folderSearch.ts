/**
 * Searching a folder tree for files by name, for the command line's folder arguments (sample files
 * of `replay`, rule test files of `test`, rules of `check`): one unreadable folder is a problem of
 * its own, never the end of the search.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { describeFsError } from './fsErrors';

/** The outcome of {@link searchFolder}. */
export interface FolderSearchResult {
  /**
   * The files found, as paths relative to the folder with `/` as separator, sorted by UTF-16 code
   * units (the same order on every machine and file system).
   */
  files: string[];
  /** One `path: reason` per folder below (or the folder itself) that could not be read, in search order. */
  problems: string[];
}

/** What {@link searchFolder} looks for. */
export interface FolderSearchOptions {
  /** Whether a file with this name (no folder part) is wanted. */
  isWanted: (name: string) => boolean;
  /** Whether a folder with this name is left out, with everything below it (default: none). */
  skipFolder?: (name: string) => boolean;
}

/**
 * Searches `root` and every folder below it for wanted files. Symbolic links are followed (a link
 * to a file is a file, a link to a folder is searched); a folder reached again (through a link
 * cycle, or two links) is searched once; a dangling link is ignored. A folder that cannot be read
 * (no permission, removed meanwhile) is reported in `problems` with its own path, and the search
 * goes on.
 *
 * @param root the folder, as the user wrote it; reported paths are joined onto it.
 * @returns the files found and the problems; never throws for file system problems.
 */
export async function searchFolder(root: string, options: FolderSearchOptions): Promise<FolderSearchResult> {
  const files: string[] = [];
  const problems: string[] = [];
  await walk(root, '', options, files, problems, new Set());
  files.sort(compareCodeUnits);
  return { files, problems };
}

/** Collects `rel` paths (with `/`) of wanted files below `root`; `visited` holds real paths of folders. */
async function walk(root: string, rel: string, options: FolderSearchOptions, files: string[], problems: string[], visited: Set<string>): Promise<void> {
  const dir = rel === '' ? root : nodePath.join(root, ...rel.split('/'));
  let entries;
  try {
    const real = await fs.realpath(dir);
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
        continue; // A dangling link leads nowhere.
      }
    }
    if (isDir) {
      if (!options.skipFolder?.(entry.name)) await walk(root, childRel, options, files, problems, visited);
    } else if (isFile && options.isWanted(entry.name)) files.push(childRel);
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
