/**
 * The documents' packet stories, read off a decoded capture: each reader checks that the packets
 * tell the story (a problem per sentence when they do not) and gives the document's step-by-step
 * reading with this run's packet numbers. What the kernel really did is said as it happened, also
 * where it differs from the document's screenshot.
 */
import type { Packet } from './decode.ts';

export const wireStories = ['firewall-drops-handshake', 'handshake-completes', 'keepalive-race', 'premature-close'] as const;
export type WireStory = (typeof wireStories)[number];

export interface StoryStep {
  /** the packet numbers the sentence is about */
  packets: number[];
  text: string;
}

export interface StoryReading {
  problems: string[];
  steps: StoryStep[];
}

export interface StoryContext {
  /** ms since the epoch: when the gateway closed its connection to the target, if it did */
  gatewayClosedAt?: number;
  /** ms since the epoch of each product log line that carries a timestamp */
  logTimes: number[];
}

/**
 * How a log line's timestamp and the packet it names must agree: the line is written after the
 * packet crossed (its stamp is whole milliseconds, so up to 1 ms earlier), and within the time a
 * loaded machine may take to run the gateway's handler — a few milliseconds on a quiet machine,
 * tens under load, as with every timing the harness judges on a busy machine.
 */
export const LOG_AFTER_PACKET_MS = { min: -1, max: 250 };

const toGateway = (packet: Packet) => packet.direction === 'target → gateway';
const fromGateway = (packet: Packet) => packet.direction === 'gateway → target';
const has = (packet: Packet, flag: string) => packet.flags.split(', ').includes(flag);
const list = (packets: Packet[]) => packets.map((packet) => packet.no);
const seconds = (value: number) => `${value.toFixed(3)} s`;
const numbers = (values: number[]) => (values.length === 1 ? `packet ${values[0]}` : `packets ${values.slice(0, -1).join(', ')} and ${values.at(-1)}`);

/** The packets of the first connection the gateway opened (the story is told on one connection). */
function firstConnection(packets: Packet[]): Packet[] {
  const first = packets.find((packet) => has(packet, 'SYN') && !has(packet, 'ACK')) ?? packets[0];
  return first ? packets.filter((packet) => packet.gatewayPort === first.gatewayPort) : [];
}

function handshake(conn: Packet[], problems: string[]): StoryStep | undefined {
  const [syn, synAck, ack] = conn;
  const ok =
    syn && synAck && ack && fromGateway(syn) && syn.flags === 'SYN' && toGateway(synAck) && synAck.flags === 'SYN, ACK' && fromGateway(ack) && ack.flags === 'ACK' && ack.payload === 0;
  if (!ok) {
    problems.push('the capture does not begin with the three-way handshake (SYN, SYN, ACK, ACK)');
    return undefined;
  }
  return { packets: [syn.no, synAck.no, ack.no], text: `the three-way TCP handshake completes in packets ${syn.no}–${ack.no} (SYN, SYN/ACK, ACK)` };
}

