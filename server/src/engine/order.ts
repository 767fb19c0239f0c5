/**
 * Event ordering the way Elasticsearch EQL orders hits: by timestamp, then by the tiebreaker field
 * (events without a tiebreaker value sort after those with one), then by the implicit tiebreaker
 * (Elasticsearch's `_shard_doc`; here: input order — files in the order given, lines in file order).
 *
 * Source: `x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/execution/search/Ordinal.java`
 * (`compareTo`) and the "EQL search" docs ("Specify a sort tiebreaker").
 */

/** Position of one event in the ordered stream. */
export interface Ordinal {
  /** Epoch milliseconds (fractions keep sub-millisecond precision of ISO strings). */
  timestamp: number;
  /** Value of the tiebreaker field; `undefined` when there is no tiebreaker or no value. */
  tiebreaker?: number | string | boolean;
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
 * Named formats other than the defaults are not supported.
 * @returns epoch milliseconds (UTC), or undefined when the text does not fit the format.
 */
export function parseDateWithFormat(text: string, format: string): number | undefined {
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
  const m = new RegExp(`^${pattern}$`).exec(text);
  if (!m) return undefined;
  const parts: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
  fields.forEach((f, i) => {
    const n = Number(m[i + 1]);
    if (f === 'yy') parts.y = 2000 + n;
    else parts[f] = n;
  });
  const millis = Date.UTC(parts.y, parts.M - 1, parts.d, parts.H, parts.m, parts.s, parts.S);
  return Number.isNaN(millis) ? undefined : millis;
}

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
 * @returns epoch milliseconds, or undefined when the value is missing or not a date.
 */
export function parseTimestamp(value: unknown, format?: string): number | undefined {
  if (Array.isArray(value)) {
    let min: number | undefined;
    for (const v of value) {
      const t = parseTimestamp(v, format);
      if (t !== undefined && (min === undefined || t < min)) min = t;
    }
    return min;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (format !== undefined && !/^(strict_)?date_optional_time(\|\|epoch_millis)?$|^epoch_millis$/.test(format)) {
    for (const f of format.split('||')) {
      if (f === 'epoch_millis' && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
      if (f === 'epoch_second' && /^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
      if (/^(strict_)?date_optional_time$/.test(f)) {
        const iso = parseIsoDate(text);
        if (iso !== undefined) return iso;
        continue;
      }
      const custom = parseDateWithFormat(text, f);
      if (custom !== undefined) return custom;
    }
    return undefined;
  }
  if (/^\d{4}$/.test(text)) return parseIsoDate(text);
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return parseIsoDate(text);
}

/**
 * Normalises a tiebreaker field value: scalars are kept (the caller reads numeric strings of a
 * numeric field as numbers); arrays give their smallest value, as an ascending sort does.
 * @returns the comparable value, or undefined when absent.
 */
export function tiebreakerValue(value: unknown): number | string | boolean | undefined {
  if (Array.isArray(value)) {
    let min: number | string | boolean | undefined;
    for (const v of value) {
      const t = tiebreakerValue(v);
      if (t !== undefined && (min === undefined || compareScalars(t, min) < 0)) min = t;
    }
    return min;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return undefined;
}

function compareScalars(a: number | string | boolean, b: number | string | boolean): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  // Mixed types cannot occur for one mapped field; order numbers first to stay total.
  const ra = typeof a === 'number' ? 0 : typeof a === 'boolean' ? 1 : 2;
  const rb = typeof b === 'number' ? 0 : typeof b === 'boolean' ? 1 : 2;
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
