/**
 * The narrated timeline is made of what the sockets and timers really did, in the order they did
 * it. For each documented scenario, the events that tell the story are there, in that order, with
 * the bytes and statuses the document's captures show.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { narrateTimeline } from '../../harness/runner/narrate.ts';
import { runScenario, type Evidence, type TimelineEntry } from '../../harness/runner/run-scenario.ts';
import pc from 'picocolors';

async function run(name: string): Promise<Evidence> {
  const scenario = (await loadScenarios()).find((each) => each.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return runScenario(scenario);
}

/** The index of the first event matching, after `from`; -1 when there is none. */
function find(timeline: readonly TimelineEntry[], source: TimelineEntry['source'], kind: TimelineEntry['kind'], from = 0): number {
  return timeline.findIndex((entry, index) => index >= from && entry.source === source && entry.kind === kind);
}

/** Asserts that these events occur in this order, and returns their entries. */
function inOrder(timeline: readonly TimelineEntry[], steps: [TimelineEntry['source'], TimelineEntry['kind']][]): TimelineEntry[] {
  const found: TimelineEntry[] = [];
  let from = 0;
  for (const [source, kind] of steps) {
    const index = find(timeline, source, kind, from);
    expect(index, `${source} ${kind} after event ${from}`).toBeGreaterThanOrEqual(0);
    found.push(timeline[index] as TimelineEntry);
    from = index + 1;
  }
  return found;
}

describe('timelines of the documented scenarios', () => {
  it('tls-handshake-timeout: connect, Client Hello written, nothing back, the limit fires, 502', async () => {
    const { timeline } = await run('tls-handshake-timeout');
    const [, , , connected, hello, received, timer, answered] = inOrder(timeline, [
      ['client', 'request-sent'],
      ['gateway', 'request-received'],
      ['target-socket', 'connect-start'],
      ['target-socket', 'connected'],
      ['target-socket', 'tls-client-hello'],
      ['backend', 'received'],
      ['target-socket', 'timer-fired'],
      ['gateway', 'answered'],
      ['client', 'response-received'],
    ]);
    expect(hello?.bytes).toBeGreaterThan(0);
    expect(received?.bytes).toBe(hello?.bytes);
    expect(received?.detail).toBe('TLS Client Hello');
    expect(timer?.detail).toBe('handshake limit 1000 ms');
    expect((timer?.t ?? 0) - (connected?.t ?? 0)).toBeGreaterThanOrEqual(999);
    expect(answered?.detail).toBe('502');
    // Nothing ever came back from the target.
    expect(timeline.filter((entry) => entry.source === 'target-socket' && ['bytes-received', 'tls-established', 'fin-received'].includes(entry.kind))).toEqual([]);
    // The narration says so.
    const narrated = narrateTimeline({ timeline } as Evidence, pc.createColors(false)).join('\n');
    expect(narrated).toMatch(/TLS Client Hello written: \d+ bytes/);
    expect(narrated).toMatch(/… \d+ ms with nothing on the wire …\n.*the gateway's handshake limit 1000 ms fired/);
  });

  it('target-premature-close: request written, FIN from the target before any response byte, 502', async () => {
    const { timeline } = await run('target-premature-close');
    const [, written, , finSent, fin, answered] = inOrder(timeline, [
      ['client', 'request-sent'],
      ['target-socket', 'request-written'],
      ['backend', 'request-read'],
      ['backend', 'fin-sent'],
      ['target-socket', 'fin-received'],
      ['gateway', 'answered'],
      ['client', 'response-received'],
    ]);
    expect(finSent?.conn).toMatch(/^backend#\d+$/);
    expect(fin?.conn).toBe(written?.conn);
    expect(answered?.detail).toBe('502');
    expect(timeline.filter((entry) => entry.source === 'target-socket' && entry.kind === 'bytes-received')).toEqual([]);
  });

  it('keepalive-timeout-mismatch: 200, idle, the target closes, the reused connection meets the FIN, 502', async () => {
    const { timeline } = await run('keepalive-timeout-mismatch');
    const [, responded, firstAnswer, idleClose, held, , reused, , released, fin, answered] = inOrder(timeline, [
      ['client', 'request-sent'],
      ['backend', 'responded'],
      ['gateway', 'answered'],
      ['backend', 'idle-close'],
      ['relay', 'fin-held'],
      ['client', 'request-sent'],
      ['target-socket', 'socket-reused'],
      ['target-socket', 'request-written'],
      ['relay', 'fin-released'],
      ['target-socket', 'fin-received'],
      ['gateway', 'answered'],
    ]);
    expect(firstAnswer?.detail).toBe('200');
    expect(idleClose?.detail).toBe('idle 300 ms');
    // The target's idle clock starts when it finished responding.
    expect((idleClose?.t ?? 0) - (responded?.t ?? 0)).toBeGreaterThanOrEqual(299);
    expect(held?.detail).toMatch(/for up to 500 ms/);
    expect(reused?.detail).toBe('use 2');
    expect(released?.detail).toMatch(/the gateway's \d+ bytes crossed it in flight/);
    expect(fin?.conn).toBe(reused?.conn);
    expect(answered?.detail).toBe('502');
  });

  it('keepalive-timeout-aligned: the gateway retires the idle connection first; the second request opens a new one', async () => {
    const { timeline } = await run('keepalive-timeout-aligned');
    const [, , retired, , connect, answered] = inOrder(timeline, [
      ['client', 'request-sent'],
      ['gateway', 'answered'],
      ['target-socket', 'idle-retired'],
      ['client', 'request-sent'],
      ['target-socket', 'connect-start'],
      ['gateway', 'answered'],
    ]);
    expect(retired?.conn).toBe('target#1');
    expect(connect?.conn).toBe('target#2');
    expect(answered?.detail).toBe('200');
    expect(timeline.some((entry) => entry.kind === 'socket-reused')).toBe(false);
  });
});
