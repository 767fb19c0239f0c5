/**
 * Runs the replay debug adapter in this process on a loopback TCP port, one session per connection,
 * for `DebugClient` (`@vscode/debugadapter-testsupport`) to talk to over the real protocol.
 */
import * as net from 'node:net';
import { EqlReplayDebugSession } from '../../server/src/debug/debugSession';

/** Starts the server. @returns its port and a function that closes it. */
export async function startAdapterServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // Small request/response messages: no Nagle delay (it would add ~40 ms per round trip).
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    const session = new EqlReplayDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
