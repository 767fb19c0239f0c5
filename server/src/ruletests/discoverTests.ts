/**
 * Finding rule test files (`*.test.toml`) among command-line arguments: a file is taken as given,
 * a folder is searched recursively (`node_modules` and `.git` skipped), in sorted path order.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { describeFsError } from '../samples/fsErrors';
import { isRuleTestFileName } from './testFile';

/**
 * @param args files and folders as written by the user.
 * @returns the test files, and one `path: reason` per argument that could not be used (missing, or a
 *   folder without test files).
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
    const found: string[] = [];
    if (stat.isDirectory()) {
      try {
        await walk(arg, found);
      } catch (e) {
        errors.push(`${arg}: ${describeFsError(e)}`);
        continue;
      }
      if (found.length === 0) errors.push(`${arg}: no rule test files (*.test.toml) in this folder`);
      found.sort();
    } else found.push(arg);
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

async function walk(dir: string, found: string[]): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const path = nodePath.join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, found);
    else if (entry.isFile() && isRuleTestFileName(entry.name)) found.push(path);
  }
}
