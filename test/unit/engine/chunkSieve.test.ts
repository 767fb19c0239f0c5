// The chunk sieve: which lines of a chunk are handed on to the line prefilter. Soundness over
// random rules and events is the property test of `prefilter.test.ts` (identical replays, the
// same lines skipped as by the line prefilter, at every chunk size); here, hand-made chunks whose
// expected candidate lines are read off the lines themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/eql/analyze';
import { compileChunkSieve } from '../../../server/src/engine/chunkSieve';

const SAMPLE_RULE =
  'sequence by host.id [network where host.os.type == "windows" and network.direction : ("incoming", "ingress") and destination.port in (5985, 5986) and network.protocol == "http"] [process where host.os.type == "windows" and event.type == "start" and process.parent.name : "wsmprovhost.exe"]';

/** The 1-based numbers of the chunk's lines (split on \n) that hold a hit, or undefined when the sieve is off. */
function candidateLines(rule: string, lines: string[]): number[] | undefined {
  const sieve = compileChunkSieve(analyze(rule).statement!, { eventCategoryField: 'event.category' })!();
  const chunk = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const find = sieve(chunk, 0);
  if (find === undefined) return undefined;
  const out: number[] = [];
  let hit = -2;
  for (let start = 0, n = 1; start < chunk.length; n++) {
    const end = chunk.indexOf(0x0a, start);
    if (hit !== -1 && hit < start) hit = find(start);
    if (hit >= 0 && hit < end) out.push(n);
    start = end + 1;
  }
  return out;
}

/** A process or network event of the shape the benchmark writes, `extra` merged in. */
function line(i: number, extra: object = {}): string {
  const base = { '@timestamp': `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, host: { id: `h${i % 7}`, os: { type: 'windows' } } };
  const kind = i % 2 === 0
    ? { event: { category: ['process'], type: ['start'] }, process: { name: 'svchost.exe', parent: { name: 'services.exe' }, executable: 'C:\\Users\\user1\\svchost.exe' } }
    : { event: { category: ['network'], type: ['start'] }, network: { direction: 'egress', protocol: 'tls' }, destination: { port: 443 } };
  return JSON.stringify({ ...base, ...kind, ...extra });
}

test('the sample rule: only the lines holding a rare literal of each filter are candidates, the anchors chosen from the data', () => {
  const lines = Array.from({ length: 200 }, (_, i) => line(i));
  // Line 58: a WinRM connection (http); line 144: a child of WSMPROVHOST.EXE (case-insensitive `:`).
  lines[57] = line(57, { network: { direction: 'ingress', protocol: 'http' }, destination: { port: 5985 } });
  lines[143] = line(144, { process: { name: 'whoami.exe', parent: { name: 'WSMPROVHOST.EXE' } } });
  // "windows", "start", "network" and "process" are on every line or every other: not anchors.
  assert.deepEqual(candidateLines(SAMPLE_RULE, lines), [58, 144]);
});

test('a line with a JSON \\u escape is a candidate (any character may hide there); an escaped backslash before u is not', () => {
  const lines = Array.from({ length: 50 }, (_, i) => line(i));
  // "\\u0077" in the JSON text: the escape of w (wsmprovhost.exe spelled with it).
  lines[9] = line(10, { process: { parent: { name: 'X' } } }).replace('"X"', '"\\u0077smprovhost.exe"');
  // Every process line has C:\\Users\\user1 (a backslash escaped, then "user1"): not an escape.
  assert.ok(lines[0].includes('\\\\user1'));
  assert.deepEqual(candidateLines(SAMPLE_RULE, lines), [10]);
});

test('with a case-insensitive anchor, a line with a byte above 0x7F is a candidate (ſ, K and ı fold to ASCII letters)', () => {
  const lines = Array.from({ length: 50 }, (_, i) => line(i));
  lines[20] = line(20, { user: { name: 'Jos\u00e9' } });
  lines[30] = line(30, { process: { parent: { name: 'W\u017fmprovhost.exe' } } });
  assert.deepEqual(candidateLines('process where process.parent.name : "wsmprovhost.exe"', lines), [21, 31]);
  // A case-sensitive rule needs its bytes: neither line is a candidate.
  assert.deepEqual(candidateLines('process where process.parent.name == "wsmprovhost.exe"', lines), []);
});

test('when every literal of a filter is on most lines, the chunk is not searched (every line is tested on its own)', () => {
  const lines = Array.from({ length: 100 }, (_, i) => line(i));
  assert.equal(candidateLines('any where host.os.type == "windows"', lines), undefined);
});
