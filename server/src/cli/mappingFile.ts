/**
 * Reading the `--mapping FILE` option: an Elasticsearch index mapping in JSON (the body of
 * `GET <index>/_mapping`, or just its `mappings` / `properties` object).
 */
import { promises as fs } from 'node:fs';
import { loadMapping, type FieldMapping } from '../engine/mapping';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { describeFsError } from '../samples/fsErrors';

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
