/**
 * Reading the `--exceptions FILE` option (repeatable) of `replay` and `test`: exception files as
 * Kibana exports them (`.ndjson`) or hand-written (`.toml`), see `exceptions/readExceptionFile.ts`.
 */
import type { ExceptionItem } from '../exceptions/exceptionItem';
import { formatExceptionProblem, readExceptionFiles } from '../exceptions/readExceptionFile';
import { escapeControlCharacters } from '../samples/controlCharacters';
import type { CliIo } from './io';

/**
 * @param paths the option's values (undefined or empty: no exceptions).
 * @param io where problems go (stderr, `file:line: message`).
 * @returns the items; undefined without the option; null after printing problems (any problem makes
 *   the input unusable: the command exits 2 rather than replay with part of the exceptions).
 */
export async function readExceptionsOption(paths: readonly string[] | undefined, io: CliIo): Promise<ExceptionItem[] | undefined | null> {
  if (!paths || paths.length === 0) return undefined;
  const read = await readExceptionFiles(paths);
  for (const p of read.problems) io.stderr(`${escapeControlCharacters(formatExceptionProblem(p))}\n`);
  return read.problems.length > 0 ? null : read.items;
}

/** Commander's collector for a repeatable option: `--exceptions a --exceptions b`. */
export function collectRepeated(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
