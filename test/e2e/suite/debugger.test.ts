/**
 * The replay debugger in a real VS Code: `eqlWorkbench.debugReplay` (the "Debug replay" CodeLens)
 * starts an `eql-replay` session through `vscode.debug`, breakpoints set with
 * `vscode.debug.addBreakpoints` on an NDJSON line and on a stage of the rule stop it, and the
 * stopped location and variables are read over the protocol (`customRequest`, a tracker).
 *
 * Expected stops are worked out by hand from the fixture (see replay.test.ts): the events in time
 * order are A1 10:00:00, B1 10:00:10, A2, A3 10:01:00, B2 10:02:00, B3, B4 10:04:00, A4, B5 10:30:00.
 * The network stage of rules/cmd-then-https.eql (`destination.port == 443`, line 4) passes on
 * B1, B2, B4 and B5; B2 completes h1's sequence (A1 → B2), B4 completes h2's (A3 → B4).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeLenses, extensionApi, fixtureUri, hoverMarkdown, hoversAt, openRule, waitFor } from './helpers';

describe('replay debugger', () => {
  const rule = () => fixtureUri('rules/cmd-then-https.eql');
  const B = () => fixtureUri('samples/b-network.ndjson');
  const stops: Array<{ reason: string; description?: string }> = [];
  /** `evaluate` requests VS Code sent with context `hover`, and the results answered (by request seq). */
  const hoverRequests: Array<{ seq: number; expression: string }> = [];
  const results = new Map<number, string>();
  let tracker: vscode.Disposable | undefined;

  before(async () => {
    await openRule('cmd-then-https.eql');
    await extensionApi();
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('eql-replay', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string; command?: string; request_seq?: number; body?: { reason: string; description?: string; result?: string } }) => {
          if (m.type === 'event' && m.event === 'stopped' && m.body) stops.push(m.body);
          if (m.type === 'response' && m.command === 'evaluate' && m.body?.result !== undefined) results.set(m.request_seq!, m.body.result);
        },
        onWillReceiveMessage: (m: { type: string; seq: number; command?: string; arguments?: { expression: string; context?: string } }) => {
          if (m.type === 'request' && m.command === 'evaluate' && m.arguments?.context === 'hover') hoverRequests.push({ seq: m.seq, expression: m.arguments.expression });
        },
      }),
    });
  });

  after(async () => {
    tracker?.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging(vscode.debug.activeDebugSession);
  });

  it('offers "Debug replay" beside "Replay on samples" on the rule', async () => {
    const lens = await waitFor('the Debug replay lens', async () => (await codeLenses(rule())).find((l) => l.command?.command === 'eqlWorkbench.debugReplay'));
    assert.equal(lens.command?.title, '$(debug-alt) Debug replay');
    assert.equal(lens.range.start.line, 1);
    assert.equal(String(lens.command?.arguments?.[0]), rule().toString());
  });

  it('stops on an NDJSON line and on a stage, at the event\'s file and line, with its variables', async () => {
    vscode.debug.addBreakpoints([
      new vscode.SourceBreakpoint(new vscode.Location(B(), new vscode.Position(3, 0))), // B4
      new vscode.SourceBreakpoint(new vscode.Location(rule(), new vscode.Position(3, 0))), // network stage
    ]);
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession((s) => {
        d.dispose();
        resolve(s);
      });
    });
    assert.equal(await vscode.commands.executeCommand('eqlWorkbench.debugReplay', rule()), true);
    const session = await started;
    assert.equal(session.type, 'eql-replay');
    await waitFor('the entry stop', () => stops.length >= 1);
    assert.equal(stops[0].reason, 'entry');

    const top = async () => {
      const trace = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: Array<{ source?: { path?: string }; line: number; name: string }> };
      return trace.stackFrames.map((f) => `${f.source?.path?.slice(f.source.path.lastIndexOf('/') + 1)}:${f.line}`);
    };
    const cont = async (n: number) => {
      await session.customRequest('continue', { threadId: 1 });
      await waitFor(`stop ${n}`, () => stops.length >= n);
    };

    await cont(2);
    assert.equal(stops[1].reason, 'breakpoint');
    assert.deepEqual(await top(), ['b-network.ndjson:1', 'cmd-then-https.eql:4']);
    await cont(3);
    assert.deepEqual(await top(), ['b-network.ndjson:2', 'cmd-then-https.eql:4']);

    const scopes = (await session.customRequest('scopes', { frameId: 1 })) as { scopes: Array<{ name: string; variablesReference: number }> };
    assert.deepEqual(scopes.scopes.map((s) => s.name), ['Event', 'Stages', 'Sequences', 'Matches so far']);
    const vars = async (name: string) => {
      const ref = scopes.scopes.find((s) => s.name === name)!.variablesReference;
      const r = (await session.customRequest('variables', { variablesReference: ref })) as { variables: Array<{ name: string; value: string }> };
      return Object.fromEntries(r.variables.map((v) => [v.name, v.value]));
    };
    const event = await vars('Event');
    assert.equal(event['host.id'], '"h1"');
    assert.equal(event['destination.port'], '443');
    assert.deepEqual(await vars('Stages'), { 'stage 1 [process]': 'not passed: event.category is "network", not "process"', 'stage 2 [network]': 'passed' });
    assert.deepEqual(await vars('Matches so far'), { 'match 1': 'a-process.ndjson:1 → b-network.ndjson:2 (join key "h1")' });
    const evaluated = (await session.customRequest('evaluate', { expression: 'destination.ip', context: 'repl', frameId: 1 })) as { result: string };
    assert.equal(evaluated.result, '"203.0.113.7"');

    // Hovering `port` of `destination.port` in the rule (line 4, column 30) evaluates the whole
    // dotted name, which VS Code's default word would cut at the dot, and shows B2's port.
    const hovers = await hoversAt(rule(), new vscode.Position(3, 30));
    const shown = hoverMarkdown(hovers);
    assert.ok(shown.includes('destination.port = 443'), shown);
    const hover = await waitFor('the hover evaluation', () => hoverRequests.find((h) => results.has(h.seq)));
    assert.equal(hover.expression, 'destination.port');
    assert.equal(results.get(hover.seq), '443');
    const ranged = hovers.find((h) => h.contents.some((c) => typeof c !== 'string' && c.value.includes('destination.port = 443')));
    assert.deepEqual([ranged?.range?.start.character, ranged?.range?.end.character], [17, 33]);

    await cont(4);
    assert.equal(stops[3].reason, 'breakpoint');
    assert.deepEqual(await top(), ['b-network.ndjson:4', 'cmd-then-https.eql:4']);
    assert.equal(stops[3].description, 'Breakpoint at b-network.ndjson:4; Breakpoint: stage 2 [network] passed');
    await cont(5);
    assert.deepEqual(await top(), ['b-network.ndjson:5', 'cmd-then-https.eql:4']);
    await cont(6);
    assert.equal(stops[5].reason, 'end');
    assert.equal(stops[5].description, 'End of replay: 2 matches');
    // The end stands on B5; one step back is A4 (10:20), which passes no stage.
    await session.customRequest('stepBack', { threadId: 1 });
    await waitFor('the step back', () => stops.length >= 7);
    assert.deepEqual(await top(), ['a-process.ndjson:4', 'cmd-then-https.eql:3']);
    await vscode.debug.stopDebugging(session);
  });
});
