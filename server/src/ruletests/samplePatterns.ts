/**
 * Expanding the `samples` of a rule test (files, folders and globs, relative to the test file's
 * folder) into sample files. Globs are picomatch's (`**`, `*`, `?`, `{a,b}`, `[…]`); files and
 * folders are expanded as on the command line (`discoverSampleFiles`), and a glob's folder is
 * searched as sample folders are (`searchFolder`: links followed, an unreadable sub-folder reported
 * on its own while the rest is still searched).
 */
import * as nodePath from 'node:path';
import { inFolder } from './testFile';
import picomatch from 'picomatch';
import { discoverSampleFiles, searchFolder } from '../samples/discover';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

/**
 * Expands sample patterns.
 *
 * @param patterns as written in the test file.
 * @param baseDir the test file's folder; patterns are relative to it (absolute ones are kept).
 * @returns the files in pattern order (each glob's files in sorted path order, no file twice);
 *   `errors`: for each pattern that gave no file, why (a missing file, a glob matching no file, the
 *   folders that could not be read); `warnings`: for a pattern that gave files, each sub-folder that
 *   could not be read (`folder: reason`, prefixed with `pattern: ` for a glob), its other files kept.
 */
export async function expandSamplePatterns(patterns: readonly string[], baseDir: string): Promise<{ files: string[]; errors: string[]; warnings: string[] }> {
  const files: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
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
      (found.files.length > 0 ? warnings : errors).push(...found.errors);
      found.files.forEach(add);
      continue;
    }
    const base = inFolder(baseDir, scan.base);
    const isMatch = picomatch(scan.glob, { dot: false });
    const found = await searchFolder(base, { wanted: (_name, relPath) => isMatch(relPath), skipFolder: (name) => SKIPPED_FOLDERS.has(name) });
    (found.files.length > 0 ? warnings : errors).push(...found.problems.map((problem) => `${pattern}: ${problem}`));
    if (found.files.length === 0 && found.problems.length === 0) errors.push(`${pattern}: no file matches this pattern (in ${base})`);
    found.files.forEach(add);
  }
  return { files, errors, warnings };
}
