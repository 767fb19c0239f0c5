/**
 * Event ordering the way Elasticsearch EQL orders hits: by timestamp, then by the tiebreaker field
 * (events without a tiebreaker value sort after those with one), then by the implicit tiebreaker
 * (Elasticsearch's `_shard_doc`; here: input order — files in the order given, lines in file order).
 *
 * Source: `x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/execution/search/Ordinal.java`
 * (`compareTo`) and the "EQL search" docs ("Specify a sort tiebreaker").
 */
import { compareNumeric, isNumeric } from './values';

/** Position of one event in the ordered stream. */
export interface Ordinal {
  /** Epoch milliseconds: whole for a `date` field; with fractions below the millisecond for `date_nanos`. */
  timestamp: number;
  /** Value of the tiebreaker field; `undefined` when there is no tiebreaker or no value. */
  tiebreaker?: number | bigint | string | boolean;
  /** Input position (0-based): the implicit tiebreaker. */
  index: number;
}

const ISO_DATE =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?)?$/;

/**
 * Parses an ISO 8601 date (`strict_date_optional_time`): `yyyy[-MM[-dd[THH[:mm[:ss[.fraction]]]][offset]]]`.
 * A date-time without an offset is UTC, as in Elasticsearch.
 * @returns epoch milliseconds (fractional below the millisecond), or undefined when not a valid date.
 */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCMonth() !== month - 1) return undefined; // e.g. 2023-02-30
  let millis = date.getTime() + fraction;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
    millis -= sign * offsetMinutes * 60_000;
  }
  return millis;
}

const JODA_TOKEN = /(yyyy|uuuu|yy|MM|dd|HH|mm|ss|SSS|'[^']*'|.)/g;

/**
 * Parses a date written in a simple custom `format` of an Elasticsearch date mapping
 * (`dd-MM-yyyy`, `yyyy/MM/dd HH:mm:ss`, …; letters `yyyy uuuu yy MM dd HH mm ss SSS`, quoted literals).
 * Named formats other than the defaults are not supported. A date whose fields are out of range
 * (month 13, 30 February, hour 24) is not a date, as with java.time's strict resolving.
 * @returns epoch milliseconds (UTC), or undefined when the text does not fit the format.
 */
export function parseDateWithFormat(text: string, format: string): number | undefined {
  return compileDateFormat(format)?.(text);
}

/**
 * Compiles a custom date `format` (see {@link parseDateWithFormat}) into a parser of texts.
 * @returns the parser (text → epoch milliseconds, or undefined when the text does not fit), or
 * undefined when the format uses a letter this reader does not support.
 */
