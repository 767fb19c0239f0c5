/**
 * Where the fields learnt from the samples come from, over LSP: an open sample's unsaved text
 * (`eqlWorkbench/sampleText`, protocol.ts) is indexed instead of the file until the editor drops
 * it, and a change of the `eqlWorkbench.samples` setting re-indexes with the new glob and moves the
 * client's file watcher to it (`client/registerCapability` / `client/unregisterCapability` of
 * `workspace/didChangeWatchedFiles`, LSP 3.17). Expected counts are counted by hand on the small
 * files written here; the fields are none of ECS's, so only the samples can offer them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from './lspTestClient';

const lines = (...docs: object[]) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n';

/** The detail of each field completion item offered at the end of `process where ` in `uri`. */
async function fieldDetails(server: TestServer, uri: string): Promise<Map<string, string | undefined>> {
  const list = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 14 } })) as {
    items: Array<{ label: string; kind?: number; detail?: string }>;
  };
  return new Map(list.items.filter((i) => i.kind === 5 /* Field */).map((i) => [i.label, i.detail]));
}

/** Asks for completion until `accept` holds of the field details (indexing runs in the background); fails after 5 s. */
async function until(server: TestServer, uri: string, what: string, accept: (details: Map<string, string | undefined>) => boolean): Promise<void> {
  let details = new Map<string, string | undefined>();
  for (let i = 0; i < 100; i++) {
    details = await fieldDetails(server, uri);
    if (accept(details)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const own = [...details].filter(([name]) => /^(acme|alpha|beta|gamma)\./.test(name));
  assert.fail(`${what}: not so after 5 s; sample fields offered: ${JSON.stringify(own)}`);
}

describe('unsaved sample text over LSP', () => {
  let server: TestServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'eql-unsaved-'));
  const sample = path.join(dir, 'events.ndjson');
  const rule = pathToFileURL(path.join(dir, 'rule.eql')).toString();
  before(async () => {
    writeFileSync(sample, lines({ event: { category: 'process' }, acme: { team: 'red' } }));
    server = await startServer('source', { rootUri: pathToFileURL(dir).toString() });
    await server.open(rule, 'process where ');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes an open sample from its unsaved text, and from the disk again once the editor drops it', async () => {
    await until(server, rule, 'acme.team from the file', (d) => d.get('acme.team') === '1 sample events · string');
    const edited = lines({ acme: { site: 'lab' } }, { acme: { site: 'hq' }, event: { category: 'network' } });
    await server.connection.sendNotification('eqlWorkbench/sampleText', { uri: pathToFileURL(sample).toString(), text: edited });
    await until(server, rule, 'the unsaved text instead of the file', (d) => d.get('acme.site') === '2 sample events · string' && !d.has('acme.team'));
    await server.connection.sendNotification('eqlWorkbench/sampleText', { uri: pathToFileURL(sample).toString(), text: null });
    await until(server, rule, 'the file again', (d) => d.get('acme.team') === '1 sample events · string' && !d.has('acme.site'));
  });

  it('ignores the text of files the samples glob does not match, and malformed notifications', async () => {
    await server.connection.sendNotification('eqlWorkbench/sampleText', { uri: pathToFileURL(path.join(dir, 'notes.txt')).toString(), text: lines({ acme: { note: 'x' } }) });
    await server.connection.sendNotification('eqlWorkbench/sampleText', { uri: 7, text: null });
    await server.connection.sendNotification('eqlWorkbench/sampleText', null);
    const details = await fieldDetails(server, rule);
    assert.equal(details.has('acme.note'), false);
    assert.equal(details.get('acme.team'), '1 sample events · string', 'still answering, with the file on disk');
    assert.ok(server.logMessages.some((m) => m.includes('eqlWorkbench/sampleText needs {uri: a file: URI, text: a string or null}')), server.logMessages.join('\n'));
  });

  it('drops, without an error, an unsaved sample that was never saved once it is closed', async () => {
    const unsaved = pathToFileURL(path.join(dir, 'new.ndjson')).toString();
    await server.connection.sendNotification('eqlWorkbench/sampleText', { uri: unsaved, text: lines({ acme: { draft: true } }) });
    await until(server, rule, 'the never-saved sample', (d) => d.get('acme.draft') === '1 sample events · boolean');
    await server.connection.sendNotification('eqlWorkbench/sampleText', { uri: unsaved, text: null });
    await until(server, rule, 'the closed never-saved sample gone', (d) => !d.has('acme.draft'));
    assert.ok(!server.logMessages.some((m) => m.includes('new.ndjson')), server.logMessages.join('\n'));
  });
});

describe('a change of the samples setting over LSP', () => {
  let server: TestServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'eql-glob-'));
  const rule = pathToFileURL(path.join(dir, 'rule.eql')).toString();
  const settings = { eqlWorkbench: { samples: '**/*.ndjson' } };
  before(async () => {
    writeFileSync(path.join(dir, 'a.ndjson'), lines({ alpha: { one: 'x' } }));
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'b.jsonl'), lines({ beta: { two: 'y' } }, { beta: { two: 'z' } }));
    server = await startServer('source', { rootUri: pathToFileURL(dir).toString(), settings, workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
    await server.open(rule, 'process where ');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
    rmSync(dir, { recursive: true, force: true });
  });

  const watched = () =>
    [...server.registrations.values()]
      .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
      .flatMap((r) => (r.registerOptions as { watchers: Array<{ globPattern: unknown }> }).watchers.map((w) => w.globPattern));

  it('re-indexes with the new glob, watches its files instead of the old ones, and indexes a new file it matches', async () => {
    await until(server, rule, 'a.ndjson indexed', (d) => d.get('alpha.one') === '1 sample events · string' && !d.has('beta.two'));
    assert.deepEqual(watched(), ['**/*.ndjson']);

    settings.eqlWorkbench.samples = 'logs/*.jsonl';
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await until(server, rule, 'logs/b.jsonl indexed, a.ndjson dropped', (d) => d.get('beta.two') === '2 sample events · string' && !d.has('alpha.one'));
    for (let i = 0; i < 100 && watched().join() !== '**/logs/*.jsonl'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(watched(), ['**/logs/*.jsonl'], 'one watcher, of the new glob');

    const created = path.join(dir, 'logs', 'c.jsonl');
    writeFileSync(created, lines({ gamma: { three: 1 } }));
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(created).toString(), type: 1 /* Created */ }] });
    await until(server, rule, 'logs/c.jsonl indexed', (d) => d.get('gamma.three') === '1 sample events · number');
    // A file of the old glob is no sample any more.
    writeFileSync(path.join(dir, 'd.ndjson'), lines({ alpha: { four: 'w' } }));
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(dir, 'd.ndjson')).toString(), type: 1 }] });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await fieldDetails(server, rule)).has('alpha.four'), false);
  });
});
