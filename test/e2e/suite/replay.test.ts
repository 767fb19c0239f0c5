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
 * client/src/replay/format.ts (`▶ N sequences matched in M sample files`, `sequence 2 · stage 2/2 ·
 * host.id=abc · +3 min`, `Sequence 1 — host.id=abc`, `stage 1 · file.ndjson:12`).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, numberedProcessEvents, openRule, replay, replayLens, useSamplesGlob, useWorkspaceSetting, waitFor, waitForLensTitle, type EqlWorkbenchApi } from './helpers';

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

  it('puts the CodeLens below a nested block comment, on the line where the query starts', async () => {
    // Block comments nest in Elasticsearch's EqlBase.g4 (`BRACKETED_COMMENT: '/*' (BRACKETED_COMMENT|.)*? '*/'`):
    // the first `*/` (line 1) closes only the inner comment; the outer one ends on line 2, and the
    // query starts on line 3 (0-based).
    const uri = fixtureUri('rules/nested-comment.eql');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('/* outer\n /* inner */\n still a comment */\nprocess where true\n'));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
      const lens = await waitForLensTitle(uri, REPLAY_TITLE);
      assert.equal(lens.range.start.line, 3);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(uri);
    }
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

  it('puts the match count in the CodeLens, behind a ▶ (clicking replays again)', async () => {
    const lens = await waitForLensTitle(sequenceRule(), '▶ 2 sequences matched in 2 sample files');
    assert.equal(lens.range.start.line, 1);
    assert.equal(lens.command?.command, 'eqlWorkbench.replay');
  });

  it('names the rule and the summary at the top of the results view', () => {
    const { message, description } = api.getResultsHeader();
    assert.equal(message, 'rules/cmd-then-https.eql: 2 sequences matched in 2 sample files.');
    assert.equal(description, 'rules/cmd-then-https.eql · 2 sequences matched in 2 sample files');
  });

  it('shows the results view after the first replay of the session, not after later ones', async () => {
    await waitFor('the results view to be visible', () => api.isResultsViewVisible());
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor('the results view to be hidden', () => !api.isResultsViewVisible());
    await replay(sequenceRule());
    // The command awaits its follow-ups (showing the view included), so the layout is settled here.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(api.isResultsViewVisible(), false);
  });

  it('decorates the matched lines of each sample file', () => {
    assert.deepEqual(api.getDecorations(A()), [
      { line: 1, text: 'sequence 1 · stage 1/2 · host.id=h1' },
      { line: 3, text: 'sequence 2 · stage 1/2 · host.id=h2' },
    ]);
    assert.deepEqual(api.getDecorations(B()), [
      // The gap since stage 1: A1 10:00:00 → B2 10:02:00, A3 10:01:00 → B4 10:04:00.
      { line: 2, text: 'sequence 1 · stage 2/2 · host.id=h1 · +2 min' },
      { line: 4, text: 'sequence 2 · stage 2/2 · host.id=h2 · +3 min' },
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
    await waitForLensTitle(eventRule(), '▶ 3 events matched in 2 sample files');
    assert.deepEqual(
      api.getDecorations(A()).map((d) => d.line),
      [1, 3, 4],
    );
    assert.deepEqual(api.getDecorations(B()), []);
    // One replay is shown at a time: the sequence rule's lens is back to its plain title.
    await waitForLensTitle(sequenceRule(), REPLAY_TITLE);
  });

  it('lists each event-query match as one clickable row: file:line · category · action · process, timestamp', () => {
    // A1, A3, A4 of a-process.ndjson (header of this file): process start events of cmd.exe.
    const tree = api.getResultsTree();
    assert.deepEqual(
      tree.map((m) => [m.label, m.description, m.children, m.command?.command, m.command?.arguments]),
      [
        ['a-process.ndjson:1 · process · start · cmd.exe', '2026-01-10T10:00:00.000Z', undefined, 'eqlWorkbench.openMatchEvent', [A().toString(), 1]],
        ['a-process.ndjson:3 · process · start · cmd.exe', '2026-01-10T10:01:00.000Z', undefined, 'eqlWorkbench.openMatchEvent', [A().toString(), 3]],
        ['a-process.ndjson:4 · process · start · cmd.exe', '2026-01-10T10:20:00.000Z', undefined, 'eqlWorkbench.openMatchEvent', [A().toString(), 4]],
      ],
    );
  });

  it('clears the replay: no decorations, empty results view, plain lens', async () => {
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    assert.deepEqual(api.getDecorations(A()), []);
    assert.deepEqual(api.getResultsTree(), []);
    const lens = await waitForLensTitle(eventRule(), REPLAY_TITLE);
    assert.equal(lens.range.start.line, 0);
    assert.ok(await replayLens(sequenceRule()));
  });

  describe('when what the replay was computed from changes', () => {
    const config = () => vscode.workspace.getConfiguration('eqlWorkbench');
    const FRESH = '▶ 2 sequences matched in 2 sample files';

    beforeEach(async () => {
      await openRule('cmd-then-https.eql');
      await replay(sequenceRule());
      await waitForLensTitle(sequenceRule(), FRESH);
    });

    after(async () => {
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    });

    /** Reverts the file's unsaved edits (the fixture stays as on disk for later tests). */
    async function revert(uri: vscode.Uri): Promise<void> {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await waitFor(`${uri.path} to be reverted`, () => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && !d.isDirty));
    }

    it('says the rule changed, still offering to replay, once the rule is edited', async () => {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(sequenceRule()));
      const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
      assert.ok(await editor.edit((e) => e.insert(end, ' ')));
      const lens = await waitForLensTitle(sequenceRule(), '▶ Replay again — rule changed (last: 2 sequences matched in 2 sample files)');
      assert.equal(lens.command?.command, 'eqlWorkbench.replay');
      assert.ok(api.getResultsHeader().message.split('\n').includes('Out of date: the rule changed since this replay; replay again.'));
      await revert(sequenceRule());
      await replay(sequenceRule());
      await waitForLensTitle(sequenceRule(), FRESH);
    });

    it('drops the decorations of a sample file edited after the replay and says the samples changed', async () => {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(A()), { preview: false });
      // Inserting a line at the top moves every event of A down by one: the old marks would be wrong.
      assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), '\n')));
      await waitForLensTitle(sequenceRule(), '▶ Replay again — samples changed (last: 2 sequences matched in 2 sample files)');
      assert.deepEqual(api.getDecorations(A()), []);
      // B was not edited: its marks are still right.
      assert.deepEqual(
        api.getDecorations(B()).map((d) => d.line),
        [2, 4],
      );
      assert.ok(api.getResultsHeader().message.split('\n').includes('Out of date: the sample files changed since this replay; replay again.'));
      await revert(A());
    });

    it('replays the unsaved text of an edited sample file, not the file on disk', async () => {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(A()), { preview: false });
      // A4 (line 4) is the h3 cmd.exe start; renaming its process in the editor only (unsaved) leaves
      // A1 and A3 as the cmd.exe starts (header of this file).
      const line4 = editor.document.lineAt(3);
      const at = line4.text.indexOf('"cmd.exe"');
      assert.ok(at > 0, line4.text);
      assert.ok(await editor.edit((e) => e.replace(new vscode.Range(3, at, 3, at + '"cmd.exe"'.length), '"notepad.exe"')));
      assert.ok(editor.document.isDirty);
      try {
        const result = await replay(eventRule());
        assert.deepEqual(
          result.matches.map((m) => m.events.map((e) => [e.file, e.line])),
          [[[A().fsPath, 1]], [[A().fsPath, 3]]],
        );
        assert.deepEqual(
          api.getDecorations(A()).map((d) => d.line),
          [1, 3],
        );
      } finally {
        await revert(A());
      }
    });

    it('says the settings changed once an eqlWorkbench setting changes', async () => {
      const previous = config().inspect<string>('tiebreakerField')?.workspaceValue;
      await config().update('tiebreakerField', 'process.pid', vscode.ConfigurationTarget.Workspace);
      try {
        await waitForLensTitle(sequenceRule(), '▶ Replay again — settings changed (last: 2 sequences matched in 2 sample files)');
      } finally {
        await config().update('tiebreakerField', previous, vscode.ConfigurationTarget.Workspace);
      }
    });
  });

  describe('with settings that explain an empty result', () => {
    const config = () => vscode.workspace.getConfiguration('eqlWorkbench');
    let previousSamples: string | undefined;
    let previousTimestamp: string | undefined;

    before(() => {
      previousSamples = config().inspect<string>('samples')?.workspaceValue;
      previousTimestamp = config().inspect<string>('timestampField')?.workspaceValue;
    });

    afterEach(async () => {
      await config().update('samples', previousSamples, vscode.ConfigurationTarget.Workspace);
      await config().update('timestampField', previousTimestamp, vscode.ConfigurationTarget.Workspace);
      await waitFor('the settings to be restored', () => config().get('samples') === previousSamples && config().get('timestampField') === previousTimestamp);
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    });

    it('says that no sample file matches the glob: lens, notification and results view', async () => {
      await config().update('samples', 'nothing/**/*.ndjson', vscode.ConfigurationTarget.Workspace);
      await waitFor('the samples setting to apply', () => config().get('samples') === 'nothing/**/*.ndjson');
      const result = await replay(eventRule());
      assert.deepEqual(result.sampleFiles, []);
      assert.deepEqual(result.notifications, ['No sample files match “nothing/**/*.ndjson” in the workspace (setting eqlWorkbench.samples).']);
      await waitForLensTitle(eventRule(), '▶ No sample files match "nothing/**/*.ndjson"');
      assert.deepEqual(api.getResultsHeader().message.split('\n'), [
        'rules/cmd-started.eql: No matches in 0 sample files.',
        'No sample files match “nothing/**/*.ndjson” in the workspace (setting eqlWorkbench.samples).',
      ]);
    });

    it('lists the engine warnings in the results view', async () => {
      // None of the 9 fixture events (4 in A, 5 in B) has event.created, so nothing matches. The warning
      // counts the 7 that some stage's filter passes (3 cmd.exe starts, 4 connections to port 443);
      // the powershell.exe start and the port 80 connection are dropped before their timestamp is read.
      await config().update('timestampField', 'event.created', vscode.ConfigurationTarget.Workspace);
      await waitFor('the timestampField setting to apply', () => config().get('timestampField') === 'event.created');
      await replay(sequenceRule());
      const lines = api.getResultsHeader().message.split('\n');
      assert.equal(lines[0], 'rules/cmd-then-https.eql: No matches in 2 sample files.');
      assert.ok(
        lines.some((l) => l.startsWith('Warning: 7 event(s) that pass a filter of the rule skipped: no readable "event.created" value')),
        JSON.stringify(lines),
      );
    });
  });

  describe('with thousands of matched lines in one file', () => {
    const LINES = 20_000;
    const many = () => fixtureUri('many/many.ndjson');
    const anyRule = () => fixtureUri('many/any.eql');
    let restoreSamples: () => Promise<void>;

    before(async () => {
      // 20,000 process events, one a second from 2026-01-10T00:00:00Z; `any where true` matches each.
      await vscode.workspace.fs.writeFile(many(), new TextEncoder().encode(numberedProcessEvents(LINES)));
      await vscode.workspace.fs.writeFile(anyRule(), new TextEncoder().encode('any where true\n'));
      restoreSamples = await useSamplesGlob('many/*.ndjson');
    });

    after(async () => {
      await restoreSamples();
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('shows "Replaying…" in the lens while the replay runs', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(anyRule()));
      await waitForLensTitle(anyRule(), REPLAY_TITLE);
      const running = vscode.commands.executeCommand('eqlWorkbench.replay', anyRule());
      await waitForLensTitle(anyRule(), '$(sync~spin) Replaying…');
      await running;
    });

    it('counts with thousands separators and decorates only the first 1,000 lines of the file', async () => {
      await waitForLensTitle(anyRule(), '▶ 20,000 events matched in 1 sample file');
      const decorations = api.getDecorations(many());
      assert.equal(decorations.length, 1000);
      assert.deepEqual(decorations[0], { line: 1, text: 'event 1' });
      assert.deepEqual(decorations[999], { line: 1000, text: 'event 1000' });
      assert.ok(
        api.getResultsHeader().message.split('\n').includes('Only the first 1,000 matched lines of each sample file are decorated (most: 20,000 in many.ndjson).'),
        api.getResultsHeader().message,
      );
      // Opening and closing the file with its decorations must not block the workbench.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(many()), { preview: false });
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
  });

  describe('with replays that overlap, or edits made while a replay runs', () => {
    const LINES = 150_000;
    const big = () => fixtureUri('slow/big.ndjson');
    const slowRule = () => fixtureUri('slow/first.eql');
    const brokenRule = () => fixtureUri('rules/broken.eql');
    const FRESH = '▶ 1 event matched in 1 sample file';
    const RUNNING = '$(sync~spin) Replaying…';
    let restoreSamples: () => Promise<void>;
    let restoreCache: () => Promise<void>;

    before(async () => {
      // These tests act while a replay reads the samples: re-runs from parsed samples kept in
      // memory would end before the edit is made, so that cache is turned off here.
      restoreCache = await useWorkspaceSetting('replay.cacheBudgetMB', 0);
      // 150,000 process events, one a second from 2026-01-10T00:00:00Z, numbered n = 1…; the rule
      // matches only n == 1 (line 1). Reading them takes long enough to act while the replay runs.
      await vscode.workspace.fs.writeFile(big(), new TextEncoder().encode(numberedProcessEvents(LINES)));
      await vscode.workspace.fs.writeFile(slowRule(), new TextEncoder().encode('process where n == 1\n'));
      restoreSamples = await useSamplesGlob('slow/*.ndjson');
    });

    beforeEach(async () => {
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    });

    after(async () => {
      await restoreSamples();
      await restoreCache();
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    /** Starts a replay without waiting for it; `settled()` says whether it has ended. */
    function startReplay(rule: vscode.Uri): { done: Promise<unknown>; settled: () => boolean; sent: () => Promise<unknown> } {
      let ended = false;
      const before = api.replayRequestsSent();
      const done = Promise.resolve(vscode.commands.executeCommand('eqlWorkbench.replay', rule)).finally(() => (ended = true));
      // Resolves once the request is on its way (its rule and sample versions are recorded).
      const sent = () => waitFor('the replay request to be sent', () => api.replayRequestsSent() > before);
      return { done, settled: () => ended, sent };
    }

    /** The slow rule's lens title once it no longer reads "Replaying…". */
    function settledLensTitle(): Promise<string> {
      return waitFor('the lens to stop reading "Replaying…"', async () => {
        const title = (await replayLens(slowRule()))?.command?.title;
        return title !== undefined && title !== RUNNING ? title : undefined;
      });
    }

    it('does not let a slower, older replay overwrite the result of a newer one', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(slowRule()));
      const older = startReplay(slowRule());
      await waitForLensTitle(slowRule(), RUNNING);
      await older.sent();
      // The broken rule has errors: it is answered without reading any sample. Its request
      // cancels the older replay in the language server (a newer replay cancels the one running).
      const newer = await replay(brokenRule());
      assert.ok(newer.ruleErrors.length > 0);
      assert.equal(await older.done, undefined, 'the older replay was cancelled: no result');
      // The newer replay showed nothing (its rule has errors); the older one's match must not appear.
      assert.equal((await replayLens(slowRule()))?.command?.title, REPLAY_TITLE);
      assert.deepEqual(api.getDecorations(big()), []);
      assert.deepEqual(api.getResultsTree(), []);
    });

    it('keeps "Replaying…" while the newer replay runs when an older one ends first', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(slowRule()));
      const older = startReplay(brokenRule());
      // Sent in this order (a newer replay request cancels the one running in the server).
      await older.sent();
      const newer = startReplay(slowRule());
      await older.done;
      assert.ok(!newer.settled(), 'the newer replay was still running when the older one ended');
      assert.equal((await replayLens(slowRule()))?.command?.title, RUNNING);
      await newer.done;
      await waitForLensTitle(slowRule(), FRESH);
    });

    it('shows the result as out of date when the rule is edited while the replay runs', async () => {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(slowRule()));
      const running = startReplay(slowRule());
      await waitForLensTitle(slowRule(), RUNNING);
      await running.sent();
      assert.ok(await editor.edit((e) => e.insert(editor.document.lineAt(0).range.end, ' ')));
      assert.ok(!running.settled(), 'the replay was still running when the rule was edited');
      await running.done;
      try {
        assert.equal(await settledLensTitle(), '▶ Replay again — rule changed (last: 1 event matched in 1 sample file)');
      } finally {
        await vscode.commands.executeCommand('workbench.action.files.revert');
        await waitFor('the rule to be reverted', () => !editor.document.isDirty);
      }
    });

    it('shows the result as out of date and drops the edited file\'s marks when a sample is edited while the replay runs', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(slowRule()));
      const sample = await vscode.workspace.openTextDocument(big());
      const running = startReplay(slowRule());
      await waitForLensTitle(slowRule(), RUNNING);
      await running.sent();
      const edit = new vscode.WorkspaceEdit();
      // A blank line on top moves every event down by one: the mark on line 1 would be wrong.
      edit.insert(big(), new vscode.Position(0, 0), '\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(!running.settled(), 'the replay was still running when the sample was edited');
      await running.done;
      try {
        assert.equal(await settledLensTitle(), '▶ Replay again — samples changed (last: 1 event matched in 1 sample file)');
        assert.deepEqual(api.getDecorations(big()), []);
      } finally {
        await vscode.window.showTextDocument(sample, { preview: false });
        await vscode.commands.executeCommand('workbench.action.files.revert');
        await waitFor('the sample to be reverted', () => !sample.isDirty);
      }
    });
  });

  describe('with a malformed sample line', () => {
    const mixed = () => fixtureUri('malformed/mixed.ndjson');

    // Puts back the fixture's own samples value afterwards, so later tests replay the same files.
    let restoreSamples: () => Promise<void>;

    before(async () => {
      restoreSamples = await useSamplesGlob('malformed/*.ndjson');
    });

    after(async () => {
      await restoreSamples();
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
      // Line 2 is 135 characters long and ends inside an object: JSON.parse stops at its end,
      // which the message gives 1-based as column 136; the warning starts there (0-based 135).
      assert.deepEqual(
        ds.map((d) => [d.range.start.line, d.range.start.character, d.severity]),
        [[1, 135, vscode.DiagnosticSeverity.Warning]],
      );
      assert.match(ds[0].message, /at column 136/);
      assert.deepEqual(result.notifications, ['1 malformed NDJSON line skipped (first: mixed.ndjson:2).']);
      assert.ok(api.getResultsHeader().message.split('\n').includes('1 malformed NDJSON line skipped (see the Problems view).'));
    });

    it('does not repeat the notification when the same lines are skipped again', async () => {
      const result = await replay(eventRule());
      assert.equal(result.malformedLines.length, 1);
      assert.deepEqual(result.notifications, []);
      assert.equal(vscode.languages.getDiagnostics(mixed()).length, 1);
    });

    it('clears the warning with the replay', async () => {
      await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
      await waitFor('no diagnostics on the sample file', () => vscode.languages.getDiagnostics(mixed()).length === 0);
    });

    it('clears the warning of a sample file once it is edited', async () => {
      await replay(eventRule());
      await waitFor('a warning on the malformed line', () => vscode.languages.getDiagnostics(mixed()).length === 1);
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mixed()), { preview: false });
      assert.ok(await editor.edit((e) => e.insert(new vscode.Position(1, editor.document.lineAt(1).text.length), '}}')));
      await waitFor('no diagnostics on the edited sample file', () => vscode.languages.getDiagnostics(mixed()).length === 0);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });
  });
});
