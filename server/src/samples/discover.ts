/**
 * Expanding sample arguments (files and folders) into the list of NDJSON files to replay.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import picomatch from 'picomatch';
import { describeFsError } from './fsErrors';
import { searchFolder } from './folderSearch';

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
      const { files: found, problems } = await searchFolder(arg, { isWanted: isSampleFileName });
      result.errors.push(...problems);
      if (found.length === 0 && problems.length === 0) {
        result.errors.push(`${arg}: no sample files (${SAMPLE_FILE_GLOB}) found in this folder`);
      }
      for (const rel of found) add(nodePath.join(arg, ...rel.split('/')));
    } else {
      add(arg);
    }
  }
  return result;
}
