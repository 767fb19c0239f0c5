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
});
