/**
 * Re-runs over LSP from the replay worker's cache of parsed samples: after the rule is edited, the
 * unchanged sample files come from the cache (`cachedSampleFiles`) and the matches are the edited
 * rule's; a sample file changed on disk is read again, alone, and its new events count; a budget
 * of 0 turns the cache off. Expected matches are hand-worked from the small fixtures below (EQL
 * syntax reference: `==` is case-sensitive; a missing field never matches).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ReplayRequest, type ReplayParams, type ReplayResult } from '../../server/src/protocol';
import { startServer, type TestServer } from './lspTestClient';

const OPTIONS: ReplayParams['options'] = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };
const line = (t: number, name: string) => JSON.stringify({ '@timestamp': t, event: { category: 'process' }, process: { name } });

describe('replay re-runs from cached samples', () => {
  let server: TestServer;
  let dir: string;
  let first: string;
  let second: string;
  let ruleUri: string;
  before(async () => {
    server = await startServer('source');
    dir = mkdtempSync(path.join(tmpdir(), 'eqlwb-recache-'));
    first = path.join(dir, 'a.ndjson');
    second = path.join(dir, 'b.ndjson');
    writeFileSync(first, [line(1, 'cmd.exe'), line(2, 'whoami.exe')].join('\n') + '\n');
    writeFileSync(second, [line(3, 'net.exe')].join('\n') + '\n');
    ruleUri = pathToFileURL(path.join(dir, 'rule.eql')).toString();
    await server.open(ruleUri, 'process where process.name == "cmd.exe"\n', 1);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  const replay = (budget?: number): Promise<ReplayResult> =>
    server.connection.sendRequest(ReplayRequest, {
      uri: ruleUri,
      sampleUris: [first, second].map((p) => pathToFileURL(p).toString()),
      options: OPTIONS,
      ...(budget !== undefined ? { sampleCacheBudgetMB: budget } : {}),
    });
  const where = (r: ReplayResult) => r.matches.map((m) => m.events.map((e) => `${path.basename(e.uri)}:${e.line}`));

  it('a re-run after a rule edit reads no unchanged file and gives the edited rule\'s matches', async () => {
    const before = await replay();
    assert.deepEqual(where(before), [['a.ndjson:1']]);
    assert.equal(before.cachedSampleFiles, 0);
    await server.change(ruleUri, 2, [{ text: 'process where process.name in ("whoami.exe", "net.exe")\n' }]);
    const after = await replay();
    assert.equal(after.cachedSampleFiles, 2);
    assert.equal(after.sampleFiles, 2);
    assert.equal(after.events, 3);
    assert.deepEqual(where(after), [['a.ndjson:2'], ['b.ndjson:1']]);
  });

  it('a sample changed on disk is read again, the other one still comes from the cache', async () => {
    writeFileSync(second, [line(3, 'net.exe'), line(4, 'whoami.exe')].join('\n') + '\n');
    const result = await replay();
    assert.equal(result.cachedSampleFiles, 1);
    assert.equal(result.events, 4);
    assert.deepEqual(where(result), [['a.ndjson:2'], ['b.ndjson:1'], ['b.ndjson:2']]);
  });

  it('a budget of 0 reads every file', async () => {
    const result = await replay(0);
    assert.equal(result.cachedSampleFiles, 0);
    assert.deepEqual(where(result), [['a.ndjson:2'], ['b.ndjson:1'], ['b.ndjson:2']]);
    // The cache was emptied by that budget: the next replay reads the files again.
    assert.equal((await replay()).cachedSampleFiles, 0);
  });
});
