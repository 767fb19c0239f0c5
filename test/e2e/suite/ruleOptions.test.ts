/**
 * A detection-rules TOML rule with `timestamp_override` and `event_category_override`, replayed
 * and explained in the editor as Kibana runs it (it sends them as the `_eql/search`
 * `timestamp_field` and `event_category_field`, over the workspace's `@timestamp` and
 * `event.category` settings): the CodeLens count, the per-stage counts beside the rule, the hover
 * on a sample line and the "Why not?" part of the results view all order the events by
 * `event.ingested`.
 *
 * Fixture written by the test (removed afterwards): rules/ingested.toml, `sequence by host.id with
 * maxspan=10s [start where process.name == "a"] [start where process.name == "b"]`, over
 * ingested/events.ndjson (1-based lines; every event has event.type "start", none event.category):
 *
 *   line  host  process  @timestamp   event.ingested
 *   1     h     a        00:00:02     00:00:05
 *   2     h     b        00:00:01     00:00:06
 *   3     h2    a        00:01:00     00:01:00
 *   4     h2    b        00:01:05     00:01:30
 *
 * By event.ingested (worked by hand; EQL syntax reference: a sequence completes within maxspan of
 * its first event): h: a then b 1 s later, one sequence (lines 1, 2); h2: b comes 30 s after a,
 * beyond maxspan 10 s by 20 s: expired. (By @timestamp it would be h2's lines 3, 4 instead.)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, replay, useSamplesGlob, waitFor, waitForHover, waitForLensTitle, type EqlWorkbenchApi } from './helpers';

const RULE = `[rule]
name = "Ordered by ingest time"
type = "eql"
language = "eql"
timestamp_override = "event.ingested"
event_category_override = "event.type"
query = '''
sequence by host.id with maxspan=10s
  [start where process.name == "a"]
  [start where process.name == "b"]
'''
`;

const event = (host: string, name: string, timestamp: string, ingested: string) =>
  JSON.stringify({ '@timestamp': `2026-01-10T${timestamp}Z`, event: { ingested: `2026-01-10T${ingested}Z`, type: 'start' }, host: { id: host }, process: { name } });

describe('a TOML rule with timestamp_override in the editor', () => {
  let api: EqlWorkbenchApi;
  let restoreSamples: () => Promise<void>;
  const rule = () => fixtureUri('rules/ingested.toml');
  const events = () => fixtureUri('ingested/events.ndjson');

  before(async () => {
    api = await extensionApi();
    await vscode.workspace.fs.writeFile(rule(), new TextEncoder().encode(RULE));
    const lines = [event('h', 'a', '00:00:02', '00:00:05'), event('h', 'b', '00:00:01', '00:00:06'), event('h2', 'a', '00:01:00', '00:01:00'), event('h2', 'b', '00:01:05', '00:01:30')];
    await vscode.workspace.fs.writeFile(events(), new TextEncoder().encode(lines.join('\n') + '\n'));
    restoreSamples = await useSamplesGlob('ingested/*.ndjson');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule()), { preview: false });
  });

  after(async () => {
    await restoreSamples();
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(rule());
    await vscode.workspace.fs.delete(fixtureUri('ingested'), { recursive: true });
  });

  it('replays by event.ingested: one sequence, lines 1 and 2, and the CodeLens counts it', async () => {
    const result = await replay(rule());
    assert.deepEqual(result.matches.map((m) => m.events.map((e) => e.line)), [[1, 2]]);
    await waitForLensTitle(rule(), '▶ 1 sequence matched in 1 sample file');
  });

  it('counts the events of event.type "start" beside each stage', async () => {
    const hints = await waitFor('the stage-count hints', async () => {
      const all = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', rule(), new vscode.Range(0, 0, 11, 0))) ?? [];
      const h = all.filter((x) => typeof x.label === 'string' && / passed$/.test(x.label)).map((x) => [x.position.line, x.position.character, x.label as string]);
      return h.length === 2 ? h : undefined;
    });
    // Each stage's `]` ends its line of 35 characters (lines 8 and 9, 0-based).
    assert.deepEqual(hints, [
      [8, 35, '4 start events · 2 passed'],
      [9, 35, '4 start events · 2 passed'],
    ]);
  });

  it('the hover on line 4 says it came 30 s after line 3 by event.ingested, beyond maxspan by 20 s', async () => {
    const plain = (markdown: string) => markdown.replace(/\\([\\`*_{}[\]()#+\-.!|<>~$])/g, '$1');
    const text = plain(await waitForHover(events(), new vscode.Position(3, 3), 'the explanation', (md) => plain(md).includes('Why?')));
    assert.match(text, /outside maxspan by 20 s: 30 s after the sequence's first event events\.ndjson:3 \(maxspan 10 s\)/);
  });

  it('lists the expired sequence of h2 under “Why not?”', async () => {
    const why = await waitFor('the Why not? item', () => api.getWhyNotTree());
    assert.equal(why.description, '4 events replayed · 1 sequence completed');
    const partials = why.children?.find((c) => c.label === 'Partial sequences');
    assert.deepEqual(
      partials?.children?.map((p) => [p.description, p.children?.map((c) => c.label)]),
      [['h2 · expired: stage 2 came 30 s after the first event (events.ndjson:4), beyond maxspan 10 s by 20 s', ['events.ndjson:3']]],
    );
  });
});