function compileDateFormat(format: string): ((text: string) => number | undefined) | undefined {
  let pattern = '';
  const fields: string[] = [];
  for (const tok of format.match(JODA_TOKEN) ?? []) {
    switch (tok) {
      case 'yyyy':
      case 'uuuu':
        pattern += '(\\d{4})';
        fields.push('y');
        break;
      case 'yy':
        pattern += '(\\d{2})';
        fields.push('yy');
        break;
      case 'MM':
        pattern += '(\\d{2})';
        fields.push('M');
        break;
      case 'dd':
        pattern += '(\\d{2})';
        fields.push('d');
        break;
      case 'HH':
        pattern += '(\\d{2})';
        fields.push('H');
        break;
      case 'mm':
        pattern += '(\\d{2})';
        fields.push('m');
        break;
      case 'ss':
        pattern += '(\\d{2})';
        fields.push('s');
        break;
      case 'SSS':
        pattern += '(\\d{3})';
        fields.push('S');
        break;
      default: {
        const literal = tok.startsWith("'") && tok.length > 1 ? tok.slice(1, -1) : tok;
        if (/[A-Za-z]/.test(literal) && !tok.startsWith("'")) return undefined; // unsupported letter
        pattern += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
    }
  }
  const regex = new RegExp(`^${pattern}$`);
  return (text) => {
    const m = regex.exec(text);
    if (!m) return undefined;
    const parts: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
    fields.forEach((f, i) => {
      const n = Number(m[i + 1]);
      if (f === 'yy') parts.y = 2000 + n;
      else parts[f] = n;
    });
    // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as written.
    const date = new Date(0);
    date.setUTCFullYear(parts.y, parts.M - 1, parts.d);
    date.setUTCHours(parts.H, parts.m, parts.s, parts.S);
    // Out-of-range fields roll over (month 13 → next January): such a text is not a date.
    const readBack =
      date.getUTCFullYear() === parts.y &&
      date.getUTCMonth() === parts.M - 1 &&
      date.getUTCDate() === parts.d &&
      date.getUTCHours() === parts.H &&
      date.getUTCMinutes() === parts.m &&
      date.getUTCSeconds() === parts.s;
    return readBack ? date.getTime() : undefined;
  };
}

/** How a timestamp value is read: value → epoch milliseconds, or undefined when not a date. */
export type TimestampParser = (value: unknown) => number | undefined;

const DEFAULT_FORMATS = /^(strict_)?date_optional_time(\|\|epoch_millis)?$|^epoch_millis$/;
const EPOCH_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Compiles the date `format` of a mapping (`||`-separated alternatives) once, for reading many
 * values (see {@link parseTimestamp} for the rules).
 * @param format the mapped `format`, or undefined for `strict_date_optional_time||epoch_millis`.
 * @returns the parser; never throws.
 */
export function timestampParser(format?: string): TimestampParser {
  if (format === undefined || DEFAULT_FORMATS.test(format)) return (value) => readTimestamp(value, readDefaultDate);
  const alternatives = format.split('||').map((f): ((text: string) => number | undefined) | undefined => {
    if (f === 'epoch_millis') return (text) => (EPOCH_NUMBER.test(text) ? Number(text) : undefined);
    if (f === 'epoch_second') return (text) => (EPOCH_NUMBER.test(text) ? Number(text) * 1000 : undefined);
    if (/^(strict_)?date_optional_time$/.test(f)) return parseIsoDate;
    return compileDateFormat(f);
  });
  const readText = (text: string): number | undefined => {
    for (const alternative of alternatives) {
      const millis = alternative?.(text);
      if (millis !== undefined) return millis;
    }
    return undefined;
  };
  return (value) => readTimestamp(value, readText);
}

/** The default `strict_date_optional_time||epoch_millis` on a trimmed string. */
function readDefaultDate(text: string): number | undefined {
  if (/^\d{4}$/.test(text)) return parseIsoDate(text);
  if (EPOCH_NUMBER.test(text)) return Number(text);
  return parseIsoDate(text);
}

/** Arrays give their smallest date, numbers are epoch milliseconds, strings are trimmed and read by `readText`. */
function readTimestamp(value: unknown, readText: (text: string) => number | undefined): number | undefined {
  if (Array.isArray(value)) {
    let min: number | undefined;
    for (const v of value) {
      const t = readTimestamp(v, readText);
      if (t !== undefined && (min === undefined || t < min)) min = t;
    }
    return min;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  return readText(value.trim());
}

/** Parsers of the formats met so far: mappings name few formats, each is compiled once. */
const PARSERS = new Map<string, TimestampParser>();
/** The cache key of "no format" (the empty string is a format of its own). */
const DEFAULT_KEY = '\u0000default';

/**
 * Reads an event's timestamp value the way Elasticsearch's default date format
 * `strict_date_optional_time||epoch_millis` does.
 *
 * - number: epoch milliseconds (fractions allowed);
 * - string of digits (optionally with a `.fraction`): epoch milliseconds, except exactly four digits,
 *   which `strict_date_optional_time` reads first as a year;
 * - other strings: ISO 8601 (`parseIsoDate`), or `format` when the mapping gives one;
 * - an array: its smallest date (an ascending sort uses the minimum of a multi-valued field).
 *
 * The format is compiled once per distinct `format` string ({@link timestampParser}).
 * @returns epoch milliseconds, or undefined when the value is missing or not a date.
 */
export function parseTimestamp(value: unknown, format?: string): number | undefined {
  const key = format ?? DEFAULT_KEY;
  let parser = PARSERS.get(key);
  if (parser === undefined) {
    parser = timestampParser(format);
    PARSERS.set(key, parser);
  }
  return parser(value);
}

/**
 * Normalises a tiebreaker field value: scalars are kept (the caller reads numeric strings of a
 * numeric field as numbers); arrays give their smallest value, as an ascending sort does.
 * @returns the comparable value, or undefined when absent.
 */
export function tiebreakerValue(value: unknown): number | bigint | string | boolean | undefined {
  if (Array.isArray(value)) {
    let min: number | bigint | string | boolean | undefined;
    for (const v of value) {
      const t = tiebreakerValue(v);
      if (t !== undefined && (min === undefined || compareScalars(t, min) < 0)) min = t;
    }
    return min;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' || typeof value === 'boolean') return value;
  return undefined;
}

function compareScalars(a: number | bigint | string | boolean, b: number | bigint | string | boolean): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  // A number and a bigint (an integer beyond 2^53) compare by value, exactly.
  if (isNumeric(a) && isNumeric(b)) return compareNumeric(a, b);
  // Mixed types cannot occur for one mapped field; order numbers first to stay total.
  const ra = isNumeric(a) ? 0 : typeof a === 'boolean' ? 1 : 2;
  const rb = isNumeric(b) ? 0 : typeof b === 'boolean' ? 1 : 2;
  return ra - rb;
}

/**
 * Compares two ordinals as Elasticsearch's `Ordinal.compareTo` does: timestamp, then tiebreaker
 * (a missing tiebreaker sorts after a present one), then the implicit tiebreaker (input order).
 * @returns negative, zero or positive.
 */
export function compareOrdinals(a: Ordinal, b: Ordinal): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  if (a.tiebreaker !== undefined) {
    if (b.tiebreaker === undefined) return -1;
    const c = compareScalars(a.tiebreaker, b.tiebreaker);
    if (c !== 0) return c;
  } else if (b.tiebreaker !== undefined) {
    return 1;
  }
  return a.index - b.index;
}
