/**
 * The story readers on hand-made packet lists: what they accept, what they say, and which
 * departures from the documents' packets they name.
 */
import { describe, expect, it } from 'vitest';
import type { Packet } from '../../harness/wire/decode.ts';
import { readStory } from '../../harness/wire/stories.ts';

const EPOCH = 1_800_000_000;

function packet(no: number, time: number, direction: Packet['direction'], flags: string, label: string, payload = 0, retransmission = false): Packet {
  return { no, time, epoch: EPOCH + time, direction, gatewayPort: 40000, targetPort: 8443, flags, length: 66 + payload, payload, retransmission, protocol: 'TCP', info: label, label };
}

const handshake = [packet(1, 0, 'gateway → target', 'SYN', 'SYN'), packet(2, 0.0001, 'target → gateway', 'SYN, ACK', 'SYN, ACK'), packet(3, 0.0002, 'gateway → target', 'ACK', 'ACK')];
const hello = (no: number, time: number, again = false) => packet(no, time, 'gateway → target', 'PSH, ACK', again ? '[TCP Retransmission] Client Hello' : 'Client Hello', 349, again);
const blocked = [...handshake, hello(4, 0.01), hello(5, 0.21, true), hello(6, 0.42, true), hello(7, 0.84, true)];

describe('firewall-drops-handshake', () => {
  it('reads the document’s steps, and says what this kernel did at the close', () => {
    const reading = readStory('firewall-drops-handshake', [...blocked, hello(8, 1.67, true)], { gatewayClosedAt: (EPOCH + 1.5) * 1000, logTimes: [] });
    expect(reading.problems).toEqual([]);
    expect(reading.steps.map((step) => step.packets)).toEqual([[1, 2, 3], [4], [5, 6, 7], [8], []]);
    expect(reading.steps[3]?.text).toContain('queues the FIN behind the unacknowledged Client Hello');
  });

  it('names fewer than three retransmissions before the close, and payload from the target', () => {
    const reading = readStory('firewall-drops-handshake', [...blocked.slice(0, 6), packet(7, 0.5, 'target → gateway', 'PSH, ACK', 'Server Hello', 700)], { gatewayClosedAt: (EPOCH + 0.45) * 1000, logTimes: [] });
    expect(reading.problems).toEqual([
      'the Client Hello was retransmitted 2 times before the gateway gave up, not at least 3',
      'the target sent payload back (packet 7): the firewall did not hold',
    ]);
  });

  it('with nothing after the close before the capture stopped (--real-time), says so rather than fail', () => {
    const reading = readStory('firewall-drops-handshake', blocked, { gatewayClosedAt: (EPOCH + 1.5) * 1000, logTimes: [] });
    expect(reading.problems).toEqual([]);
    expect(reading.steps[3]?.text).toContain('nothing more crossed before the capture stopped waiting');
  });

  it('a FIN after the close is read as the close', () => {
    const fin = packet(8, 1.51, 'gateway → target', 'FIN, ACK', 'FIN, ACK');
    const reading = readStory('firewall-drops-handshake', [...blocked, fin], { gatewayClosedAt: (EPOCH + 1.5) * 1000, logTimes: [] });
    expect(reading.steps[3]?.text).toContain('packet 8, FIN, ACK');
  });
});

describe('premature-close', () => {
  const packets = [
    ...handshake,
    packet(4, 0.01, 'gateway → target', 'PSH, ACK', 'GET / HTTP/1.1', 90),
    packet(5, 0.0101, 'target → gateway', 'ACK', 'ACK'),
    packet(6, 0.012, 'target → gateway', 'FIN, ACK', 'FIN, ACK'),
    packet(7, 0.014, 'gateway → target', 'ACK', 'ACK'),
    packet(8, 0.015, 'gateway → target', 'FIN, ACK', 'FIN, ACK'),
    packet(9, 0.0151, 'target → gateway', 'ACK', 'ACK'),
  ];

  it('matches the log lines’ stamps with the target’s FIN', () => {
    const reading = readStory('premature-close', packets, { logTimes: [(EPOCH + 0.014) * 1000, (EPOCH + 0.014) * 1000] });
    expect(reading.problems).toEqual([]);
    expect(reading.steps.at(-1)?.text).toMatch(/^the 2 log lines stamped .* came 2\.0 ms after packet 6/);
  });

  it('a log line stamped well before the FIN does not name it', () => {
    const reading = readStory('premature-close', packets, { logTimes: [(EPOCH - 1) * 1000] });
    expect(reading.problems[0]).toMatch(/from the target's FIN \(packet 6\)/);
  });
});
