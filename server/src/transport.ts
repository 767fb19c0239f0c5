/**
 * The language server's message transport, chosen from the command line as
 * `vscode-languageserver/node` does (`--node-ipc`, `--stdio`, `--socket=N`, `--pipe=NAME`), with one
 * addition: a stream that cannot be read as LSP messages ends the server.
 *
 * Over a byte stream (stdio, socket, pipe) a frame with a bad header (`Content-Length: abc`, a
 * negative length, no `Content-Length`) leaves the reader out of step with the frames that follow:
 * it would keep running and never answer again. Instead the reason is written to stderr (the
 * client shows it in its output channel) and the process exits with code 1, so the client starts a
 * new server (VS Code's language client restarts a server that stops unexpectedly).
 */
import {
  createServerPipeTransport,
  createServerSocketTransport,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageReader,
  type MessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';

/** Exit code of a server whose input could not be read as LSP messages. */
export const UNREADABLE_INPUT_EXIT_CODE = 1;

/**
 * Builds the reader and writer named by the arguments, or undefined when none is named.
 * @param argv the process arguments after the script (`process.argv.slice(2)`).
 * @param exit ends the process (a parameter for tests); called once, after the message is written.
 */
export function serverTransport(
  argv: readonly string[],
  exit: (code: number) => void = (code) => process.exit(code),
): { reader: MessageReader; writer: MessageWriter } | undefined {
  let transport: [MessageReader, MessageWriter] | undefined;
  for (let i = 0; i < argv.length && !transport; i++) {
    const [name, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[i + 1];
    if (name === '--node-ipc') transport = [new IPCMessageReader(process), new IPCMessageWriter(process)];
    else if (name === '--stdio') transport = [new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)];
    else if (name === '--socket' && value !== undefined) transport = createServerSocketTransport(Number.parseInt(value, 10));
    else if (name === '--pipe' && value !== undefined) transport = createServerPipeTransport(value);
  }
  if (!transport) return undefined;
  const [reader, writer] = transport;
  let ended = false;
  reader.onError((error) => {
    if (ended) return;
    ended = true;
    process.stderr.write(
      `eql-workbench language server: cannot read a message from the client (${oneLine(error)}); exiting so that the client can start a new server\n`,
    );
    exit(UNREADABLE_INPUT_EXIT_CODE);
  });
  return { reader, writer };
}

function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\s+/g, ' ').slice(0, 300);
}
