/**
 * `eql-workbench debug-adapter`: the same adapter over stdin/stdout of its own process, as nvim-dap,
 * Emacs dap-mode or JetBrains start it (run from the TypeScript sources through tsx).
 * Expected stops: see `replayAdapter.test.ts` (win-dc01.ndjson:4 is the 5th event in time order and
 * the first to pass stage 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = join(__dirname, '../..');

/** A DebugClient speaking over a child process's pipes. */
class PipeClient extends DebugClient {
  attachTo(stdout: NodeJS.ReadableStream, stdin: NodeJS.WritableStream): void {
    this.connect(stdout as never, stdin as never);
  }
}

test('debug-adapter over stdio: launch with relative paths and cwd, Step Into, stack trace, disconnect ends the process', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/src/cli.ts'), 'debug-adapter'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const dc = new PipeClient('node', 'unused', 'eql-replay');
  dc.attachTo(child.stdout, child.stdin);
  try {
    await dc.initializeRequest({ adapterID: 'eql-replay', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const initialized = dc.waitForEvent('initialized', 20_000);
    await dc.launchRequest({ rule: 'rules/incoming_execution_via_powershell_remoting.toml', samples: ['logs/**/*.ndjson'], cwd: 'samples' } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const entry = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    assert.equal((await entry).body.reason, 'entry');
    const stopped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1 });
    await stopped;
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(
      frames.map((f) => [f.source?.path, f.line]),
      [
        [join(root, 'samples/logs/endpoint/win-dc01.ndjson'), 4],
        [join(root, 'samples/rules/incoming_execution_via_powershell_remoting.toml'), 26],
      ],
    );
    // The glob left out wks-07.jsonl: 24 events (16 + 3 + 5).
    assert.match(frames[0].name, /^event 5\/24: /);
    await dc.disconnectRequest({});
    assert.equal(await exited, 0);
  } finally {
    child.kill();
  }
});

test('debug-adapter over stdio: a frame that is not a JSON message is reported and skipped, and the session goes on', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/src/cli.ts'), 'debug-adapter'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const dc = new PipeClient('node', 'unused', 'eql-replay');
  const output: string[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
  dc.attachTo(child.stdout, child.stdin);
  try {
    // Well framed (the Content-Length is right) but not a message: a body that is not JSON, and JSON null.
    child.stdin.write('Content-Length: 5\r\n\r\n{bad}');
    child.stdin.write('Content-Length: 4\r\n\r\nnull');
    await dc.initializeRequest({ adapterID: 'eql-replay', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const initialized = dc.waitForEvent('initialized', 20_000);
    await dc.launchRequest({ rule: 'rules/incoming_execution_via_powershell_remoting.eql', samples: ['logs'], cwd: 'samples' } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const entry = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    assert.equal((await entry).body.reason, 'entry');
    const skipped = output.filter((o) => o.startsWith('Cannot read a message from the client'));
    assert.equal(skipped.length, 2, output.join(''));
    assert.match(skipped[0], /not JSON/);
    assert.match(skipped[1], /expected a JSON object with a "type", got null/);
    assert.equal(stderr.match(/^eql-workbench debug adapter: cannot read a message from the client \(.*\); the message is skipped$/gm)?.length, 2, stderr);
    await dc.disconnectRequest({});
    assert.equal(await exited, 0);
  } finally {
    child.kill();
  }
});

test('debug-adapter over stdio: a frame header without a valid Content-Length ends the process with exit code 1 and says why', async () => {
  for (const header of ['Content-Length: abc', 'Content-Length: -5']) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/src/cli.ts'), 'debug-adapter'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      child.stdin.write(`${header}\r\n\r\n{"seq":1,"type":"request","command":"threads"}`);
      assert.equal(await exited, 1, header);
      assert.equal(
        stderr,
        'eql-workbench debug adapter: cannot read a message from the client (a frame header has no valid Content-Length); exiting so that the client can start a new session\n',
      );
    } finally {
      child.kill();
    }
  }
});

test('debug-adapter over stdio: a frame header without Content-Length ends the process with exit code 1 and says why', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/src/cli.ts'), 'debug-adapter'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // A well-formed request first (answered), then a frame with only a Content-Type field.
    const body = '{"seq":1,"type":"request","command":"threads"}';
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    child.stdin.write('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{"seq":2,"type":"request","command":"threads"}');
    // Without the check the adapter waits for ever, deaf: give it 20 s.
    const deaf = new Promise<string>((resolve) => (timer = setTimeout(resolve, 20_000, 'still running')));
    assert.equal(await Promise.race([exited, deaf]), 1);
    assert.equal(
      stderr,
      'eql-workbench debug adapter: cannot read a message from the client (a frame header has no Content-Length); exiting so that the client can start a new session\n',
    );
  } finally {
    clearTimeout(timer);
    child.kill();
  }
});
