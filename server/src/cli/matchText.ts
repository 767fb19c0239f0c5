/**
 * The readable form of `eql-workbench replay` output (without `--format json`): per match a header
 * with its number, type and join keys, then one line per event with its stage, `file:line`,
 * timestamp, category and a few key ECS fields; a total line closes the output.
 *
 * Event values and file names come from the samples, which an attacker may have written: control
 * characters in them are escaped (`\x1b`, `\n`, `\u200b`, see `escapeControlCharacters`), and values
 * with spaces, `=` or `,` are quoted, so an event can neither drive the terminal, nor fake an output
 * line, nor show a field it does not have.
 */
import { getFieldValues } from '../engine/fields';
import type { FieldMapping } from '../engine/mapping';
import type { Match } from '../engine/types';
import { escapeControlCharacters } from '../samples/controlCharacters';
import { plural } from '../samples/text';
import { stringifyExact } from '../engine/values';

/** ECS fields shown for each event when present, in this order (at most {@link MAX_FIELDS}). */
export const SUMMARY_FIELDS = [
  'event.action',
  'process.name',
  'process.parent.name',
  'source.ip',
  'destination.ip',
  'destination.port',
  'user.name',
] as const;

const MAX_FIELDS = 5;

/** Field names used to read the timestamp and category shown for each event. */
export interface SummaryFields {
  timestampField: string;
  eventCategoryField: string;
  mapping?: FieldMapping;
}

/**
 * Formats one match as text lines (no trailing newline), control characters escaped.
 *
 * @param match the match.
 * @param index 1-based position of the match in the output.
 * @param fields where to read the timestamp and category.
 */
export function formatMatchText(match: Match, index: number, fields: SummaryFields): string[] {
  const header = [`#${index} ${match.type}`];
  if (match.type !== 'event') header.push(`join keys: ${stringifyExact(match.joinKeys ?? [])}`);
  const lines = [header.join('  ')];
  for (const e of match.events) {
    // Stages are numbered from 1, as in the editor's results view and decorations.
    const stage = match.type === 'event' ? '' : `stage ${e.stage + 1}  `;
    if (e.missing || !e.event) {
      lines.push(`  ${stage}(missing event)`);
      continue;
    }
    const doc = e.event.doc;
    const parts = [`${e.event.source.file}:${e.event.source.line}`];
    parts.push(formatTimestamp(getFieldValues(doc, fields.timestampField, fields.mapping)));
    const category = getFieldValues(doc, fields.eventCategoryField, fields.mapping);
    parts.push(category.length > 0 ? category.map(formatValue).join(',') : '-');
    const shown: string[] = [];
    for (const name of SUMMARY_FIELDS) {
      if (shown.length >= MAX_FIELDS) break;
      const values = getFieldValues(doc, name, fields.mapping);
      if (values.length > 0) shown.push(`${name}=${values.map(formatValue).join(',')}`);
    }
    if (shown.length > 0) parts.push(shown.join(' '));
    lines.push(`  ${stage}${parts.join('  ')}`);
  }
  return lines.map(escapeControlCharacters);
}

/**
 * Formats the closing line, e.g. `2 matches (2 sequences); 57 events read from 4 files`.
 * @param matches the matches returned.
 * @param events number of events read; @param files number of sample files read.
 */
export function formatTotalLine(matches: readonly Match[], events: number, files: number): string {
  const byType = new Map<string, number>();
  for (const m of matches) byType.set(m.type, (byType.get(m.type) ?? 0) + 1);
  const kinds = [...byType].map(([type, n]) => plural(n, type)).join(', ');
  const total = plural(matches.length, 'match', 'matches');
  return `${total}${kinds ? ` (${kinds})` : ''}; ${plural(events, 'event')} read from ${plural(files, 'file')}`;
}

/** Shows a timestamp as written; epoch milliseconds also in ISO 8601 so they can be read. */
function formatTimestamp(values: unknown[]): string {
  if (values.length === 0) return '-';
  const v = values[0];
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? String(v) : `${v} (${d.toISOString()})`;
  }
  return formatValue(v);
}

/**
 * A value as shown after `field=`: strings as written, but in double quotes when they are
 * empty or hold a space, `=`, `,` (the separator of several values), a quote or a character that
 * is escaped anyway, so that `lsass.exe process.name=x` cannot read as another field.
 */
function formatValue(v: unknown): string {
  if (typeof v !== 'string') return stringifyExact(v);
  // Quotes inside are escaped; backslashes stay as written (Windows paths), and control characters
  // are escaped with the whole line.
  return v === '' || NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '\\"')}"` : v;
}

/** Whitespace (any Unicode space), `=`, `,`, `"`, and the characters `escapeControlCharacters` escapes. */
const NEEDS_QUOTES = /[\s=,"\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
