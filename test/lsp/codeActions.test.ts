/**
 * Quick fixes over LSP (`textDocument/codeAction`): the client sends back the diagnostics it was
 * given and gets one edit per fix. Expected edits are worked out by hand: the replacement text is
 * what Elasticsearch accepts (EQL syntax reference: `==` compares, strings take double quotes,
 * `maxspan` needs a time unit, `length` is an EQL function and `head` a pipe).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { startServer, type TestServer } from './lspTestClient';

describe('quick fixes', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  /** Opens `text`, waits for its diagnostics and asks for the code actions of all of them. */
  async function fixesFor(name: string, text: string): Promise<{ diagnostics: Diagnostic[]; actions: CodeAction[] }> {
    const uri = `file:///test/${name}.eql`;
    await server.open(uri, text, 1);
    const { diagnostics } = await server.diagnostics(uri, (p) => p.version === 1);
    const actions: CodeAction[] = await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: text.length } },
      context: { diagnostics },
    });
    return { diagnostics, actions };
  }

  /** Each action as `[title, edited range as [line, char, line, char], new text]`. */
  function edits(actions: CodeAction[]): Array<[string, number[], string]> {
    return actions.map((a) => {
      const [only] = Object.values(a.edit!.changes!).flat();
      const r = only.range;
      return [a.title, [r.start.line, r.start.character, r.end.line, r.end.character], only.newText];
    });
  }

  it('turns a single = into ==', async () => {
    // `=` is character 27 of `process where process.name = "a"`.
    const { actions } = await fixesFor('eq', 'process where process.name = "a"');
    assert.deepEqual(edits(actions), [['Change to ==', [0, 27, 0, 28], '==']]);
    assert.equal(actions[0].kind, 'quickfix');
    assert.equal(actions[0].isPreferred, true);
  });

  it("turns 'cmd.exe' into \"cmd.exe\"", async () => {
    // The string starts at character 30 and is 9 characters long.
    const { actions } = await fixesFor('quotes', "process where process.name == 'cmd.exe'");
    assert.deepEqual(edits(actions), [['Use double quotes', [0, 30, 0, 39], '"cmd.exe"']]);
  });

  it('adds the time unit the message proposes to a bare maxspan', async () => {
    // `30` is characters 22-23 of the text.
    const { actions } = await fixesFor('maxspan', 'sequence with maxspan=30 [process where true] [process where true]');
    assert.deepEqual(edits(actions), [['Change to 30s', [0, 22, 0, 24], '30s']]);
  });

  it('offers the suggested names for a misspelt function and pipe', async () => {
    // `lenght` is characters 14-19, `hed` 41-43.
    const { actions } = await fixesFor('names', 'process where lenght(process.name) > 3 | hed 5');
    assert.deepEqual(edits(actions), [
      ['Change to length', [0, 14, 0, 20], 'length'],
      ['Change to head', [0, 41, 0, 44], 'head'],
    ]);
  });

  it('offers nothing for a valid rule or for diagnostics of other sources', async () => {
    const { actions } = await fixesFor('valid', 'process where true');
    assert.deepEqual(actions, []);
    const foreign: CodeAction[] = await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: 'file:///test/valid.eql' },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      context: { diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'other', code: 'single-equals' }] },
    });
    assert.deepEqual(foreign, []);
  });
});
