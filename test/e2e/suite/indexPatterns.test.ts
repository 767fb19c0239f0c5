/**
 * A detection-rules TOML rule replays only over the events of its own indices (`[rule] index`), and
 * the Replay Results view says what each pattern kept, as an author sees it.
 *
 * Fixture written by the test (removed afterwards): rules/index-patterns.toml, an event query
 * `process where process.name == "cmd.exe"` with `index = ["logs-endpoint.events.process-*",
 * "winlogbeat-*"]`, over indexed/events.ndjson (1-based lines), every line a cmd.exe start:
 *   1 data_stream logs / endpoint.events.process / default  -> data stream logs-endpoint.events.process-default: kept
 *   2 data_stream logs / windows.sysmon_operational / default -> logs-windows.sysmon_operational-default: no pattern, left out
 *   3 no data_stream                                         -> kept (nothing says where it is stored)
 * (ECS `data_stream`: the data stream is `<type>-<dataset>-<namespace>`.)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, hoverMarkdownAt, replay, useSamplesGlob, type EqlWorkbenchApi } from './helpers';

const RULE = `[rule]
name = "cmd.exe starts"
type = "eql"
language = "eql"
index = ["logs-endpoint.events.process-*", "winlogbeat-*"]
query = '''
process where process.name == "cmd.exe"
'''
`;

const start = (s: number, dataStream?: object) =>
  JSON.stringify({ '@timestamp': `2026-01-10T10:00:0${s}Z`, event: { category: 'process', type: 'start' }, process: { name: 'cmd.exe' }, ...(dataStream ? { data_stream: dataStream } : {}) });

describe('index patterns of a detection rule', () => {
  let api: EqlWorkbenchApi;
  let restoreSamples: () => Promise<void>;
  const rule = () => fixtureUri('rules/index-patterns.toml');
  const events = () => fixtureUri('indexed/events.ndjson');
  const config = () => vscode.workspace.getConfiguration('eqlWorkbench');

  before(async () => {
    api = await extensionApi();
    await vscode.workspace.fs.writeFile(rule(), new TextEncoder().encode(RULE));
    const lines = [
      start(1, { type: 'logs', dataset: 'endpoint.events.process', namespace: 'default' }),
      start(2, { type: 'logs', dataset: 'windows.sysmon_operational', namespace: 'default' }),
      start(3),
    ];
    await vscode.workspace.fs.writeFile(events(), new TextEncoder().encode(lines.join('\n') + '\n'));
    restoreSamples = await useSamplesGlob('indexed/*.ndjson');
  });

  after(async () => {
    await config().update('replay.indexFilter', undefined, vscode.ConfigurationTarget.Workspace);
    await restoreSamples();
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    await vscode.workspace.fs.delete(rule());
    await vscode.workspace.fs.delete(fixtureUri('indexed'), { recursive: true });
  });

  it('replays only the events of the rule\'s indices and those without index information', async () => {
    const result = await replay(rule());
    assert.deepEqual(
      result.matches.map((m) => m.events.map((e) => e.line)),
      [[1], [3]],
    );
  });

  it('shows in the results view what each pattern kept and where the left-out events come from', () => {
    const index = api.getResultsTree().find((item) => item.label === 'Index patterns');
    assert.deepEqual(index, {
      label: 'Index patterns',
      description: '2 events kept · 1 left out',
      children: [
        { label: 'logs-endpoint.events.process-*', description: '1 event kept' },
        { label: 'winlogbeat-*', description: '0 events kept' },
        { label: 'No pattern matches', description: '1 event left out' },
        { label: 'No _index or data_stream', description: '1 event kept' },
        {
          label: 'Left out from',
          description: 'logs-windows.sysmon_operational-default',
          children: [{ label: 'logs-windows.sysmon_operational-default', description: '1 event left out' }],
        },
      ],
    });
    assert.match(api.getResultsHeader().message, /^Index patterns: 2 events kept, 1 left out \(from indices the rule does not search\)\.$/m);
  });

  it('says on hover of a left-out event that it is not replayed, and where it comes from', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(events()), { preview: false });
    const markdown = await hoverMarkdownAt(events(), new vscode.Position(1, 2));
    // The index name is appended as text: Markdown escapes its punctuation with backslashes.
    const text = markdown.replace(/\\([-_.])/g, '$1');
    assert.match(text, /^\*\*Not replayed\*\*: this event comes from logs-windows\.sysmon_operational-default, which none of the rule's index patterns resolves to/);
  });

  it('replays every event with eqlWorkbench.replay.indexFilter off, and shows no index patterns', async () => {
    await config().update('replay.indexFilter', false, vscode.ConfigurationTarget.Workspace);
    const result = await replay(rule());
    assert.deepEqual(
      result.matches.map((m) => m.events.map((e) => e.line)),
      [[1], [2], [3]],
    );
    assert.equal(api.getResultsTree().find((item) => item.label === 'Index patterns'), undefined);
  });
});
