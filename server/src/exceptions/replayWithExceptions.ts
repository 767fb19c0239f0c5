/**
 * A replay with exception items applied as Kibana applies them (see `applyExceptions.ts`): the
 * items leave events out before the rule runs; the replay without them tells which matches each item
 * removed. Shared by `replay --exceptions`, `test`, and the editor's replay.
 */
import type { Statement } from '../eql/ast';
import { replay, type ReplayRunOptions } from '../engine/replay';
import type { EventRecord, ReplayResult } from '../engine/types';
import { matchToJson, type MatchJson } from '../cli/matchJson';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { exceptionEffects, filterEvents, type ExceptionEffects } from './applyExceptions';
import type { ExceptionItem } from './exceptionItem';
import { getFieldValues } from '../engine/fields';
import { SUMMARY_FIELDS } from '../cli/matchText';
import type { Match } from '../engine/types';

/**
 * Replays over the events the items leave, and over all events to compare.
 * @param statement a statement `analyze()` accepted.
 * @param events events in input order.
 * @param options replay options.
 * @param items exception items (expired ones are not applied).
 * @returns the matches with the exceptions applied, the engine's warnings, the effects per item, and
 *   the events kept (input order).
 * @throws what `replay` throws.
 */
export function replayWithExceptions(
  statement: Statement,
  events: readonly EventRecord[],
  options: ReplayRunOptions,
  items: readonly ExceptionItem[],
): ReplayResult & { effects: ExceptionEffects; kept: EventRecord[] } {
  const without = replay(statement, events, options);
  const { kept, filter } = filterEvents(events, items);
  const withExceptions = replay(statement, kept, options);
  return {
    matches: withExceptions.matches,
    warnings: without.warnings,
    effects: exceptionEffects(without.matches, withExceptions.matches, filter),
    kept,
  };
}

function eventsText(match: Match): string {
  return match.events
    .flatMap((e) => {
      if (!e.event) return [];
      const fields: string[] = [];
      for (const name of SUMMARY_FIELDS) {
        if (fields.length >= 3) break;
        const values = getFieldValues(e.event.doc, name);
        if (values.length > 0) fields.push(`${name}=${values.map(String).join(',')}`);
      }
      return [[`${e.event.source.file}:${e.event.source.line}`, ...fields].join(' ')];
    })
    .join(' → ');
}

/**
 * The readable lines of what the exceptions did: per item its name, where it was read, how many
 * events it left out and the matches it removed; then matches removed with no excluded event of
 * their own, and matches that appear only with the exceptions. Control characters are escaped.
 */
export function formatExceptionEffects(fx: ExceptionEffects): string[] {
  const lines: string[] = [];
  for (const r of fx.removedByItem) {
    const name = escapeControlCharacters(r.item.name);
    if (r.expired) {
      lines.push(`exception "${name}": expired (${r.item.expireTime}), not applied`);
      continue;
    }
    const where = escapeControlCharacters(`${r.item.source.file}:${r.item.source.line}`);
    lines.push(`exception "${name}" (${where}): left out ${r.events} event${r.events === 1 ? '' : 's'}, removed ${r.removed.length} match${r.removed.length === 1 ? '' : 'es'}`);
    for (const m of r.removed) lines.push(`  ${escapeControlCharacters(eventsText(m))}`);
  }
  for (const m of fx.removedIndirectly) lines.push(`removed with no excluded event of its own: ${escapeControlCharacters(eventsText(m))}`);
  for (const m of fx.added) lines.push(`new with the exceptions: ${escapeControlCharacters(eventsText(m))}`);
  return lines;
}

/** The JSON shape of the effects (`replay --format json --exceptions`: one final `{"type":"exceptions",…}` line). */
export interface ExceptionEffectsJson {
  type: 'exceptions';
  items: Array<{ name: string; file: string; line: number; expired: boolean; events_left_out: number; removed: MatchJson[] }>;
  removed_indirectly: MatchJson[];
  added: MatchJson[];
}

/** Converts the effects to {@link ExceptionEffectsJson}. */
export function exceptionEffectsToJson(fx: ExceptionEffects): ExceptionEffectsJson {
  return {
    type: 'exceptions',
    items: fx.removedByItem.map((r) => ({
      name: r.item.name,
      file: r.item.source.file,
      line: r.item.source.line,
      expired: r.expired,
      events_left_out: r.events,
      removed: r.removed.map(matchToJson),
    })),
    removed_indirectly: fx.removedIndirectly.map(matchToJson),
    added: fx.added.map(matchToJson),
  };
}
