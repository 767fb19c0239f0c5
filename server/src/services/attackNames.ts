/**
 * The ATT&CK names the workspace's rules give to tactic and technique ids (`T1021` → `Remote
 * Services`), so a rule's hover can name an id its own table leaves unnamed, and a name that
 * disagrees with the other rules can be flagged (services/attackThreat.ts). There is no offline
 * ATT&CK data to read instead; the rules of a detection-rules checkout name every id they use.
 *
 * The workspace's `*.toml` files are read once in the background (one file per turn of the event
 * loop, so requests are never held up), and an open document's text replaces its file's entry as
 * it is edited.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attackNamesOf, type AttackNameSource } from './attackThreat';
import { findSampleFiles } from './sampleIndexer';

/** Files larger than this (bytes) are not rules and are skipped. */
const MAX_RULE_FILE_BYTES = 1024 * 1024;

/** Id → name of every rule file read, keyed by file path. */
export class AttackNameIndex implements AttackNameSource {
  private readonly byFile = new Map<string, Map<string, string>>();

  /** Reads the names of one file's text (a path, or a `file:` URI of an open document). */
  set(file: string, text: string): void {
    const names = attackNamesOf(text);
    if (names.size) this.byFile.set(toPath(file), names);
    else this.byFile.delete(toPath(file));
  }

  /** Forgets a file. */
  remove(file: string): void {
    this.byFile.delete(toPath(file));
  }

  /**
   * Reads every `*.toml` file under `root` (`node_modules` and `.git` skipped), one per turn of
   * the event loop. Unreadable or oversized files are skipped. Resolves when done.
   */
  async indexFolder(root: string): Promise<void> {
    for (const file of await findSampleFiles(root, '**/*.toml')) {
      try {
        const stat = await fs.stat(file);
        if (stat.size <= MAX_RULE_FILE_BYTES && !this.byFile.has(file)) this.set(file, await fs.readFile(file, 'utf8'));
      } catch {
        // A file gone or unreadable meanwhile names nothing.
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The names rules other than `except` (a path or `file:` URI) give `id`, most rules first, then by name. */
  namesOf(id: string, except?: string): Array<{ name: string; rules: number }> {
    const skip = except === undefined ? undefined : toPath(except);
    const counts = new Map<string, number>();
    for (const [file, names] of this.byFile) {
      if (file === skip) continue;
      const name = names.get(id);
      if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts]
      .map(([name, rules]) => ({ name, rules }))
      .sort((a, b) => b.rules - a.rules || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function toPath(file: string): string {
  if (!file.startsWith('file:')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    return file;
  }
}
