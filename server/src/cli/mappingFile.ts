/**
 * Reading the `--mapping FILE` option: an Elasticsearch index mapping in JSON (the body of
 * `GET <index>/_mapping`, or just its `mappings` / `properties` object).
 */
import { promises as fs } from 'node:fs';
import { loadMapping, type FieldMapping } from '../engine/mapping';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { describeFsError } from '../samples/fsErrors';
import type { CliIo } from './io';

/**
 * Reads and loads a mapping file.
 * @param path the file as written by the user.
 * @returns `{ mapping }`, or `{ error }` as `path: cannot use as mapping: reason` (control characters
 *   escaped: the reason may quote the file); never throws.
 */
export async function readMappingFile(path: string): Promise<{ mapping: FieldMapping; error?: undefined } | { mapping?: undefined; error: string }> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    return { error: escapeControlCharacters(`${path}: cannot use as mapping: ${describeFsError(e)}`) };
  }
  try {
    return { mapping: loadMapping(text) };
  } catch (e) {
    return { error: escapeControlCharacters(`${path}: cannot use as mapping: ${(e as Error).message}`) };
  }
}

/**
 * Reads the `--mapping FILE` option of a command, when given.
 * @param path the option's value, or undefined when the option is absent.
 * @param io where the reason goes (stderr) when the file cannot be used.
 * @returns `{ mapping }` (`mapping` undefined without the option), or undefined after the error was
 *   printed: the command then exits with its usage-error code (2).
 */
export async function readMappingOption(path: string | undefined, io: CliIo): Promise<{ mapping?: FieldMapping } | undefined> {
  if (path === undefined) return {};
  const read = await readMappingFile(path);
  if (read.error !== undefined) {
    io.stderr(`${read.error}\n`);
    return undefined;
  }
  return { mapping: read.mapping };
}
