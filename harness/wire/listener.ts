/**
 * Listening sockets inside the target's network namespace, for servers running in this process.
 *
 * A socket belongs to the network namespace of the thread that creates it, and a Node process
 * cannot change its own. So a small helper process runs inside the namespace (`ip netns exec`),
 * creates each listening socket there, and hands it over the IPC channel; the backend's own server
 * then listens on that handle (`server.listen(handle)`), and every connection it accepts is a
 * connection inside the namespace. The backend, its events and its timers stay in this process:
 * no second copy of the harness, no events relayed over IPC, and the helper starts in plain Node
 * (no TypeScript) so it costs a fraction of a second once per path. The helper also runs nft in
 * the namespace, so that the fork of each nft run happens in it, not in the process timing the runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type net from 'node:net';

/** The helper: creates a listening socket on request, sends it, closes its own copy when told. */
const helperSource = `
const net = require('node:net');
const { execFile } = require('node:child_process');
const servers = new Map();
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.nft !== undefined) {
    const child = execFile('nft', m.args, (error, stdout, stderr) => process.send({ nftDone: m.nft, error: error ? (stderr.trim().split('\\n')[0] || error.message) : undefined }));
    if (m.input !== undefined) child.stdin.end(m.input);
    return;
  }
  if (m.release !== undefined) {
    const server = servers.get(m.release);
    servers.delete(m.release);
    if (server) server.close(() => process.send({ released: m.release }));
    return;
  }
  const server = net.createServer();
  server.once('error', (e) => process.send({ id: m.id, error: e.message }));
  server.listen(m.port, m.host, () => { servers.set(m.id, server); process.send({ id: m.id, port: server.address().port }, server); });
});
process.send({ ready: true });
`;

interface HelperMessage {
  ready?: boolean;
  nftDone?: number;
  id?: number;
  port?: number;
  error?: string;
  released?: number;
}

export class NamespaceListener {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private nextId = 1;

  constructor(namespace: string) {
    this.child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '--input-type=commonjs', '-e', helperSource], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.resume();
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: HelperMessage) => {
        if (!message.ready) return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
      this.child.once('error', reject);
      this.child.once('exit', (code) => reject(new Error(`the namespace's listening helper exited (${code ?? 'signal'}) before it was ready`)));
    });
    // Closed before it was ever asked for a socket: nobody awaits readiness, so nothing is unhandled.
    this.ready.catch(() => undefined);
    // A disconnected IPC channel ends the helper; the parent never waits for it.
    this.child.unref();
  }

  /** A socket listening on host:port inside the namespace (port 0: ephemeral), for server.listen(handle). */
  async socket(host: string, port = 0): Promise<net.Server> {
    await this.ready;
    const id = this.nextId++;
    const handle = await new Promise<net.Server>((resolve, reject) => {
      const onMessage = (message: HelperMessage, received: unknown) => {
        if (message.id !== id) return;
        this.child.off('message', onMessage);
        if (message.error !== undefined || !received) reject(new Error(`listening in the target's namespace on ${host}:${port}: ${message.error ?? 'no socket'}`));
        else resolve(received as net.Server);
      };
      this.child.on('message', onMessage);
      this.child.send({ id, host, port });
    });
    // The helper keeps its copy open until this process holds the socket, then closes it, so
    // that every connection is accepted here.
    await new Promise<void>((resolve) => {
      const onMessage = (message: HelperMessage) => {
        if (message.released !== id) return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
      this.child.send({ release: id });
    });
    return handle;
  }

  /**
   * Runs nft inside the namespace, from the helper: the fork happens in that small process, not in
   * this one, whose event loop may be timing a handshake limit at that moment.
   */
  async nft(args: readonly string[], input?: string): Promise<void> {
    await this.ready;
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: HelperMessage) => {
        if (message.nftDone !== id) return;
        this.child.off('message', onMessage);
        if (message.error !== undefined) reject(new Error(`nft ${args.join(' ')}: ${message.error}`));
        else resolve();
      };
      this.child.on('message', onMessage);
      this.child.send({ nft: id, args, ...(input === undefined ? {} : { input }) });
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null) this.child.kill();
  }
}
