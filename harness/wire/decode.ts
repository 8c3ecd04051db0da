/**
 * Decoding a capture with Wireshark's own dissectors (tshark), so that each packet carries the
 * names the documents' screenshots show: "Client Hello", "[TCP Retransmission]", "FIN, ACK", "RST".
 * The target's port is decoded as the protocol it speaks (TLS or HTTP), as a user would set
 * "Decode As…" in Wireshark for a port that is not the protocol's well-known one.
 */
import { run } from './exec.ts';

export type Direction = 'gateway → target' | 'target → gateway';

export interface Packet {
  /** numbered from 1, as Wireshark numbers them */
  no: number;
  /** seconds since the first packet */
  time: number;
  /** seconds since the epoch, for matching log lines' timestamps */
  epoch: number;
  direction: Direction;
  /** the gateway side's port: which connection this packet belongs to */
  gatewayPort: number;
  /** the target's port: which run's target */
  targetPort: number;
  /** TCP flags as Wireshark lists them: "SYN, ACK", "FIN, ACK", "RST", "PSH, ACK" */
  flags: string;
  /** bytes on the wire (the frame) */
  length: number;
  /** TCP payload bytes */
  payload: number;
  retransmission: boolean;
  /** Wireshark's Protocol column */
  protocol: string;
  /** Wireshark's Info column */
  info: string;
  /** the short name the documents use: "Client Hello", "[TCP Retransmission] Client Hello", "GET /", "FIN, ACK" … */
  label: string;
}

const fields = [
  'frame.number',
  'frame.time_relative',
  'frame.time_epoch',
  'ip.src',
  'tcp.srcport',
  'tcp.dstport',
  'frame.len',
  'tcp.len',
  'tcp.flags.fin',
  'tcp.flags.syn',
  'tcp.flags.reset',
  'tcp.flags.push',
  'tcp.flags.ack',
  'tcp.analysis.retransmission',
  '_ws.col.Protocol',
  '_ws.col.Info',
] as const;

const on = (value: string | undefined): boolean => value === '1' || value === 'True' || value === 'true';

/** Wireshark's order of flag names in the Info column. */
function flagNames(values: Record<'fin' | 'syn' | 'rst' | 'psh' | 'ack', boolean>): string {
  return (['fin', 'syn', 'rst', 'psh', 'ack'] as const)
    .filter((flag) => values[flag])
    .map((flag) => flag.toUpperCase())
    .join(', ');
}

/** The Info column without the numbers nobody reads aloud (windows, timestamps, options). */
function labelOf(info: string, flags: string, retransmission: boolean, firstPayloadLabel: string | undefined): string {
  if (!/^\[|^\d+ → \d+/.test(info)) return info; // an application protocol's own summary: "Client Hello", "GET /path HTTP/1.1"
  const marker = /^(\[TCP [^\]]+\])/.exec(info)?.[1];
  if (retransmission && firstPayloadLabel) return `[TCP Retransmission] ${firstPayloadLabel}`;
  return marker ? `${marker} ${flags}` : flags;
}

export async function decodeCapture(file: string, options: { targetAddress: string; targetPorts: number[]; protocol: 'http' | 'https' }): Promise<Packet[]> {
  const decodeAs = options.targetPorts.flatMap((port) => ['-d', `tcp.port==${port},${options.protocol === 'https' ? 'tls' : 'http'}`]);
  const { stdout } = await run('tshark', ['-r', file, '-n', ...decodeAs, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...fields.flatMap((field) => ['-e', field])]);
  const firstLabels = new Map<string, string>();
  const packets: Packet[] = [];
  for (const row of stdout.split('\n')) {
    if (!row.trim()) continue;
    const [no, rel, epoch, src, srcPort, dstPort, frameLen, tcpLen, fin, syn, rst, psh, ack, retrans, protocol = '', rawInfo = ''] = row.split('\t');
    const info = rawInfo.replace(/\s+,/g, ',').trim();
    const fromTarget = src === options.targetAddress;
    const gatewayPort = Number(fromTarget ? dstPort : srcPort);
    const flags = flagNames({ fin: on(fin), syn: on(syn), rst: on(rst), psh: on(psh), ack: on(ack) });
    const retransmission = retrans !== undefined && retrans !== '';
    const payload = Number(tcpLen ?? 0);
    const key = `${fromTarget ? 't' : 'g'}${gatewayPort}`;
    if (payload > 0 && !retransmission && !/^\[|^\d+ → \d+/.test(info) && !firstLabels.has(key)) firstLabels.set(key, info);
    packets.push({
      no: Number(no),
      time: Number(rel),
      epoch: Number(epoch),
      direction: fromTarget ? 'target → gateway' : 'gateway → target',
      gatewayPort,
      targetPort: Number(fromTarget ? srcPort : dstPort),
      flags,
      length: Number(frameLen),
      payload,
      retransmission,
      protocol,
      info,
      label: labelOf(info, flags, retransmission, firstLabels.get(key)),
    });
  }
  return packets;
}

/**
 * One run's packets out of a capture of the whole path, numbered from 1 again as the run's own
 * capture would number them: its target's port only, and without connections on which the gateway
 * sent nothing (the telnet step, which a run makes before its own capture starts).
 */
export function packetsOfTarget(packets: readonly Packet[], targetPort: number): Packet[] {
  const port = packets.filter((packet) => packet.targetPort === targetPort);
  const used = new Set(port.filter((packet) => packet.direction === 'gateway → target' && packet.payload > 0).map((packet) => packet.gatewayPort));
  const own = port.filter((packet) => used.has(packet.gatewayPort));
  const start = own[0]?.time ?? 0;
  return own.map((packet, index) => ({ ...packet, no: index + 1, time: Number((packet.time - start).toFixed(6)) }));
}
