/**
 * A broken client never leaves the server deaf. Frames follow the LSP base protocol ("Base
 * Protocol": a header part with `Content-Length`, a blank line, then that many bytes of JSON-RPC);
 * after a frame that cannot be read the server exits with code 1 and says why on stderr, so the
 * client starts a new one. Request parameters of the wrong shape get `InvalidParams` (-32602 in
 * JSON-RPC 2.0), and the server keeps answering.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from './lspTestClient';

/** Waits for the process to exit; the exit code, or 'running' after `ms`. */
function exitWithin(server: Awaited<ReturnType<typeof startServer>>, ms: number): Promise<number | null | 'running'> {
  if (server.process.exitCode !== null) return Promise.resolve(server.process.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('running'), ms);
    server.process.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

let rawId = 0;
/**
 * Sends a request frame as written (the client library never sends `"params": null`) and
 * resolves with its result, or rejects with its error `{code, message}`.
 */
function rawRequest(server: Awaited<ReturnType<typeof startServer>>, method: string, params: unknown): Promise<unknown> {
  const id = `raw-${++rawId}`;
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString('utf8');
      for (const part of seen.split(/Content-Length: \d+\r\n\r\n/)) {
        let message: { id?: unknown; result?: unknown; error?: unknown };
        try {
          message = JSON.parse(part);
        } catch {
          continue;
        }
        if (message.id !== id) continue;
        server.process.stdout!.off('data', onData);
        if ('error' in message) reject(message.error);
        else resolve(message.result);
      }
    };
    server.process.stdout!.on('data', onData);
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    server.process.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

describe('malformed frames', () => {
  const frames: Array<[string, string]> = [
    ['a Content-Length that is not a number', 'Content-Length: abc\r\n\r\n{}'],
    ['a negative Content-Length', 'Content-Length: -5\r\n\r\n{"jsonrpc":"2.0","id":99,"method":"shutdown"}'],
    ['a header without Content-Length', 'Content-Type: application/json\r\n\r\n{}'],
    ['a body that is not JSON', 'Content-Length: 5\r\n\r\nnope!'],
  ];
  for (const [name, frame] of frames) {
    it(`${name}: the server exits with code 1 and logs why`, async () => {
      const server = await startServer('source');
      try {
        server.process.stdin!.write(frame);
        const code = await exitWithin(server, 10_000);
        assert.equal(code, 1, `exit code; stderr:\n${server.stderr()}`);
        assert.match(server.stderr(), /eql-workbench language server: cannot read a message from the client \(.+\); exiting so that the client can start a new server/);
      } finally {
        server.process.kill('SIGKILL');
        server.connection.dispose();
      }
    });
  }
});

describe('request parameters', () => {
  it('codeAction with a null diagnostic or a position without a line: InvalidParams, and the server still answers', async () => {
    const server = await startServer('source');
    try {
      const uri = 'file:///test/params.eql';
      await server.open(uri, 'process where process.name = "a"', 1);
      await server.diagnostics(uri, (p) => p.version === 1);
      const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } };
      await assert.rejects(
        server.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [null] } }),
        (e: { code?: number; message?: string }) => e.code === -32602 && /context\.diagnostics\[0\] must be a diagnostic object, not null/.test(e.message ?? ''),
      );
      await assert.rejects(
        server.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: null }),
        (e: { code?: number }) => e.code === -32602,
      );
      await assert.rejects(
        server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { character: 3 } }),
        (e: { code?: number }) => e.code === -32602,
      );
      await assert.rejects(server.connection.sendRequest('textDocument/completion', null), (e: { code?: number }) => e.code === -32602);
      // The parameters sent as JSON null (not left out): LSP's progress hooks must not read them first.
      for (const method of ['textDocument/completion', 'textDocument/hover', 'textDocument/signatureHelp', 'textDocument/codeAction', 'textDocument/documentHighlight']) {
        await assert.rejects(
          rawRequest(server, method, null),
          (e: { code?: number; message?: string }) => e.code === -32602 && e.message === 'the parameters must be an object',
          method,
        );
      }
      const replay = { uri: 'file:///no/such/rule.eql', sampleUris: [], options: null };
      for (const [method, params] of [
        ['eqlWorkbench/replay', replay],
        ['eqlWorkbench/replay', null],
        ['eqlWorkbench/explainReplay', replay],
      ] as const) {
        await assert.rejects(
          rawRequest(server, method, params),
          (e: { code?: number; message?: string }) => e.code === -32602 && /must be an object/.test(e.message ?? ''),
          `${method} ${JSON.stringify(params)}`,
        );
      }
      // Still answering: a well-formed hover on `process` gets a result.
      const hover = await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
      assert.ok(hover !== null && typeof hover === 'object', 'a hover for the category');
      assert.doesNotMatch(server.stderr(), /failed/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('semantic tokens, outline, folding, selection ranges, highlights, formatting and completion resolve with malformed parameters: InvalidParams, never an internal error', async () => {
    // Shapes per the LSP 3.17 specification: SemanticTokens(Range)Params, DocumentSymbolParams,
    // FoldingRangeParams, SelectionRangeParams, DocumentHighlightParams, Document(Range)FormattingParams
    // (`options: FormattingOptions`, `tabSize: uinteger`, `insertSpaces: boolean`), CompletionItem (`label: string`).
    const server = await startServer('source');
    try {
      const uri = 'file:///test/params-structure.eql';
      await server.open(uri, 'sequence\n  [process where process.name == "a"]\n  [network where true]', 1);
      await server.diagnostics(uri, (p) => p.version === 1);
      const textDocument = { uri };
      const range = { start: { line: 0, character: 0 }, end: { line: 1, character: 5 } };
      const options = { tabSize: 2, insertSpaces: true };
      const malformed: Array<[string, unknown, RegExp]> = [
        ['textDocument/semanticTokens/full', null, /^the parameters must be an object$/],
        ['textDocument/semanticTokens/full', { textDocument: null }, /textDocument\.uri must be a string/],
        ['textDocument/semanticTokens/full', { textDocument: { uri: 7 } }, /textDocument\.uri must be a string/],
        ['textDocument/semanticTokens/range', { textDocument }, /range must be/],
        ['textDocument/semanticTokens/range', { textDocument, range: { start: { line: 0 }, end: { line: 0, character: 1 } } }, /range must be/],
        ['textDocument/documentSymbol', null, /^the parameters must be an object$/],
        ['textDocument/documentSymbol', { textDocument: null }, /textDocument\.uri must be a string/],
        ['textDocument/foldingRange', { textDocument: 'file:///x.eql' }, /textDocument\.uri must be a string/],
        ['textDocument/foldingRange', null, /^the parameters must be an object$/],
        ['textDocument/selectionRange', { textDocument }, /positions must be an array/],
        ['textDocument/selectionRange', { textDocument, positions: [{ line: 0, character: 1 }, null] }, /positions\[1\] must be/],
        ['textDocument/selectionRange', null, /^the parameters must be an object$/],
        ['textDocument/documentHighlight', { textDocument }, /position must be/],
        ['textDocument/documentHighlight', { textDocument: null, position: { line: 0, character: 1 } }, /textDocument\.uri must be a string/],
        ['textDocument/formatting', { textDocument }, /options must be/],
        ['textDocument/formatting', { textDocument, options: { tabSize: '2', insertSpaces: true } }, /options must be/],
        ['textDocument/formatting', { textDocument: null, options }, /textDocument\.uri must be a string/],
        ['textDocument/formatting', null, /^the parameters must be an object$/],
        ['textDocument/rangeFormatting', { textDocument, options }, /range must be/],
        ['textDocument/rangeFormatting', { textDocument, range, options: null }, /options must be/],
        ['completionItem/resolve', null, /^the parameters must be an object$/],
        ['completionItem/resolve', { kind: 5 }, /label must be a string/],
      ];
      for (const [method, params, message] of malformed) {
        await assert.rejects(
          rawRequest(server, method, params),
          (e: { code?: number; message?: string }) => e.code === -32602 && message.test(e.message ?? ''),
          `${method} ${JSON.stringify(params)}`,
        );
      }
      // Well-formed requests are still answered.
      const tokens = (await server.connection.sendRequest('textDocument/semanticTokens/full', { textDocument })) as { data: number[] };
      assert.ok(tokens.data.length > 0);
      const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument })) as unknown[];
      assert.ok(symbols.length > 0);
      const selections = (await server.connection.sendRequest('textDocument/selectionRange', { textDocument, positions: [{ line: 1, character: 20 }] })) as unknown[];
      assert.equal(selections.length, 1);
      assert.ok(Array.isArray(await server.connection.sendRequest('textDocument/formatting', { textDocument, options })));
      assert.ok(Array.isArray(await server.connection.sendRequest('textDocument/rangeFormatting', { textDocument, range, options })));
      assert.ok(Array.isArray(await server.connection.sendRequest('textDocument/foldingRange', { textDocument })));
      assert.doesNotMatch(server.stderr(), /failed/);
      assert.ok(!server.logMessages.some((m) => /failed/.test(m)), server.logMessages.join('\n'));
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
