/**
 * The language server as VS Code sees it: diagnostics published for `eql` documents over LSP.
 * The server runs as a child process (tsx on the sources), spoken to over stdio with vscode-jsonrpc.
 *
 * Ranges are worked out by hand from the test texts: LSP positions are 0-based lines and UTF-16
 * code units (LSP 3.17 "Position"; `\r\n`, `\n` and `\r` end lines).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../../server/src/eql/analyze';
import { ROOT, startServer, type TestServer } from './lspTestClient';

const DiagnosticSeverityError = 1; // LSP DiagnosticSeverity.Error

describe('language server diagnostics', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    const code = await server.stop();
    assert.equal(code, 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  it('places an error after a surrogate pair on a CRLF line at the right UTF-16 character, then clears it when fixed', async () => {
    const uri = 'file:///test/single-equals.eql';
    // Line 2 by hand: 2 spaces (0-1), `process.name` (2-13), ' ' 14, `==` 15-16, ' ' 17, `"` 18,
    // U+1F600 as two UTF-16 units (19-20), `"` 21, ' ' 22, `and` 23-25, ' ' 26, `user.name` 27-35,
    // ' ' 36, `=` 37. Elasticsearch rejects a single `=` as a comparison (EQL syntax reference,
    // "Comparison operators": only `==` compares).
    const text = '// 😀 detection\r\nprocess where\r\n  process.name == "😀" and user.name = "x"';
    await server.open(uri, text, 1);
    const published = await server.diagnostics(uri, (p) => p.version === 1);
    assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
    const [d] = published.diagnostics;
    assert.deepEqual(d.range, { start: { line: 2, character: 37 }, end: { line: 2, character: 38 } });
    assert.equal(d.severity, DiagnosticSeverityError);
    assert.equal(d.source, 'eql');
    assert.equal(d.code, 'single-equals');
    // The wording is the checker's (tested with it); the server passes it through unchanged.
    assert.equal(d.message, analyze(text).diagnostics[0].message);

    // Incremental edit: replace that `=` with `==`; the rule is then valid and the error goes away.
    await server.change(uri, 2, [{ range: d.range, text: '==' }]);
    const fixed = await server.diagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(fixed.diagnostics, []);
  });

  it('reports an unsupported pipe with the message Elasticsearch uses, on the pipe name', async () => {
    const uri = 'file:///test/sort-pipe.eql';
    // `sort` on line 1 at characters 2-5 (after `| `). Message: Elasticsearch's LogicalPlanBuilder
    // rejects every pipe but head/tail with "Pipe [<name>] is not supported".
    await server.open(uri, 'process where process.name == "a"\n| sort @timestamp', 1);
    const published = await server.diagnostics(uri, (p) => p.version === 1);
    assert.deepEqual(
      published.diagnostics.map((x) => ({ range: x.range, message: x.message, code: x.code, severity: x.severity })),
      [
        {
          range: { start: { line: 1, character: 2 }, end: { line: 1, character: 6 } },
          message: 'Pipe [sort] is not supported',
          code: 'unsupported-pipe',
          severity: DiagnosticSeverityError,
        },
      ],
    );
  });

  it('publishes nothing for a valid rule (the EQL syntax reference example)', async () => {
    const uri = 'file:///test/valid.eql';
    await server.open(uri, 'process where process.name == "regsvr32.exe"', 1);
    assert.deepEqual((await server.diagnostics(uri, (p) => p.version === 1)).diagnostics, []);
  });

  it('debounces keystrokes: a burst of edits is checked once, at its last version', async () => {
    const uri = 'file:///test/burst.eql';
    await server.open(uri, 'process where true', 1);
    await server.diagnostics(uri, (p) => p.version === 1);
    // Typing `and process.pid == 1` one piece at a time; the intermediate texts are broken rules.
    const steps = ['process where true a', 'process where true and', 'process where true and process.pid', 'process where true and process.pid ==', 'process where true and process.pid == 1'];
    await Promise.all(steps.map((text, i) => server.change(uri, i + 2, [{ text }])));
    const last = await server.diagnostics(uri, (p) => p.version === 6);
    assert.deepEqual(last.diagnostics, []);
    // All five edits arrive within a few ms, well inside the 150 ms debounce, so normally only
    // version 6 is checked; a scheduling stall on a loaded machine may let one more through, but
    // checking every keystroke (5 publishes) means there is no debounce.
    const burst = server.received(uri).map((p) => p.version).filter((v) => v !== 1);
    assert.equal(burst[burst.length - 1], 6);
    assert.ok(burst.length < steps.length, `each keystroke was checked: versions ${JSON.stringify(burst)}`);
  });

  it('clears the diagnostics of a document when it is closed', async () => {
    const uri = 'file:///test/closed.eql';
    await server.open(uri, 'process where', 1);
    const open = await server.diagnostics(uri, (p) => p.version === 1);
    assert.ok(open.diagnostics.length > 0);
    server.forget(uri);
    await server.close(uri);
    const cleared = await server.diagnostics(uri);
    assert.deepEqual(cleared.diagnostics, []);
  });

  it('survives any text: every hostile document gets diagnostics and the server keeps answering', async () => {
    const hostile = [
      '',
      'sequence',
      'sequence by',
      '[[[[[[',
      ']]]]',
      '|||||',
      'process where ' + '('.repeat(20_000),
      'process where ' + 'not '.repeat(20_000) + 'true',
      'process where "\\u{D800}" == "\uD800"',
      '\u0000\u0001\u0002',
      'process where process.name : """',
      'sample by host.id [any where true] with runs=999999999999999999999',
      'sequence with maxspan=-1h [process where true] [process where true] until',
      'x'.repeat(200_000),
    ];
    for (const [i, text] of hostile.entries()) {
      const uri = `file:///test/hostile-${i}.eql`;
      await server.open(uri, text, 1);
      const published = await server.diagnostics(uri, (p) => p.version === 1, 20_000);
      assert.ok(Array.isArray(published.diagnostics), `document ${i}`);
      assert.ok(published.diagnostics.length > 0, `document ${i} is not a valid rule: ${JSON.stringify(text.slice(0, 40))}`);
      await server.close(uri);
    }
    assert.equal(server.process.exitCode, null, 'the server is still running');
    const uri = 'file:///test/after-hostile.eql';
    await server.open(uri, 'network where destination.port == 5985', 1);
    assert.deepEqual((await server.diagnostics(uri, (p) => p.version === 1)).diagnostics, []);
  });
});

describe('the bundled language server (dist/server.js)', () => {
  const bundle = path.join(ROOT, 'dist/server.js');
  const skip = existsSync(bundle) ? false : 'dist/server.js not built; run `npm run build` first';
  it('starts, checks a rule and stops cleanly', { skip }, async () => {
    const server = await startServer('dist');
    try {
      const uri = 'file:///test/bundle.eql';
      // `|` then nothing: the pipe name is missing at the end of the text (character 20, zero width).
      await server.open(uri, 'process where true |', 1);
      const published = await server.diagnostics(uri, (p) => p.version === 1);
      assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
      assert.deepEqual(published.diagnostics[0].range, { start: { line: 0, character: 20 }, end: { line: 0, character: 20 } });
      assert.equal(published.diagnostics[0].source, 'eql');
    } finally {
      assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
    }
  });
});
