/**
 * Integers beyond 2^53 through the replay: read exactly from NDJSON, compared, joined, converted and
 * printed exactly. Expected values are hand-worked from Elasticsearch's semantics for `long` and
 * `unsigned_long` (docs "Numeric field types"): a term or range query on a `long` field compares the
 * 64-bit values exactly, an integral double constant being converted to its long
 * (`NumberFieldMapper.NumberType.LONG`); a script compares a long with a double as doubles
 * (QL `Comparisons` → `Arithmetics`: `Double.compare` after widening); an integer literal up to
 * 2^64 - 1 is an integer type, beyond it a double (`ExpressionBuilder.visitIntegerLiteral`,
 * `StringUtils.parseIntegral`). 9007199254740993 = 2^53 + 1 widens to the double 2^53.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/eql/analyze';
import { replay } from '../../../../server/src/engine/replay';
import { loadMapping } from '../../../../server/src/engine/mapping';
import { parseNdjsonText } from '../../../../server/src/samples/ndjson';
import { matchToJsonLine } from '../../../../server/src/cli/matchJson';
import { formatMatchText } from '../../../../server/src/cli/matchText';

// Line 1: pid 2^53 + 1 on host 2^53 + 1; line 2: pid 2^53 on host 2^53; line 3: a network event of host 2^53 + 1.
const LOGS = [
  '{"@timestamp":1,"event":{"category":"process"},"process":{"pid":9007199254740993},"host":{"id":9007199254740993}}',
  '{"@timestamp":2,"event":{"category":"process"},"process":{"pid":9007199254740992},"host":{"id":9007199254740992}}',
  '{"@timestamp":3,"event":{"category":"network"},"process":{"pid":9007199254740993},"host":{"id":9007199254740993}}',
].join('\n');

const events = () => parseNdjsonText(LOGS, 'logs.ndjson').events;

function lines(query: string, mapping?: ReturnType<typeof loadMapping>): number[][] {
  const { statement, diagnostics } = analyze(query);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], query);
  return replay(statement!, events(), { mapping }).matches.map((m) => m.events.map((e) => e.event!.source.line));
}

const LONG_MAPPING = loadMapping({ mappings: { properties: { process: { properties: { pid: { type: 'long' } } }, host: { properties: { id: { type: 'long' } } } } } });

test('2^53 + 1 and 2^53 are different pids, with and without a mapping (term and range queries)', () => {
  for (const mapping of [undefined, LONG_MAPPING]) {
    assert.deepEqual(lines('process where process.pid == 9007199254740993', mapping), [[1]]);
    assert.deepEqual(lines('process where process.pid == 9007199254740992', mapping), [[2]]);
    assert.deepEqual(lines('process where process.pid != 9007199254740992', mapping), [[1]]);
    assert.deepEqual(lines('process where process.pid in (9007199254740993, 7)', mapping), [[1]]);
    assert.deepEqual(lines('process where process.pid > 9007199254740992', mapping), [[1]]);
    assert.deepEqual(lines('process where process.pid <= 9007199254740992', mapping), [[2]]);
  }
});

test('an expression compared with a long (script form) is exact', () => {
  assert.deepEqual(lines('process where process.pid + 0 == 9007199254740992'), [[2]]);
  assert.deepEqual(lines('process where process.pid - 1 == 9007199254740992'), [[1]]);
  assert.deepEqual(lines('process where process.pid + 0 > 9007199254740992'), [[1]]);
  assert.deepEqual(lines('process where string(process.pid) == "9007199254740993"'), [[1]]);
});

test('big integers against doubles: a query converts the integral double to its long, a script widens the long', () => {
  // Term query on a long: 9007199254740992.0 is the long 2^53, so only line 2.
  assert.deepEqual(lines('process where process.pid == 9007199254740992.0', LONG_MAPPING), [[2]]);
  // Script: 2^53 + 1 widened to a double is 2^53, so both lines.
  assert.deepEqual(lines('process where process.pid + 0 == 9007199254740992.0'), [[1], [2]]);
  // An integer literal beyond 2^64 - 1 is a double: 18446744073709551616 is 2^64, above every long.
  assert.deepEqual(lines('process where process.pid + 0 < 18446744073709551616'), [[1], [2]]);
});

test('sequences join on exact ids: 2^53 + 1 joins only with itself', () => {
  const { statement } = analyze('sequence by host.id [process where true] [network where true]');
  const out = replay(statement!, events()).matches;
  assert.deepEqual(out.map((m) => m.events.map((e) => e.event!.source.line)), [[1, 3]]);
  assert.deepEqual(out[0].joinKeys, [9007199254740993n]);
  // The CLI writes the key as its exact digits, in JSON and in text.
  assert.equal(
    matchToJsonLine(out[0]),
    '{"type":"sequence","join_keys":[9007199254740993],"events":[{"file":"logs.ndjson","line":1},{"file":"logs.ndjson","line":3}]}',
  );
  assert.match(formatMatchText(out[0], 1, { timestampField: '@timestamp', eventCategoryField: 'event.category' }).join('\n'), /join keys: \[9007199254740993\]/);
});