function firewallDropsHandshake(packets: Packet[], context: StoryContext): StoryReading {
  const problems: string[] = [];
  const steps: StoryStep[] = [];
  const conn = firstConnection(packets);
  const start = handshake(conn, problems);
  if (start) steps.push(start);
  const hello = conn[3];
  if (!hello || !fromGateway(hello) || hello.label !== 'Client Hello') {
    problems.push(`packet 4 is not the gateway's Client Hello (${hello ? `${hello.direction} ${hello.label}` : 'no packet 4'})`);
    return { problems, steps };
  }
  steps.push({ packets: [hello.no], text: `the gateway sends the "Client Hello" in packet ${hello.no}` });
  const retransmissions = conn.filter((packet) => packet.no > hello.no && fromGateway(packet) && packet.retransmission && packet.payload === hello.payload);
  const before = context.gatewayClosedAt === undefined ? retransmissions : retransmissions.filter((packet) => packet.epoch * 1000 <= (context.gatewayClosedAt as number));
  if (before.length < 3) problems.push(`the Client Hello was retransmitted ${before.length} times before the gateway gave up, not at least 3`);
  else {
    const gaps = before.map((packet, index) => packet.time - (index === 0 ? hello.time : (before[index - 1] as Packet).time));
    steps.push({
      packets: list(before),
      text: `there is no acknowledgement from the target, so the gateway's kernel retransmits the "Client Hello" in ${numbers(list(before))}, after ${gaps.map(seconds).join(', ')} (the kernel backs off, waiting longer between tries)`,
    });
  }
  const payloadBack = conn.filter((packet) => toGateway(packet) && packet.payload > 0);
  if (payloadBack.length) problems.push(`the target sent payload back (${numbers(list(payloadBack))}): the firewall did not hold`);
  const fin = conn.find((packet) => fromGateway(packet) && has(packet, 'FIN'));
  if (context.gatewayClosedAt !== undefined) {
    const closedAt = (context.gatewayClosedAt - (conn[0] as Packet).epoch * 1000) / 1000;
    const after = conn.filter((packet) => fromGateway(packet) && packet.epoch * 1000 > (context.gatewayClosedAt as number));
    if (fin) {
      steps.push({
        packets: [fin.no],
        text: `the gateway gives up at its handshake limit (${seconds(closedAt)}) and closes the connection: packet ${fin.no}, ${fin.label}${fin.payload > 0 ? ', the FIN riding on a retransmission of the Client Hello' : ''}`,
      });
    } else if (after[0]) {
      steps.push({
        packets: [after[0].no],
        text:
          `the gateway gives up at its handshake limit (${seconds(closedAt)}) and closes its socket; the document's screenshot shows a FIN, ACK here, ` +
          `but this kernel queues the FIN behind the unacknowledged Client Hello, and the next packet on the wire, ${after[0].no} at ${seconds(after[0].time)}, ` +
          `is one more retransmission of the Client Hello, still without FIN (the kernel keeps retrying until the data is acknowledged or its orphan retries run out)`,
      });
    } else {
      // With --real-time the kernel's next retransmission is due a minute after the last one; the
      // capture stops waiting for it after its bound (see capture.ts), and says so.
      const last = conn.at(-1) as Packet;
      steps.push({
        packets: [last.no],
        text:
          `the gateway gives up at its handshake limit (${seconds(closedAt)}) and closes its socket; the document's screenshot shows a FIN, ACK here, ` +
          `but this kernel queues the FIN behind the unacknowledged Client Hello, and nothing more crossed before the capture stopped waiting: ` +
          `the kernel's next retransmission is due about ${seconds(2 * (last.time - ((conn.at(-2) as Packet | undefined)?.time ?? last.time)))} after packet ${last.no}`,
      });
    }
  }
  steps.push({ packets: [], text: 'not one byte of payload comes back from the target: the firewall dropped the Client Hello before the target’s TLS server could see it' });
  return { problems, steps };
}

function handshakeCompletes(packets: Packet[]): StoryReading {
  const problems: string[] = [];
  const steps: StoryStep[] = [];
  const conn = firstConnection(packets);
  const start = handshake(conn, problems);
  if (start) steps.push(start);
  const hello = conn[3];
  if (!hello || hello.label !== 'Client Hello') problems.push('packet 4 is not the Client Hello');
  else steps.push({ packets: [hello.no], text: `the gateway sends the "Client Hello" in packet ${hello.no}` });
  const serverHello = conn.find((packet) => toGateway(packet) && packet.info.includes('Server Hello'));
  if (!serverHello) problems.push('the target never answered with a Server Hello');
  else steps.push({ packets: [serverHello.no], text: `with no firewall in the way the target answers with its "Server Hello" in packet ${serverHello.no}: the handshake completes` });
  if (conn.some((packet) => packet.retransmission)) problems.push('a packet was retransmitted on an open path');
  return { problems, steps };
}

