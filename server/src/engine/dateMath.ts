/**
 * Dates as a `date` field reads them: the field's `format` (default
 * `strict_date_optional_time||epoch_millis`), and, for query bounds, Elasticsearch date math
 * (`now-1d/d`, `2020-01-01||+1M`) with the rounding rules of range queries
 * (reference: "Date field type", "Date math" in the API conventions; `DateFieldMapper`,
 * `JavaDateMathParser`). All instants are epoch milliseconds, UTC.
 */
import { parseTimestamp } from './order';

/**
 * Parses a date the way a `date` field does: with the field's mapped `format` when given,
 * otherwise the default `strict_date_optional_time||epoch_millis` (a 4-digit string is a year,
 * other digit strings are epoch milliseconds). Numbers are epoch milliseconds.
 * Delegates to the replay engine's timestamp parser (`order.parseTimestamp`) so filters and
 * event ordering read dates alike.
 * @returns epoch milliseconds, or undefined when the value is not a date.
 */
export function parseDate(v: unknown, format?: string): number | undefined {
  if (Array.isArray(v)) return undefined;
  return parseTimestamp(v, format);
}

const ISO_PARTS =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?)?$/;

/**
 * Parses a date used as a query bound on a `date` field, as Elasticsearch's `DateMathParser` does
 * for `range` queries (and for `==`, which a date field runs as the range [value, value]):
 * - date math: `now`, `now-1d`, `now/d`, `2020-01-01||+1M/d` (units y M w d h H m s; `/unit`
 *   rounds down, or up to the unit's last millisecond when `roundUp`), in UTC;
 * - with `roundUp`, fields missing from an ISO date take their largest value, so
 *   `@timestamp <= "2020-01-01"` and `@timestamp == "2020-01-01"` cover the whole day.
 * Upper bounds of `<=`/`==` and lower bounds of `>` round up; the others round down.
 *
 * @param now the instant `now` stands for (epoch ms).
 * @returns epoch milliseconds, or undefined when the text is not a date.
 */
export function parseDateBound(v: unknown, roundUp: boolean, format?: string, now: number = Date.now()): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  let base: number | undefined;
  let math: string;
  if (text.startsWith('now')) {
    base = now;
    math = text.slice(3);
  } else {
    const i = text.indexOf('||');
    if (i < 0) return roundUp ? roundUpPlainDate(text, format) : parseDate(text, format);
    base = parseDate(text.slice(0, i), format);
    math = text.slice(i + 2);
  }
  if (base === undefined) return undefined;
  return applyDateMath(base, math, roundUp);
}

function roundUpPlainDate(text: string, format?: string): number | undefined {
  const m = format ? null : ISO_PARTS.exec(text);
  const start = parseDate(text, format);
  if (!m || start === undefined) return start;
  const [, , month, day, hour, minute, second, fraction] = m;
  // The first missing field decides how far up the bound goes.
  let unit: string | undefined;
  if (month === undefined) unit = 'y';
  else if (day === undefined) unit = 'M';
  else if (hour === undefined) unit = 'd';
  else if (minute === undefined) unit = 'h';
  else if (second === undefined) unit = 'm';
  else if (fraction === undefined) unit = 's';
  if (!unit) return start;
  return addUnits(start, unit, 1) - 1;
}

function addUnits(t: number, unit: string, n: number): number {
  switch (unit) {
    case 'y':
      return addMonths(t, 12 * n);
    case 'M':
      return addMonths(t, n);
    case 'w':
      return t + n * 7 * 86_400_000;
    case 'd':
      return t + n * 86_400_000;
    case 'h':
    case 'H':
      return t + n * 3_600_000;
    case 'm':
      return t + n * 60_000;
    case 's':
      return t + n * 1000;
  }
  return t;
}

/** Java `plusMonths`: the day of month is clamped to the target month's length (Jan 31 + 1M = Feb 28). */
function addMonths(t: number, n: number): number {
  const d = new Date(t);
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const probe = new Date(0);
  probe.setUTCFullYear(year, month + 1, 0); // day 0 of the next month = last day of this one
  const lastDay = probe.getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  const out = new Date(t);
  out.setUTCFullYear(year, month, day);
  return out.getTime();
}

function roundDown(t: number, unit: string): number {
  const d = new Date(t);
  switch (unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'w': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7; // ISO weeks start on Monday
      return day - sinceMonday * 86_400_000;
    }
    case 'd':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'h':
    case 'H':
      return t - (((t % 3_600_000) + 3_600_000) % 3_600_000);
    case 'm':
      return t - (((t % 60_000) + 60_000) % 60_000);
    case 's':
      return t - (((t % 1000) + 1000) % 1000);
  }
  return t;
}

function applyDateMath(base: number, math: string, roundUp: boolean): number | undefined {
  let t = base;
  let i = 0;
  while (i < math.length) {
    const c = math[i++];
    if (c === '/') {
      const unit = math[i++];
      if (!unit || !'yMwdhHms'.includes(unit)) return undefined;
      t = roundDown(t, unit);
      if (roundUp) t = addUnits(t, unit, 1) - 1;
    } else if (c === '+' || c === '-') {
      let digits = '';
      while (i < math.length && math[i] >= '0' && math[i] <= '9') digits += math[i++];
      const unit = math[i++];
      if (!unit || !'yMwdhHms'.includes(unit)) return undefined;
      t = addUnits(t, unit, (c === '-' ? -1 : 1) * (digits ? Number(digits) : 1));
    } else {
      return undefined;
    }
  }
  return t;
}
