/**
 * ATT&CK hover and checks of `[[rule.threat]]` over LSP, in TOML rules whether their query is EQL
 * or not; names of the workspace's other rules read from `../shared/detection-rules` as the
 * workspace folder (skipped with a message when absent). Positions counted by hand (0-based).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { ROOT, startServer, type TestServer } from './lspTestClient';

const RULES = path.resolve(ROOT, '..', 'shared', 'detection-rules');

// A KQL rule (no EQL features) naming T1021 unlike the prebuilt rules; lines 0-based.
const RULE = [
  '[rule]', //                                                        0
  'name = "x"',
  'language = "kuery"',
  'type = "query"',
  'query = "process.name : x"',
  '', //                                                              5
  '[[rule.threat]]',
  'framework = "MITRE ATT&CK"',
  '[[rule.threat.technique]]',
  'id = "T1021"',
  'name = "Remote Service"', //                                      10
  'reference = "https://attack.mitre.org/techniques/T1021/"',
  '[rule.threat.tactic]',
  'id = "TA0008"',
  'reference = "https://attack.mitre.org/tactics/TA0009/"',
  '',
].join('\n');

describe('ATT&CK metadata over LSP', { skip: existsSync(RULES) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source', { rootUri: pathToFileURL(RULES).toString() });
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
  });

  it('hovers ids with the names the workspace gives them, and flags what disagrees', async () => {
    const uri = 'file:///elsewhere/kql_rule.toml';
    await server.open(uri, RULE);
    // Once the workspace's rules are read, the open rule is checked again against them.
    const published = await server.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'attack-name'), 20_000);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]),
      [
        ['attack-name', 10, 7, 23],
        ['attack-reference', 14, 12, 54],
      ],
    );
    // The table has no name: the prebuilt rules (counted on their text) name TA0008 Lateral Movement.
    const naming = tomlFiles(RULES).filter((f) => readFileSync(f, 'utf8').includes('id = "TA0008"\nname = "Lateral Movement"\n')).length;
    assert.ok(naming > 0);
    const expected = `**Lateral Movement** — ATT&CK tactic \`TA0008\`\n\nNamed so by ${naming} other rules of the workspace; this table has no \`name\`.\n\n[https://attack.mitre.org/tactics/TA0008/](https://attack.mitre.org/tactics/TA0008/)`;
    // The workspace is read in the background: asked early, the hover counts the rules read so far.
    let hover: Hover | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      hover = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 13, character: 8 } })) as Hover;
      if ((hover.contents as MarkupContent).value === expected) break;
    }
    assert.equal((hover!.contents as MarkupContent).value, expected);
    assert.deepEqual(hover!.range, { start: { line: 13, character: 5 }, end: { line: 13, character: 13 } });
    assert.equal(await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 7, character: 15 } }), null);
    const actions = (await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 10, character: 0 }, end: { line: 14, character: 0 } },
      context: { diagnostics: published.diagnostics },
    })) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => [a.title, a.edit?.changes?.[uri]?.map((e) => [e.range.start.line, e.range.start.character, e.newText])]),
      [
        ['Change to "Remote Services"', [[10, 7, '"Remote Services"']]],
        ['Change to "https://attack.mitre.org/tactics/TA0008/"', [[14, 12, '"https://attack.mitre.org/tactics/TA0008/"']]],
      ],
    );
  });
});

function tomlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tomlFiles(path.join(dir, e.name)) : e.name.endsWith('.toml') ? [path.join(dir, e.name)] : [],
  );
}