function keepaliveRace(packets: Packet[]): StoryReading {
  const problems: string[] = [];
  const steps: StoryStep[] = [];
  const conn = firstConnection(packets);
  const requests = conn.filter((packet) => fromGateway(packet) && packet.payload > 0 && !packet.retransmission);
  const response = conn.find((packet) => toGateway(packet) && packet.payload > 0);
  const fin = conn.find((packet) => toGateway(packet) && has(packet, 'FIN'));
  const [first, second] = requests;
  if (!first || !response || !fin || !second) {
    problems.push('the capture does not show a request, its response, the target’s FIN and a second request on one connection');
    return { problems, steps };
  }
  steps.push({ packets: [first.no], text: `packet ${first.no}: the gateway sends ${first.label}` });
  steps.push({ packets: [response.no], text: `packet ${response.no}: the target responds ${response.label}` });
  const idle = fin.time - response.time;
  steps.push({ packets: [fin.no], text: `packet ${fin.no}: ${seconds(idle)} after its response the target sends ${fin.label}, closing the idle connection` });
  if (second.no < fin.no) problems.push(`the second request (packet ${second.no}) went out before the target's FIN (packet ${fin.no})`);
  steps.push({ packets: [second.no], text: `packet ${second.no}: the gateway sends its next request, ${second.label}, on the same connection: the FIN had not reached it yet` });
  const reset = conn.find((packet) => toGateway(packet) && has(packet, 'RST') && packet.no > second.no);
  if (!reset) problems.push('the target did not answer the late request with RST');
  else steps.push({ packets: [reset.no], text: `packet ${reset.no}: the target, which had already closed the connection, answers with ${reset.label}` });
  return { problems, steps };
}

function prematureClose(packets: Packet[], context: StoryContext): StoryReading {
  const problems: string[] = [];
  const steps: StoryStep[] = [];
  const conn = firstConnection(packets);
  const request = conn.find((packet) => fromGateway(packet) && packet.payload > 0);
  const fin = conn.find((packet) => toGateway(packet) && has(packet, 'FIN'));
  if (!request || !fin) {
    problems.push('the capture does not show the request and the target’s FIN');
    return { problems, steps };
  }
  steps.push({ packets: [request.no], text: `in packet ${request.no} the gateway sends ${request.label} to the target` });
  const ack = conn.find((packet) => toGateway(packet) && packet.no > request.no && packet.no < fin.no && packet.flags === 'ACK');
  if (ack) steps.push({ packets: [ack.no], text: `in packet ${ack.no} the target responds with ACK to acknowledge the request` });
  const answered = conn.filter((packet) => toGateway(packet) && packet.payload > 0);
  if (answered.length) problems.push(`the target sent ${answered.length} payload packets: a response began`);
  steps.push({ packets: [fin.no], text: `in packet ${fin.no}, instead of a response, the target sends ${fin.label}, initiating the closure of the connection` });
  const rest = conn.filter((packet) => packet.no > fin.no);
  const gatewayFin = rest.find((packet) => fromGateway(packet) && has(packet, 'FIN'));
  if (!gatewayFin) problems.push("the gateway's FIN is not in the capture: the connection was not closed mutually");
  else steps.push({ packets: list(rest), text: `in ${numbers(list(rest))} the connection is closed mutually` });
  // The document's step 5: the log lines' timestamps name the packet that closed the connection.
  for (const logTime of [...new Set(context.logTimes)]) {
    const count = context.logTimes.filter((time) => time === logTime).length;
    const delta = logTime - fin.epoch * 1000;
    if (delta < LOG_AFTER_PACKET_MS.min || delta > LOG_AFTER_PACKET_MS.max) {
      problems.push(`the log lines stamped ${new Date(logTime).toISOString()} are ${delta.toFixed(1)} ms from the target's FIN (packet ${fin.no}), not within ${LOG_AFTER_PACKET_MS.min}…+${LOG_AFTER_PACKET_MS.max} ms after it`);
    }
    steps.push({
      packets: [fin.no],
      text: `the ${count === 1 ? 'log line' : `${count} log lines`} stamped ${new Date(logTime).toISOString()} came ${delta.toFixed(1)} ms after packet ${fin.no} (the target's FIN) crossed, stamped ${new Date(fin.epoch * 1000).toISOString()}: the log and the capture name the same moment`,
    });
  }
  return { problems, steps };
}

export function readStory(story: WireStory, packets: Packet[], context: StoryContext): StoryReading {
  switch (story) {
    case 'firewall-drops-handshake':
      return firewallDropsHandshake(packets, context);
    case 'handshake-completes':
      return handshakeCompletes(packets);
    case 'keepalive-race':
      return keepaliveRace(packets);
    case 'premature-close':
      return prematureClose(packets, context);
  }
}
