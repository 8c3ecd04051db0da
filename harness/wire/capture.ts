/**
 * The capture: tcpdump on the gateway's side of the veth pair, writing a pcap file as packets
 * cross, and printing each one as it does so that the run knows when the story has finished on
 * the wire. It is ready when tcpdump says it is listening (not after a sleep), and it stops once
 * every connection it saw has come to rest:
 *   - closed on the wire (a RST, or a FIN each way and the last one acknowledged), or
 *   - open with nothing outstanding (a pooled connection), or
 *   - holding data the target never acknowledged (a firewall dropped it): then the kernel's next
 *     move on that connection after the run ended — a FIN, or one more retransmission with the
 *     FIN still queued behind it — is the last packet of the story;
 * or after `boundMs`, whatever is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

interface ConnectionState {
  /** the highest sequence number (relative) the gateway side has sent payload up to */
  sent: number;
  /** the highest the target side acknowledged */
  acked: number;
  finFromGateway: boolean;
  finFromTarget: boolean;
  /** the other side acknowledged the last FIN */
  lastFinAcked: boolean;
  reset: boolean;
  /** packets seen since settle() began */
  sinceSettle: number;
}

/**
 * What the gateway side knows happened (its own socket events): how many connections it opened to
 * the target and how many it saw closed. A capture whose tcpdump lags behind the kernel (a busy
 * machine) has not come to rest until it has seen as many, so it is never cut short.
 */
export interface ExpectedConnections {
  opened: number;
  closed: number;
}

/** The connection has ended as far as the wire will show: reset, a FIN, or the kernel's next move after the run. */
function ended(state: ConnectionState): boolean {
  return state.reset || state.finFromGateway || state.finFromTarget || (state.sent > state.acked && state.sinceSettle > 0);
}

export interface Capture {
  readonly file: string;
  /** the tcpdump filter expression, as a user would type it */
  readonly filter: string;
  /** waits until every connection has come to rest (see above), at most boundMs, then ends tcpdump */
  stop(boundMs?: number, expected?: ExpectedConnections): Promise<{ settled: boolean; unsettled: string[] }>;
}

const line = /IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](?:, seq (\d+)(?::(\d+))?)?(?:, ack (\d+))?/;

function atRest(state: ConnectionState): boolean {
  if (state.reset) return true;
  if (state.finFromGateway || state.finFromTarget) return state.finFromGateway && state.finFromTarget && state.lastFinAcked;
  return state.sent <= state.acked || state.sinceSettle > 0;
}

/** Captures TCP to and from the target address (one port of it, or every port when targetPort is absent). */
export function startCapture(options: { iface: string; targetAddress: string; targetPort?: number; file: string }): Promise<Capture> {
  const filter = `host ${options.targetAddress} and tcp${options.targetPort === undefined ? '' : ` port ${options.targetPort}`}`;
  const tcpdump: ChildProcess = spawn('tcpdump', ['-i', options.iface, '-n', '-tt', '-l', '-U', '--immediate-mode', '-B', '8192', '-Z', 'root', '--print', '-w', options.file, filter], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const connections = new Map<string, ConnectionState>();
  let settling = false;
  let changed: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => tcpdump.once('close', () => resolve()));

  createInterface({ input: tcpdump.stdout! }).on('line', (text) => {
    const match = line.exec(text);
    if (!match) return;
    const [, src, srcPort, , dstPort, flags = '', , seqEnd, ack] = match;
    const fromTarget = src === options.targetAddress && (options.targetPort === undefined || Number(srcPort) === options.targetPort);
    const key = fromTarget ? `${srcPort}-${dstPort}` : `${dstPort}-${srcPort}`;
    const state = connections.get(key) ?? { sent: 0, acked: 0, finFromGateway: false, finFromTarget: false, lastFinAcked: false, reset: false, sinceSettle: 0 };
    connections.set(key, state);
    if (settling) state.sinceSettle++;
    if (flags.includes('R')) state.reset = true;
    const bothFins = state.finFromGateway && state.finFromTarget;
    if (flags.includes('F')) {
      if (fromTarget) state.finFromTarget = true;
      else state.finFromGateway = true;
    } else if (bothFins && flags.includes('.')) state.lastFinAcked = true;
    // tcpdump prints the SYNs' numbers absolute and every later one relative to them.
    const syn = flags.includes('S');
    if (fromTarget && ack && !syn) state.acked = Math.max(state.acked, Number(ack));
    if (!fromTarget && seqEnd && !syn) state.sent = Math.max(state.sent, Number(seqEnd));
    changed();
  });

  return new Promise((resolve, reject) => {
    let errors = '';
    tcpdump.once('error', reject);
    tcpdump.stderr!.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
      if (!errors.includes('listening on')) return;
      tcpdump.stderr!.removeAllListeners('data');
      tcpdump.stderr!.on('data', (more: Buffer) => (errors += more.toString()));
      resolve({
        file: options.file,
        filter,
        async stop(boundMs = 3000, expected = { opened: 0, closed: 0 }) {
          settling = true;
          const settled = await new Promise<boolean>((done) => {
            const timer = setTimeout(() => done(false), boundMs);
            changed = () => {
              const states = [...connections.values()];
              if (states.length >= expected.opened && states.filter(ended).length >= expected.closed && states.every(atRest)) {
                clearTimeout(timer);
                done(true);
              }
            };
            changed();
          });
          if (tcpdump.exitCode === null) tcpdump.kill('SIGINT');
          await exited;
          const unsettled = [...connections].filter(([, state]) => !atRest(state)).map(([key, state]) => `${key} ${JSON.stringify(state)}`);
          if (process.env.FG_DEBUG) console.error('tcpdump said', errors);
          return { settled, unsettled };
        },
      });
    });
    tcpdump.once('close', (code) => reject(new Error(`tcpdump ${filter}: ${errors.trim().split('\n').pop() ?? `exited ${code}`}`)));
  });
}
