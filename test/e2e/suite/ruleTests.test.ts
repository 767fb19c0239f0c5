/**
 * Rule tests in the Testing view: the items of rules/cmd-then-https.test.toml appear (file and
 * cases, each case at its `[[case]]` line), a run started with VS Code's own `testing.runAll`
 * marks them passed and failed, the failure carries the expected and actual matches and is located
 * at the case, and each unexpected match is located at its first event's NDJSON line; edits to the
 * test file update its items.
 *
 * Hand-worked (see replay.test.ts): the rule matches h1 A1 → B2 and h2 A3 → B4 (a-process.ndjson,
 * b-network.ndjson, 1-based lines); h3's A4 → B5 are 10 min apart, beyond maxspan=5m. So case 1
 * (expects exactly those two) passes, and case 2 (expects only A4 → B5) fails: its match is missing
 * and the two actual matches are unexpected.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, waitFor, type EqlWorkbenchApi } from './helpers';

describe('rule tests in the Testing view', () => {
  let api: EqlWorkbenchApi;
  const testFile = () => fixtureUri('rules/cmd-then-https.test.toml');
  const PASSING = 'cmd.exe then https on h1 and h2';
  const FAILING = 'h3 within maxspan (wrong on purpose)';
  const caseId = (name: string) => `${testFile().toString()}#${name}`;

  before(async () => {
    api = await extensionApi();
  });

  it('lists the test file and its cases at their [[case]] lines', async () => {
    const items = await waitFor('the rule test file item with its cases', async () => {
      const found = (await api.ruleTestItems()).find((i) => i.id === testFile().toString());
      return found && found.children.length === 2 ? found : undefined;
    });
    assert.equal(items.label, 'rules/cmd-then-https.test.toml');
    assert.deepEqual(
      items.children.map((c) => [c.label, c.line]).sort(),
      [
        [PASSING, 4],
        [FAILING, 11],
      ].sort(),
    );
  });

  it('a run marks the cases passed and failed, with expected/actual and the locations of the case and of the unexpected matches', async () => {
    await vscode.commands.executeCommand('testing.runAll');
    const passed = await waitFor('the passing case reported', () => api.ruleTestOutcome(caseId(PASSING)), 30_000);
    assert.equal(passed.state, 'passed');
    const failed = await waitFor('the failing case reported', () => api.ruleTestOutcome(caseId(FAILING)), 30_000);
    assert.equal(failed.state, 'failed');
    const [main, ...offending] = failed.messages;
    // The case lists one match and no count: exactly that one is expected.
    assert.match(main.message, /^expected exactly 1 match, got 2\n1 expected match not found\n2 unexpected matches\n/);
    assert.equal(main.uri, testFile().toString());
    assert.equal(main.line, 12);
    assert.match(main.expected ?? '', /a-process\.ndjson:4 → .*b-network\.ndjson:5/);
    assert.match(main.actual ?? '', /a-process\.ndjson:1 → .*b-network\.ndjson:2\n.*a-process\.ndjson:3 → .*b-network\.ndjson:4/);
    assert.deepEqual(
      offending.map((m) => [m.uri, m.line]),
      [
        [fixtureUri('samples/a-process.ndjson').toString(), 1],
        [fixtureUri('samples/a-process.ndjson').toString(), 3],
      ],
    );
    assert.match(offending[0].message, /^unexpected match #1: /);
  });

  it('an edit of the test file updates its cases', async () => {
    const doc = await vscode.workspace.openTextDocument(testFile());
    await vscode.window.showTextDocument(doc, { preview: false });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(testFile(), new vscode.Position(doc.lineCount, 0), '\n[[case]]\nname = "added"\nmatches = 2\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      await waitFor('the added case', async () => (await api.ruleTestItems()).find((i) => i.id === testFile().toString())?.children.some((c) => c.label === 'added'));
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});

describe('recording a rule test case', () => {
  const testFile = () => fixtureUri('rules/cmd-then-https.test.toml');

  it('shows a CodeLens above each case and writes the current matches as the expected result', async () => {
    const doc = await vscode.workspace.openTextDocument(testFile());
    await vscode.window.showTextDocument(doc, { preview: false });
    const original = doc.getText();
    const lenses = await waitFor('the recording CodeLenses', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', testFile());
      const record = (found ?? []).filter((l) => l.command?.command === 'eqlWorkbench.recordRuleTestCase');
      return record.length === 2 ? record : undefined;
    });
    assert.deepEqual(lenses.map((l) => l.range.start.line).sort((a, b) => a - b), [4, 11]);
    try {
      // The CodeLens's command with its arguments; `confirmed` stands for the approval dialog.
      const outcome = await vscode.commands.executeCommand<{ written: boolean; matches: number }>(
        'eqlWorkbench.recordRuleTestCase',
        testFile().toString(),
        'h3 within maxspan (wrong on purpose)',
        { confirmed: true },
      );
      assert.deepEqual(outcome, { written: true, matches: 2 });
      const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(testFile()));
      // Hand-worked: the rule's two matches, h1 A1 → B2 and h2 A3 → B4; the fixture events have no stable id.
      assert.ok(
        written.endsWith(
          '[[case]]\nname = "h3 within maxspan (wrong on purpose)"\n[[case.match]]\nevents = ["../samples/a-process.ndjson:1", "../samples/b-network.ndjson:2"]\n[[case.match]]\nevents = ["../samples/a-process.ndjson:3", "../samples/b-network.ndjson:4"]\n',
        ),
        written,
      );
      // The first case is untouched.
      assert.equal(written.slice(0, written.indexOf('[[case]]\nname = "h3')), original.slice(0, original.indexOf('[[case]]\nname = "h3')));
    } finally {
      const edit = new vscode.WorkspaceEdit();
      const current = await vscode.workspace.openTextDocument(testFile());
      edit.replace(testFile(), new vscode.Range(current.positionAt(0), current.positionAt(current.getText().length)), original);
      await vscode.workspace.applyEdit(edit);
      await current.save();
    }
  });
});

describe('an exception from a matched event', () => {
  it('is proposed as a quick action on the event, written to the exception file, and removes that match', async () => {
    // Hand-worked: cmd-then-https.eql matches h1 (A1 → B2) and h2 (A3 → B4). A1 is alice's cmd.exe;
    // an exception for user.name = alice leaves A1 out, so h1 has no first stage and only h2 matches.
    const rule = fixtureUri('rules/cmd-then-https.eql');
    const A = fixtureUri('samples/a-process.ndjson');
    const api = await extensionApi();
    const config = () => vscode.workspace.getConfiguration('eqlWorkbench');
    const before = await vscode.commands.executeCommand<{ matches: unknown[] } | undefined>('eqlWorkbench.replay', rule);
    assert.equal(before?.matches.length, 2);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(A), { preview: false });
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', A, new vscode.Range(0, 0, 0, 0));
    const titles = (actions ?? []).map((a) => a.title);
    assert.ok(titles.includes('Add an exception for user.name = alice'), JSON.stringify(titles));
    assert.ok(titles.includes('Add an exception for process.name = cmd.exe'), JSON.stringify(titles));
    // Line 2 (powershell.exe of h2) is in no match: nothing is offered there.
    const none = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', A, new vscode.Range(1, 0, 1, 0));
    assert.ok(!(none ?? []).some((a) => a.title.startsWith('Add an exception')));
    const action = actions.find((a) => a.title === 'Add an exception for user.name = alice')!;
    const exceptionsFile = fixtureUri('exceptions.toml');
    try {
      await vscode.commands.executeCommand(action.command!.command, ...(action.command!.arguments ?? []));
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(exceptionsFile));
      assert.match(text, /\[\[exception\]\]\nname = "user\.name is alice"\nentries = \[\{ field = "user\.name", operator = "included", type = "match", value = "alice" \}\]\n/);
      assert.deepEqual(config().get('exceptions'), ['exceptions.toml']);
      const tree = await waitFor('the replay with the exception', () => {
        const t = api.getResultsTree();
        return t.some((i) => i.label === 'Removed by exceptions') ? t : undefined;
      });
      const matches = tree.filter((i) => i.label !== 'Removed by exceptions');
      assert.equal(matches.length, 1);
      assert.match(matches[0].label, /h2/);
      const removed = tree.find((i) => i.label === 'Removed by exceptions')!;
      assert.equal(removed.description, '1 match by 1 item');
      const item = removed.children![0];
      assert.deepEqual([item.label, item.description], ['user.name is alice', 'left out 1 event, removed 1 match']);
      assert.match(item.children![0].label, /h1/);
      assert.deepEqual(item.children![0].children!.map((c) => c.label), ['a-process.ndjson:1', 'b-network.ndjson:2']);
    } finally {
      await config().update('exceptions', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(exceptionsFile).then(undefined, () => undefined);
      await vscode.commands.executeCommand('eqlWorkbench.replay', rule);
    }
  });
});

describe('debugging a rule test case', () => {
  it('starts the replay debugger (eql-replay) with the case rule, samples and folder', async () => {
    const api = await extensionApi();
    const testFile = fixtureUri('rules/cmd-then-https.test.toml');
    await waitFor('the rule test items', async () => (await api.ruleTestItems()).some((i) => i.id === testFile.toString()));
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        sub.dispose();
        resolve(s);
      });
    });
    assert.equal(await api.debugRuleTest(`${testFile.toString()}#cmd.exe then https on h1 and h2`), true);
    const session = await started;
    try {
      assert.equal(session.type, 'eql-replay');
      assert.equal(session.configuration.rule, fixtureUri('rules/cmd-then-https.eql').fsPath);
      assert.deepEqual(session.configuration.samples, ['../samples']);
      assert.equal(session.configuration.cwd, fixtureUri('rules').fsPath);
    } finally {
      await vscode.debug.stopDebugging(session);
    }
  });
});

describe('saving a replay as the expected result', () => {
  it('offers a CodeLens on the replayed rule and writes the case "recorded from replay" into the test file beside it', async () => {
    const rule = fixtureUri('rules/cmd-then-https.eql');
    const testFile = fixtureUri('rules/cmd-then-https.test.toml');
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(testFile));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule), { preview: false });
    await vscode.commands.executeCommand('eqlWorkbench.replay', rule);
    const lens = await waitFor('the save-as-expected CodeLens', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', rule);
      return (lenses ?? []).find((l) => l.command?.command === 'eqlWorkbench.saveReplayAsExpected');
    });
    assert.equal(lens.command?.title, '$(record) Save these matches as the expected result');
    try {
      const outcome = await vscode.commands.executeCommand<{ written: boolean; matches: number }>('eqlWorkbench.saveReplayAsExpected', rule.toString(), { confirmed: true });
      assert.deepEqual([outcome?.written, outcome?.matches], [true, 2]);
      const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(testFile));
      assert.ok(written.startsWith(original.trimEnd()), 'the existing cases are kept');
      const added = written.slice(original.trimEnd().length);
      // Hand-worked (see the header): the two sequences h1 A1 → B2 and h2 A3 → B4.
      assert.match(added, /^\n\n\[\[case\]\]\nname = "recorded from replay"\nsamples = \[.*"\.\.\/samples\/a-process\.ndjson".*"\.\.\/samples\/b-network\.ndjson".*\]\n/);
      assert.ok(
        added.endsWith('[[case.match]]\nevents = ["../samples/a-process.ndjson:1", "../samples/b-network.ndjson:2"]\n[[case.match]]\nevents = ["../samples/a-process.ndjson:3", "../samples/b-network.ndjson:4"]\n'),
        added,
      );
    } finally {
      await vscode.workspace.fs.writeFile(testFile, new TextEncoder().encode(original));
    }
  });
});
