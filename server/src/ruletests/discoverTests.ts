/**
 * Finding rule test files (`*.test.toml`) among command-line arguments: a file is taken as given,
 * a folder is searched recursively as sample folders are (`searchFolder`: links followed, each
 * unreadable sub-folder reported on its own), `node_modules` and `.git` skipped, in sorted path order.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { searchFolder } from '../samples/discover';
import { describeFsError } from '../samples/fsErrors';
import { isRuleTestFileName } from './testFile';

/**
 * @param args files and folders as written by the user.
 * @returns the test files, and one `path: reason` per argument that could not be used (missing, or a
 *   folder without test files) and per sub-folder that could not be read (the files found elsewhere
 *   are still returned).
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
    let found: string[] = [arg];
    if (stat.isDirectory()) {
      const searched = await searchFolder(arg, { wanted: isRuleTestFileName, skipFolder: (name) => name === 'node_modules' || name === '.git' });
      errors.push(...searched.problems);
      if (searched.files.length === 0 && searched.problems.length === 0) errors.push(`${arg}: no rule test files (*.test.toml) in this folder`);
      found = searched.files;
    }
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
