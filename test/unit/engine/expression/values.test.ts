/**
 * Value conversions: Java number formatting (`Double.toString` / `Long.toString`, as Elasticsearch
 * prints numbers in `string()` and `concat()`), keyword ordering (Lucene compares UTF-8 bytes, i.e.
 * code points), Java `compareToIgnoreCase` equality, IP and CIDR parsing (Elasticsearch "IP field
 * type": IPv4 stored as IPv4-mapped IPv6).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatIp, parseCidr, parseIp } from '../../../../server/src/engine/cidr';
import { compareVersions, toHalfFloat } from '../../../../server/src/engine/compare';
import { parseDate, parseDateBound } from '../../../../server/src/engine/dateMath';
import { compareCodePoints, equalsIgnoreCase, javaNumberString, parseJavaNumber } from '../../../../server/src/engine/values';

describe('javaNumberString (Java Double.toString / Long.toString)', () => {
  it('integral values print without a fraction', () => {
    assert.equal(javaNumberString(42, true), '42');
    assert.equal(javaNumberString(-7, true), '-7');
  });
  it('doubles keep at least one fractional digit', () => {
    assert.equal(javaNumberString(42, false), '42.0');
    assert.equal(javaNumberString(42.5, false), '42.5');
    assert.equal(javaNumberString(0.001, false), '0.001');
  });
  it('doubles below 10^-3 or from 10^7 use computerized scientific notation', () => {
    assert.equal(javaNumberString(1e7, false), '1.0E7');
    assert.equal(javaNumberString(12345678.9, false), '1.23456789E7');
    assert.equal(javaNumberString(0.0001, false), '1.0E-4');
    assert.equal(javaNumberString(NaN, false), 'NaN');
    assert.equal(javaNumberString(-Infinity, false), '-Infinity');
  });
  it('parseJavaNumber accepts what Double.parseDouble accepts (sign, exponent, whitespace)', () => {
    assert.equal(parseJavaNumber(' -1.5e2 '), -150);
    assert.equal(parseJavaNumber('abc'), undefined);
  });
});

describe('string comparison', () => {
  it('code point order puts supplementary characters after all BMP characters', () => {
    assert.ok(compareCodePoints('\uffff', '😀') < 0);
    assert.ok(compareCodePoints('a', 'b') < 0);
    assert.ok(compareCodePoints('ab', 'a') > 0);
    assert.equal(compareCodePoints('x', 'x'), 0);
  });
  it('equalsIgnoreCase compares unit by unit (Java compareToIgnoreCase)', () => {
    assert.equal(equalsIgnoreCase('CMD.exe', 'cmd.EXE'), true);
    assert.equal(equalsIgnoreCase('Straße', 'STRASSE'), false);
    assert.equal(equalsIgnoreCase('ÉCOLE', 'école'), true);
  });
});

describe('IP addresses and CIDR blocks', () => {
  it('parses IPv4 and IPv6, IPv4 mapped into IPv6', () => {
    assert.equal(formatIp(parseIp('10.0.0.1')!), '10.0.0.1');
    assert.equal(formatIp(parseIp('::ffff:10.0.0.1')!), '10.0.0.1');
    assert.equal(formatIp(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
    assert.equal(parseIp('10.0.0.256'), undefined);
    assert.equal(parseIp('1:2:3'), undefined);
  });
  it('CIDR containment', () => {
    assert.equal(cidrContains(parseCidr('192.168.0.0/16')!, parseIp('192.168.152.12')!), true);
    assert.equal(cidrContains(parseCidr('10.128.0.0/9')!, parseIp('10.1.0.1')!), false);
    assert.equal(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('8.8.8.8')!), true);
    assert.equal(cidrContains(parseCidr('fe80::/10')!, parseIp('fe80::1')!), true);
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
  });
});

describe('dates and versions', () => {
  it('parseDate reads strict_date_optional_time and epoch_millis (date field default format)', () => {
    assert.equal(parseDate('2017-08-30T20:47:33Z'), Date.UTC(2017, 7, 30, 20, 47, 33));
    assert.equal(parseDate('2017-08-30'), Date.UTC(2017, 7, 30));
    assert.equal(parseDate('2017-08-30T22:47:33.5+02:00'), Date.UTC(2017, 7, 30, 20, 47, 33, 500));
    assert.equal(parseDate('1516116808349'), 1516116808349);
    assert.equal(parseDate('not a date'), undefined);
  });
  it('parseDateBound applies date math and rounding ("Date math" in the Elasticsearch API conventions)', () => {
    const now = Date.UTC(2021, 4, 12, 10, 30, 15, 250); // Wednesday 2021-05-12T10:30:15.250Z
    assert.equal(parseDateBound('now', false, undefined, now), now);
    assert.equal(parseDateBound('now-1d', false, undefined, now), now - 86_400_000);
    assert.equal(parseDateBound('now/d', false, undefined, now), Date.UTC(2021, 4, 12));
    assert.equal(parseDateBound('now/d', true, undefined, now), Date.UTC(2021, 4, 13) - 1);
    assert.equal(parseDateBound('now/w', false, undefined, now), Date.UTC(2021, 4, 10));
    // Java plusMonths clamps the day: Jan 31 + 1 month = Feb 28 (2021) / Feb 29 (2024).
    assert.equal(parseDateBound('2021-01-31||+1M', false), Date.UTC(2021, 1, 28));
    assert.equal(parseDateBound('2024-01-31||+1M', false), Date.UTC(2024, 1, 29));
    assert.equal(parseDateBound('2024-02-29||+1y', false), Date.UTC(2025, 1, 28));
    assert.equal(parseDateBound('2021-01-15||+1M/M', true), Date.UTC(2021, 2, 1) - 1);
    assert.equal(parseDateBound('2021-05-12', true), Date.UTC(2021, 4, 13) - 1);
    assert.equal(parseDateBound('2021-05-12T10:30', true), Date.UTC(2021, 4, 12, 10, 31) - 1);
    assert.equal(parseDateBound('2021-05-12T10:30:15Z', true), Date.UTC(2021, 4, 12, 10, 30, 16) - 1);
    assert.equal(parseDateBound('2021-05-12T10:30:15.5Z', true), Date.UTC(2021, 4, 12, 10, 30, 15, 500));
    assert.equal(parseDateBound('now+1x', false, undefined, now), undefined);
  });
  it('compareVersions follows semantic version order ("Version field type")', () => {
    assert.ok(compareVersions('1.2.3', '1.10.0') < 0);
    assert.ok(compareVersions('1.0.0-alpha', '1.0.0') < 0);
    assert.ok(compareVersions('1.0.0-alpha.1', '1.0.0-alpha.beta') < 0);
    assert.ok(compareVersions('2.0.0', 'not-a-version') < 0);
  });
});

describe('toHalfFloat (IEEE 754 binary16, as a half_float field stores values)', () => {
  it('rounds to 11 significant bits, ties to even', () => {
    assert.equal(toHalfFloat(1), 1);
    assert.equal(toHalfFloat(0.1), 0.0999755859375);
    assert.equal(toHalfFloat(2049), 2048); // tie between 2048 and 2050 → even mantissa
    assert.equal(toHalfFloat(2051), 2052);
    assert.equal(toHalfFloat(65504), 65504);
    assert.equal(toHalfFloat(70000), Infinity);
    assert.equal(toHalfFloat(2 ** -24), 2 ** -24); // smallest subnormal
  });
});
