/**
 * Finding rule test files (`*.test.toml`) among command-line arguments: a file is taken as given,
 * a folder is searched recursively (`node_modules` and `.git` skipped, symbolic links followed) in
 * sorted path order, as sample folders are (`samples/folderSearch.ts`).
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { searchFolder } from '../samples/folderSearch';
import { describeFsError } from '../samples/fsErrors';
import { isRuleTestFileName } from './testFile';

/** Folders never searched for test files: dependencies and version control. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git']);

/**
 * @param args files and folders as written by the user.
 * @returns the test files (each file argument as given; files found in a folder joined onto it,
 *   sorted by their path below it; a file reached twice kept once), and one `path: reason` per
 *   path that could not be used: a missing argument, a folder (the argument or one below it) that
 *   cannot be read — the test files found elsewhere are still returned — or a folder without test
 *   files. Never throws for file system problems.
 */
export async function discoverTestFiles(args: readonly string[]): Promise<{ files: string[]; errors: string[] }> {
  const files: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    let stat;
    try {
      stat = await fs.stat(arg);
    } catch (e) {
      errors.push(`${arg}: ${describeFsError(e)}`);
      continue;
    }
    let found: string[];
    if (stat.isDirectory()) {
      const searched = await searchFolder(arg, { isWanted: isRuleTestFileName, skipFolder: (name) => SKIPPED_FOLDERS.has(name) });
      errors.push(...searched.problems);
      if (searched.files.length === 0 && searched.problems.length === 0) errors.push(`${arg}: no rule test files (*.test.toml) in this folder`);
      found = searched.files.map((rel) => nodePath.join(arg, ...rel.split('/')));
    } else found = [arg];
    for (const f of found) {
      const key = nodePath.resolve(f);
      if (!seen.has(key)) {
        seen.add(key);
        files.push(f);
      }
    }
  }
  return { files, errors };
}
