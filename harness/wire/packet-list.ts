/**
 * The packet list as Wireshark shows it — numbered from 1, relative time, direction, flags, length
 * and Wireshark's own names — with the document's step-by-step reading beside the packets it is
 * about.
 */
import type { Packet } from './decode.ts';
import type { StoryStep } from './stories.ts';

export interface Paint {
  dim(text: string): string;
  yellow(text: string): string;
}

const plain: Paint = { dim: (text) => text, yellow: (text) => text };

export function packetList(packets: readonly Packet[], reading: readonly StoryStep[] = [], c: Paint = plain): string[] {
  const lines = [c.dim(`${'No.'.padStart(4)}  ${'Time'.padEnd(9)} ${'Direction'.padEnd(17)} ${'Flags'.padEnd(9)} ${'Len'.padStart(4)}  Info`)];
  const said = new Set<StoryStep>();
  for (const packet of packets) {
    const row = `${String(packet.no).padStart(4)}  ${packet.time.toFixed(6).padEnd(9)} ${packet.direction.padEnd(17)} ${packet.flags.padEnd(9)} ${String(packet.length).padStart(4)}  ${packet.label}`;
    lines.push(/RST|FIN|Retransmission/.test(packet.label) ? c.yellow(row) : row);
    // A reading goes under the last packet it is about.
    for (const step of reading) {
      if (!said.has(step) && step.packets.length > 0 && step.packets.at(-1) === packet.no) {
        said.add(step);
        lines.push(c.dim(`        ↳ ${step.text}`));
      }
    }
  }
  for (const step of reading) if (!said.has(step)) lines.push(c.dim(`        • ${step.text}`));
  return lines;
}
