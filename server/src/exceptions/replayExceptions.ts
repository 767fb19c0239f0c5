/**
 * Exceptions in the editor's replay (`eqlWorkbench/replay` with `exceptionUris`): reading the files
 * named by URI, and the per-item effects in the protocol's shape.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Match } from '../engine/types';
import type { ReplayExceptionEffect, ReplayMatch } from '../protocol';
import { ExceptionFilter, exceptionEffects } from './applyExceptions';
import { formatExceptionProblem, readExceptionFiles } from './readExceptionFile';

/**
 * Reads exception files given as `file:` URIs.
 * @returns the filter (undefined when no file is named), and one warning per problem (`file:line: message`;
 *   an item with a problem is not applied, the others are).
 */
export async function exceptionFilterForUris(uris: readonly string[] | undefined): Promise<{ filter?: ExceptionFilter; warnings: string[] }> {
  if (!uris || uris.length === 0) return { warnings: [] };
  const warnings: string[] = [];
  const paths: string[] = [];
  for (const uri of uris) {
    try {
      paths.push(fileURLToPath(uri));
    } catch {
      warnings.push(`${uri}: not a file URI; exception file skipped`);
    }
  }
  const read = await readExceptionFiles(paths);
  warnings.push(...read.problems.map((p) => `exceptions: ${formatExceptionProblem(p)}`));
  return { filter: new ExceptionFilter(read.items), warnings };
}

/**
 * The effects of the exceptions, per item, with matches converted by `toReplayMatch`.
 * @param without matches over every event; @param withExceptions matches over the events left.
 */
export function replayExceptionEffects(
  without: readonly Match[],
  withExceptions: readonly Match[],
  filter: ExceptionFilter,
  toReplayMatch: (m: Match) => ReplayMatch,
): ReplayExceptionEffect[] {
  const fx = exceptionEffects(without, withExceptions, filter);
  return fx.removedByItem.map((r) => ({
    name: r.item.name,
    uri: pathToFileURL(r.item.source.file).toString(),
    line: r.item.source.line,
    expired: r.expired,
    eventsLeftOut: r.events,
    removed: r.removed.map(toReplayMatch),
  }));
}
