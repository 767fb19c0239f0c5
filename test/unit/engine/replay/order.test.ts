/**
 * Event ordering: timestamp parsing (Elasticsearch date format `strict_date_optional_time||epoch_millis`,
 * docs "Date field type") and `Ordinal.compareTo` (execution/search/Ordinal.java).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOrdinals, parseIsoDate, parseTimestamp, parseDateWithFormat } from '../../../../server/src/engine/order';
import { filetimeToUnixMillis } from '../../../../scripts/conformance/load';

test('ISO 8601 strings: UTC by default, offsets applied, fractions kept', () => {
  assert.equal(parseTimestamp('2022-05-04T12:00:00.000Z'), Date.UTC(2022, 4, 4, 12, 0, 0));
  assert.equal(parseTimestamp('2022-05-04T12:00:00'), Date.UTC(2022, 4, 4, 12, 0, 0));
  assert.equal(parseTimestamp('2022-05-04T14:00:00+02:00'), Date.UTC(2022, 4, 4, 12, 0, 0));
  assert.equal(parseTimestamp('2022-05-04'), Date.UTC(2022, 4, 4));
  // .000123456 s = 0.123456 ms (within double precision at this magnitude)
  assert.ok(Math.abs(parseIsoDate('2022-05-04T12:00:00.000123456Z')! - (Date.UTC(2022, 4, 4, 12) + 0.123456)) < 1e-3);
  assert.equal(parseIsoDate('2023-02-30'), undefined);
});

test('numbers and digit strings are epoch milliseconds (epoch_millis); four digits are a year (strict_date_optional_time first)', () => {
  assert.equal(parseTimestamp(1516116808349), 1516116808349);
  assert.equal(parseTimestamp('1234567891'), 1234567891);
  assert.equal(parseTimestamp('11'), 11);
  assert.equal(parseTimestamp('2017'), Date.UTC(2017, 0, 1));
  assert.equal(parseTimestamp('not a date'), undefined);
  assert.equal(parseTimestamp(null), undefined);
});

test('custom mapping formats such as dd-MM-yyyy (sample1.mapping @timestamp_pretty)', () => {
  // test_sample.toml customDateFormatAsKey_SameIndexResults: "17-12-2022" -> 1671235200000
  assert.equal(parseDateWithFormat('17-12-2022', 'dd-MM-yyyy'), 1671235200000);
  assert.equal(parseTimestamp('17-12-2022', 'dd-MM-yyyy'), 1671235200000);
});

test('custom formats refuse impossible dates instead of rolling them over (java.time strict resolving)', () => {
  // Month 13, day 45, 30 February, hour 24 do not exist; java.time's DateTimeFormatter
  // (ResolverStyle.STRICT, which Elasticsearch's DateFormatters.forPattern sets on custom formats) rejects them.
  assert.equal(parseDateWithFormat('2024-13-45 10:00:00', 'yyyy-MM-dd HH:mm:ss'), undefined);
  assert.equal(parseDateWithFormat('2023-02-30 10:00:00', 'yyyy-MM-dd HH:mm:ss'), undefined);
  assert.equal(parseDateWithFormat('2024-01-01 24:00:00', 'yyyy-MM-dd HH:mm:ss'), undefined);
  assert.equal(parseTimestamp('2024-13-45 10:00:00', 'yyyy-MM-dd HH:mm:ss'), undefined);
  // 29 February exists in the leap year 2024: 2024-02-29T10:00:00Z = 1709200800000 (hand-computed:
  // 19782 days since 1970-01-01 × 86,400,000 ms + 10 h).
  assert.equal(parseDateWithFormat('2024-02-29 10:00:00', 'yyyy-MM-dd HH:mm:ss'), 1709200800000);
});

test('Windows FILETIME as the QA DataLoader converts it (ticks / 10000 - 11644473600000)', () => {
  // 131485996510000000 ticks = 2017-08-30T20:47:31Z (test_queries_date.toml: events before 20:47:32Z)
  assert.equal(filetimeToUnixMillis(131485996510000000n), Date.UTC(2017, 7, 30, 20, 47, 31));
  assert.equal(filetimeToUnixMillis(116444736000000000n), 0);
});

test('ties: tiebreaker decides, events without a tiebreaker sort last, then input order (Ordinal.compareTo)', () => {
  const a = { timestamp: 5, tiebreaker: 2, index: 0 };
  const b = { timestamp: 5, tiebreaker: 1, index: 1 };
  const c = { timestamp: 5, index: 2 };
  const d = { timestamp: 5, index: 3 };
  const e = { timestamp: 4, index: 4 };
  const sorted = [a, b, c, d, e].sort(compareOrdinals);
  assert.deepEqual(sorted.map((o) => o.index), [4, 1, 0, 2, 3]);
});

test('a multi-valued timestamp sorts by its smallest value (docs "Sort search results": ascending sorts use mode min)', () => {
  assert.equal(parseTimestamp(['2022-01-02T00:00:00Z', '2022-01-01T00:00:00Z']), Date.UTC(2022, 0, 1));
});
