/**
 * Replaying rules over the fixture samples, as an author does it: the CodeLens, the command's
 * result, the match decorations in the NDJSON files, the results view and jumping to an event.
 *
 * Expected matches are worked out by hand from samples/a-process.ndjson (A) and
 * samples/b-network.ndjson (B) (1-based lines; times 2026-01-10, UTC):
 *   A1 10:00:00 process cmd.exe h1    B1 10:00:10 network :443 h2
 *   A2 10:00:30 process powershell h2 B2 10:02:00 network :443 h1
 *   A3 10:01:00 process cmd.exe h2    B3 10:03:00 network :80  h2
 *   A4 10:20:00 process cmd.exe h3    B4 10:04:00 network :443 h2
 *                                     B5 10:30:00 network :443 h3
 * rules/cmd-then-https.eql: `sequence by host.id with maxspan=5m [process where process.name ==
 * "cmd.exe"] [network where destination.port == 443]`
 *   h1: A1 then B2, 2 min apart            -> match
 *   h2: B1 comes before any cmd.exe of h2 (stages are ordered), B3 is port 80; A3 then B4, 3 min -> match
 *   h3: A4 then B5 are 10 min apart > maxspan 5m (EQL syntax reference, "maxspan") -> no match
 *   Sequences are returned in the order of their events' timestamps: h1 (10:00) before h2 (10:01).
 * rules/cmd-started.eql: `process where process.name == "cmd.exe"` -> A1, A3, A4 in time order.
 * malformed/mixed.ndjson (used with eqlWorkbench.samples = "malformed/*.ndjson"): line 2 is a
 *   truncated JSON object, lines 1 and 3 are cmd.exe starts -> matches on 1 and 3, line 2 reported.
 *
 * Texts of the lens, decorations and results view follow the formats documented in
 * client/src/replay/format.ts (`N sequences matched in M sample files`, `◀ sequence 2 · stage 1/2 ·
 * host.id=abc`, `Sequence 1 — host.id=abc`, `stage 1 · file.ndjson:12`).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, openRule, replay, replayLens, waitFor, waitForLensTitle, type EqlWorkbenchApi } from './helpers';

const REPLAY_TITLE = '▶ Replay on samples';

describe('replay', () => {
  let api: EqlWorkbenchApi;
  const A = () => fixtureUri('samples/a-process.ndjson');
  const B = () => fixtureUri('samples/b-network.ndjson');
  const sequenceRule = () => fixtureUri('rules/cmd-then-https.eql');
  const eventRule = () => fixtureUri('rules/cmd-started.eql');

  before(async () => {
    await openRule('cmd-then-https.eql');
    api = await extensionApi();
  });

  it('shows the replay CodeLens on the first line of the query, below the comment', async () => {
    const lens = await waitForLensTitle(sequenceRule(), REPLAY_TITLE);
    // Line 0 is the `//` comment; the query (`sequence by …`) starts on line 1.
    assert.equal(lens.range.start.line, 1);
    assert.equal(String(lens.command?.arguments?.[0]), sequenceRule().toString());
  });

  it('returns the two sequences worked out by hand', async () => {
    const result = await replay(sequenceRule());
    assert.deepEqual(result.ruleErrors, []);
    assert.deepEqual(result.malformedLines, []);
    assert.deepEqual(result.sampleFiles, [A().fsPath, B().fsPath]);
    assert.deepEqual(result.matches, [
      {
        type: 'sequence',
        joinKeys: ['h1'],
        events: [
          { file: A().fsPath, line: 1, stage: 0, missing: false },
          { file: B().fsPath, line: 2, stage: 1, missing: false },
        ],
      },
      {
        type: 'sequence',
        joinKeys: ['h2'],
        events: [
          { file: A().fsPath, line: 3, stage: 0, missing: false },
          { file: B().fsPath, line: 4, stage: 1, missing: false },
        ],
      },
    ]);
  });

  it('puts the match count in the CodeLens', async () => {
    const lens = await waitForLensTitle(sequenceRule(), '2 sequences matched in 2 sample files');
    assert.equal(lens.range.start.line, 1);
  });

  it('decorates the matched lines of each sample file', () => {
    assert.deepEqual(api.getDecorations(A()), [
      { line: 1, text: '◀ sequence 1 · stage 1/2 · host.id=h1' },
      { line: 3, text: '◀ sequence 2 · stage 1/2 · host.id=h2' },
    ]);
    assert.deepEqual(api.getDecorations(B()), [
      { line: 2, text: '◀ sequence 1 · stage 2/2 · host.id=h1' },
      { line: 4, text: '◀ sequence 2 · stage 2/2 · host.id=h2' },
    ]);
  });

  it('lists the matches and their events in the results view', () => {
    const tree = api.getResultsTree();
    assert.deepEqual(
      tree.map((m) => [m.label, m.children?.map((e) => [e.label, e.description])]),
      [
        [
          'Sequence 1 — host.id=h1',
          [
            ['stage 1 · a-process.ndjson:1', 'process · start · cmd.exe'],
            ['stage 2 · b-network.ndjson:2', 'network · connection_attempted'],
          ],
        ],
        [
          'Sequence 2 — host.id=h2',
          [
            ['stage 1 · a-process.ndjson:3', 'process · start · cmd.exe'],
            ['stage 2 · b-network.ndjson:4', 'network · connection_attempted'],
          ],
        ],
      ],
    );
    // A match's time range: first → last event timestamp, as found in the documents.
    assert.equal(tree[1].description, '2026-01-10T10:01:00.000Z → 2026-01-10T10:04:00.000Z');
  });

  it('opens the event of a results-view item at its line', async () => {
    const item = api.getResultsTree()[1].children![1];
    assert.ok(item.command, 'event items run a command on click');
    assert.equal(item.command.command, 'eqlWorkbench.openMatchEvent');
    await vscode.commands.executeCommand(item.command.command, ...item.command.arguments);
    const editor = await waitFor('the sample file in the active editor', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === B().fsPath ? e : undefined;
    });
    // B4 is 1-based line 4 = VS Code line 3: the h2 connection to port 443 at 10:04.
    assert.equal(editor.selection.active.line, 3);
    const text = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(text, /"@timestamp":"2026-01-10T10:04:00.000Z"/);
  });

  it('opens an event by file and 1-based line with eqlWorkbench.openMatchEvent', async () => {
    await vscode.commands.executeCommand('eqlWorkbench.openMatchEvent', A(), 3);
    const editor = await waitFor('a-process.ndjson in the active editor', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === A().fsPath ? e : undefined;
    });
    assert.equal(editor.selection.active.line, 2);
    assert.match(editor.document.lineAt(2).text, /"pid":201/);
  });

  it('replays an event query: the three cmd.exe starts in time order', async () => {
    await openRule('cmd-started.eql');
    const result = await replay(eventRule());
    assert.deepEqual(
      result.matches,
      [1, 3, 4].map((line) => ({ type: 'event', joinKeys: [], events: [{ file: A().fsPath, line, stage: 0, missing: false }] })),
    );
    await waitForLensTitle(eventRule(), '3 events matched in 2 sample files');
    assert.deepEqual(
      api.getDecorations(A()).map((d) => d.line),
      [1, 3, 4],
    );
    assert.deepEqual(api.getDecorations(B()), []);
    // One replay is shown at a time: the sequence rule's lens is back to its plain title.
    await waitForLensTitle(sequenceRule(), REPLAY_TITLE);
  });

  it('clears the replay: no decorations, empty results view, plain lens', async () => {
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    assert.deepEqual(api.getDecorations(A()), []);
    assert.deepEqual(api.getResultsTree(), []);
    const lens = await waitForLensTitle(eventRule(), REPLAY_TITLE);
    assert.equal(lens.range.start.line, 0);
    assert.ok(await replayLens(sequenceRule()));
  });

  describe('with a malformed sample line', () => {
    const mixed = () => fixtureUri('malformed/mixed.ndjson');
    const config = () => vscode.workspace.getConfiguration('eqlWorkbench');

    // The fixture's own workspace value, put back afterwards so later tests replay the same files.
    let previous: string | undefined;

    before(async () => {
      previous = config().inspect<string>('samples')?.workspaceValue;
      await config().update('samples', 'malformed/*.ndjson', vscode.ConfigurationTarget.Workspace);
      await waitFor('the samples setting to apply', () => config().get('samples') === 'malformed/*.ndjson');
    });

    after(async () => {
      await config().update('samples', previous, vscode.ConfigurationTarget.Workspace);
      await waitFor('the samples setting to be restored', () => config().get('samples') === previous);
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    });

    it('skips the broken line, replays the others and reports it as a warning on its line', async () => {
      const result = await replay(eventRule());
      assert.deepEqual(result.sampleFiles, [mixed().fsPath]);
      assert.deepEqual(
        result.matches.map((m) => m.events.map((e) => [e.file, e.line])),
        [[[mixed().fsPath, 1]], [[mixed().fsPath, 3]]],
      );
      assert.deepEqual(
        result.malformedLines.map((m) => [m.file, m.line]),
        [[mixed().fsPath, 2]],
      );
      // The Problems view: one warning on VS Code line 1 (= 1-based line 2) of the sample file.
      const ds = await waitFor('a warning on the malformed line', () => {
        const found = vscode.languages.getDiagnostics(mixed());
        return found.length > 0 ? found : undefined;
      });
      assert.deepEqual(
        ds.map((d) => [d.range.start.line, d.severity]),
        [[1, vscode.DiagnosticSeverity.Warning]],
      );
    });

    it('clears the warning with the replay', async () => {
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
      await waitFor('no diagnostics on the sample file', () => vscode.languages.getDiagnostics(mixed()).length === 0);
    });
  });
});
