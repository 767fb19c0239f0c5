/**
 * Expanding the `samples` of a rule test (files, folders and globs, relative to the test file's
 * folder) into sample files. Globs are picomatch's (`**`, `*`, `?`, `{a,b}`, `[…]`); files and
 * folders are expanded as on the command line (`discoverSampleFiles`).
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { inFolder } from './testFile';
import picomatch from 'picomatch';
import { discoverSampleFiles } from '../samples/discover';
import { describeFsError } from '../samples/fsErrors';

/**
 * Expands sample patterns.
 *
 * @param patterns as written in the test file.
 * @param baseDir the test file's folder; patterns are relative to it (absolute ones are kept).
 * @returns the files in pattern order (each glob's files in sorted path order, no file twice), and
 *   one `pattern: reason` error per pattern that gave nothing (a missing file, a glob matching no file).
 */
export async function expandSamplePatterns(patterns: readonly string[], baseDir: string): Promise<{ files: string[]; errors: string[] }> {
  const files: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = nodePath.resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  for (const pattern of patterns) {
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob) {
      const found = await discoverSampleFiles([inFolder(baseDir, pattern)]);
      errors.push(...found.errors);
      found.files.forEach(add);
      continue;
    }
    const base = inFolder(baseDir, scan.base);
    const isMatch = picomatch(scan.glob, { dot: false });
    const found: string[] = [];
    try {
      await walk(base, '', isMatch, found);
    } catch (e) {
      errors.push(`${pattern}: ${describeFsError(e)}`);
      continue;
    }
    if (found.length === 0) errors.push(`${pattern}: no file matches this pattern (in ${base})`);
    found.sort();
    for (const rel of found) add(nodePath.join(base, rel));
  }
  return { files, errors };
}

async function walk(root: string, rel: string, isMatch: (p: string) => boolean, found: string[]): Promise<void> {
  const entries = await fs.readdir(rel === '' ? root : nodePath.join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    if (entry.isDirectory()) await walk(root, childRel, isMatch, found);
    else if ((entry.isFile() || entry.isSymbolicLink()) && isMatch(childRel)) found.push(childRel);
  }
}
