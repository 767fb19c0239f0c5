/**
 * Reasons in the editor after a replay, as an author sees them: per-stage counts as inlay hints
 * beside the rule (`.eql` and TOML), the hover on a sample line that says why the event passed or
 * failed each stage, the "Why not?" part of the results view, and the decorations the editor
 * actually received (their ranges read back, so a label drawn one line off fails).
 *
 * Worked out by hand from samples/a-process.ndjson (A) and samples/b-network.ndjson (B) with
 * rules/cmd-then-https.eql (`sequence by host.id with maxspan=5m [process where process.name ==
 * "cmd.exe"] [network where destination.port == 443]`), see replay.test.ts:
 *   stage 1: A1–A4 are the 4 process events; A1, A3, A4 are cmd.exe (3 pass), A2 is powershell.exe.
 *   stage 2: B1–B5 are the 5 network events; all but B3 (port 80) go to 443 (4 pass).
 *   h3: A4 10:20:00, B5 10:30:00: 600 s apart, 300 s beyond maxspan 5m = 300 s.
 *   B1 (h2, 10:00:10) passes stage 2 before any cmd.exe of h2; h1's sequence (A1) waits then.
 *   B3 (h2, 10:03:00, port 80) comes while h2's sequence of A3 (10:01:00) waits: 120 s later.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, hoverMarkdownAt, numberedProcessEvents, openRule, replay, useSamplesGlob, waitFor, waitForHover, type EqlWorkbenchApi } from './helpers';

/** The hover of a sample line as plain text (backslash escapes removed), once the replay's explanation is in it. */
async function hoverAt(uri: vscode.Uri, line: number): Promise<string> {
  const plain = (markdown: string) => markdown.replace(/\\([\\`*_{}[\]()#+\-.!|<>~$])/g, '$1');
  return plain(await waitForHover(uri, new vscode.Position(line, 3), 'the explanation', (md) => plain(md).includes('Why?')));
}

async function inlayHints(uri: vscode.Uri, lines: number): Promise<Array<[number, number, string]>> {
  const range = new vscode.Range(0, 0, lines, 0);
  const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, range)) ?? [];
  return hints
    .filter((h) => typeof h.label === 'string' && / passed$/.test(h.label))
    .map((h) => [h.position.line, h.position.character, h.label as string]);
}

describe('reasons in the editor', () => {
  let api: EqlWorkbenchApi;
  const A = () => fixtureUri('samples/a-process.ndjson');
  const B = () => fixtureUri('samples/b-network.ndjson');
  const rule = () => fixtureUri('rules/cmd-then-https.eql');

  before(async () => {
    await openRule('cmd-then-https.eql');
    api = await extensionApi();
    await replay(rule());
  });

  after(async () => {
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows per-stage counts as inlay hints at the end of each stage', async () => {
    const hints = await waitFor('the stage-count hints', async () => {
      const h = await inlayHints(rule(), 4);
      return h.length === 2 ? h : undefined;
    });
    // Stage 1 ends at the `]` of line 2 (43 characters), stage 2 at the end of line 3 (41).
    assert.deepEqual(hints, [
      [2, 43, '4 process events · 3 passed'],
      [3, 41, '5 network events · 4 passed'],
    ]);
  });

  it('hover on a near miss (B3, port 80) names the failing term with the event’s value, and the sequence that waited', async () => {
    const text = await hoverAt(B(), 2);
    assert.match(text, /Stage 1.*not passed/);
    assert.match(text, /event\.category is "network", not "process"/);
    assert.match(text, /Stage 2.*not passed/);
    assert.match(text, /destination\.port == 443.*destination\.port = 80/);
    assert.match(text, /destination\.port is 80, not 443/);
    assert.match(text, /a sequence of host\.id="h2" started at a-process\.ndjson:3 \(120 s before\) was waiting for stage 2/);
  });

  it('hover on B5 (h3): passes stage 2 but outside maxspan by 300 s', async () => {
    const text = await hoverAt(B(), 4);
    assert.match(text, /Stage 2.*passed/);
    assert.match(text, /outside maxspan by 300 s: 600 s after the sequence's first event a-process\.ndjson:4 \(maxspan 300 s\)/);
  });

  it('hover on A2 (powershell.exe) and B1 (before any cmd.exe of h2): value mismatch; other join key waiting', async () => {
    assert.match(await hoverAt(A(), 1), /process\.name is "powershell\.exe", not "cmd\.exe"/);
    assert.match(await hoverAt(B(), 0), /no sequence of this join key was waiting at stage 1; sequences of other join keys were waiting at stage 1: host\.id="h1"/);
  });

  it('lists “Why not?” in the results view: per stage, terms, near misses that open their event, partial sequences', async () => {
    const why = await waitFor('the Why not? item', () => api.getWhyNotTree());
    assert.equal(why.description, '9 events replayed · 2 sequences completed');
    const [stage1, stage2, partials, unmatched] = why.children ?? [];
    assert.deepEqual([stage1.label, stage1.description], ['Stage 1 [process]', '3 of 4 process events passed']);
    assert.deepEqual([stage2.label, stage2.description], ['Stage 2 [network]', '4 of 5 network events passed']);
    const [terms, nearMisses] = stage2.children ?? [];
    assert.deepEqual(terms.children?.map((t) => [t.label, t.description]), [['destination.port == 443', 'not true for 1 network event · the only failing term for 1']]);
    const miss = nearMisses.children?.[0];
    assert.ok(miss);
    assert.deepEqual([miss.label, miss.description], ['b-network.ndjson:3', '1 not true: destination.port == 443']);
    assert.deepEqual(miss.command, { command: 'eqlWorkbench.openMatchEvent', arguments: [B().toString(), 3] });
    assert.deepEqual([partials.label, partials.description], ['Partial sequences', '1 sequence never completed: 1 expired']);
    assert.deepEqual(
      partials.children?.map((p) => [p.label, p.description, p.children?.map((c) => c.label)]),
      [['expired after stage 1 of 2', 'h3 · expired: stage 2 came 600 s after the first event (b-network.ndjson:5), beyond maxspan 300 s by 300 s', ['a-process.ndjson:4']]],
    );
    assert.deepEqual([unmatched.label, unmatched.children?.map((u) => u.label)], ['Passed a stage with nothing waiting', ['b-network.ndjson:1']]);
    // Clicking a near miss opens its line.
    await vscode.commands.executeCommand(miss.command!.command, ...miss.command!.arguments);
    const editor = await waitFor('b-network.ndjson in the active editor', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath === B().fsPath ? e : undefined;
    });
    assert.equal(editor.selection.active.line, 2);
  });

  it('draws each decoration on the line of its event (ranges given to the editor, read back)', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(A()), { preview: false });
    const applied = await waitFor('decorations applied to a-process.ndjson', () => {
      const a = api.getAppliedDecorations(A());
      return a.length === 2 ? a : undefined;
    });
    assert.deepEqual(
      applied.map((d) => [d.line, d.text]),
      [
        [1, 'sequence 1 · stage 1/2 · host.id=h1'],
        [3, 'sequence 2 · stage 1/2 · host.id=h2'],
      ],
    );
    // The text of each decorated line is the matched event: A1 (h1, 10:00:00) and A3 (h2, 10:01:00, pid 201).
    assert.match(applied[0].lineText, /"@timestamp":"2026-01-10T10:00:00.000Z".*"host":\{"id":"h1"\}/);
    assert.match(applied[1].lineText, /"@timestamp":"2026-01-10T10:01:00.000Z".*"pid":201/);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(B()), { preview: false });
    const b = await waitFor('decorations applied to b-network.ndjson', () => {
      const x = api.getAppliedDecorations(B());
      return x.length === 2 ? x : undefined;
    });
    assert.deepEqual(b.map((d) => d.line), [2, 4]);
    assert.match(b[0].lineText, /"@timestamp":"2026-01-10T10:02:00.000Z".*"id":"h1"/);
    assert.match(b[1].lineText, /"@timestamp":"2026-01-10T10:04:00.000Z".*"id":"h2".*"port":443/);
  });

  it('a misspelt field: no matches, and “Why not?” says the field is absent from every process event', async () => {
    const typo = fixtureUri('rules/typo.eql');
    await vscode.workspace.fs.writeFile(typo, new TextEncoder().encode('process where proces.name == "cmd.exe"\n'));
    try {
      const result = await replay(typo);
      assert.deepEqual(result.matches, []);
      assert.ok(api.getResultsHeader().message.split('\n').includes('“Why not?” below says what each stage missed; hover a sample line for one event.'));
      const why = await waitFor('the Why not? item of the typo rule', () => {
        const w = api.getWhyNotTree();
        return w && w.description === '9 events replayed · 0 events matched' ? w : undefined;
      });
      const [query] = why.children ?? [];
      // A1–A4 are the 4 process events; none has a `proces.name`.
      assert.deepEqual([query.label, query.description], ['Query [process]', '0 of 4 process events passed']);
      assert.deepEqual(
        query.children?.[0].children?.map((t) => [t.label, t.description]),
        [['proces.name == "cmd.exe"', 'not true for 4 process events · the only failing term for 4 · proces.name absent in 4']],
      );
    } finally {
      await vscode.workspace.fs.delete(typo);
    }
  });

  it('puts the stage counts of a TOML rule at the TOML lines of its stages', async () => {
    const toml = fixtureUri('rules/cmd-then-https.toml');
    await openRule('cmd-then-https.toml');
    await replay(toml);
    const hints = await waitFor('the stage-count hints of the TOML rule', async () => {
      const h = await inlayHints(toml, 20);
      return h.length === 2 ? h : undefined;
    });
    // `query = '''` is line 14 (0-based); the stages are lines 16 and 17.
    assert.deepEqual(hints, [
      [16, 43, '4 process events · 3 passed'],
      [17, 41, '5 network events · 4 passed'],
    ]);
  });
});

describe('reasons in the editor with an exception item', () => {
  // An item leaving out user.name alice: A1 (h1's cmd.exe, the first event of h1's sequence) is not
  // replayed, so h1's sequence is gone and B2 (h1's HTTPS) finds nothing waiting at stage 1.
  const exceptions = () => fixtureUri('explain-exceptions.toml');
  const A = () => fixtureUri('samples/a-process.ndjson');
  const B = () => fixtureUri('samples/b-network.ndjson');
  const config = () => vscode.workspace.getConfiguration('eqlWorkbench');

  before(async () => {
    const item = '[[exception]]\nname = "alice is an admin"\nentries = [{ field = "user.name", operator = "included", type = "match", value = "alice" }]\n';
    await vscode.workspace.fs.writeFile(exceptions(), new TextEncoder().encode(item));
    await config().update('exceptions', ['explain-exceptions.toml'], vscode.ConfigurationTarget.Workspace);
    await openRule('cmd-then-https.eql');
    await replay(fixtureUri('rules/cmd-then-https.eql'));
  });

  after(async () => {
    await config().update('exceptions', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(exceptions());
  });

  it('the hover on the left-out event names the item; the hover on B2 finds no sequence of h1 waiting', async () => {
    const left = await waitForHover(A(), new vscode.Position(0, 3), 'the left-out note', (md) => md.includes('Not replayed'));
    // The item's name is appended as text (spaces as &nbsp;), never as Markdown.
    assert.match(left.replace(/&nbsp;/g, ' '), /\*\*Not replayed\*\*: the exception item "alice is an admin" leaves this event out/);
    assert.match(await hoverAt(B(), 1), /no sequence of this join key was waiting at stage 1/);
  });
});

describe('reasons in the editor after a replay of more than 200,000 events', () => {
  // 200,001 process events (numbered n = 1…, one a second) in one sample: one more than the 200,000
  // the editor explains (MAX_EXPLAINED_EVENTS), so the hover on any of its lines refuses and names the CLI.
  const EVENTS = 200_001;
  const big = () => fixtureUri('many/big.ndjson');
  const rule = () => fixtureUri('many/first.eql');
  let restoreSamples: () => Promise<void>;

  before(async () => {
    await vscode.workspace.fs.writeFile(big(), new TextEncoder().encode(numberedProcessEvents(EVENTS)));
    await vscode.workspace.fs.writeFile(rule(), new TextEncoder().encode('process where n == 1\n'));
    restoreSamples = await useSamplesGlob('many/*.ndjson');
    await replay(rule());
  });

  after(async () => {
    await restoreSamples();
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(fixtureUri('many'), { recursive: true });
  });

  it('the hover on a line of the big sample, open in an editor, says it is not explained there and names the CLI', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(big()), { preview: false });
    const markdown = await hoverMarkdownAt(big(), new vscode.Position(1, 3));
    // appendText escapes Markdown (`-`, `.`) and spaces; undone here to compare the text.
    const plain = markdown.replace(/\\([\\`*_{}[\]()#+\-.!|<>~$])/g, '$1').replace(/&nbsp;/g, ' ');
    assert.equal(plain, 'Not explained in the editor: the replay read 200,001 events (more than 200,000); eql-workbench replay --explain explains it.');
  });
});
