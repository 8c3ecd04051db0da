/**
 * The narrated run, for a room: a header (document, cause, what each hop is configured to do), the
 * timeline of what each socket and timer did, the product log lines and their file, the verdict,
 * and the resolution with the command that runs the fixed twin. Every timeline line comes from an
 * event recorded during the run; only the silences between events are computed.
 */
import pc from 'picocolors';
import { MESSAGE_ID_HEADER } from '../gateway/edge.ts';
import { INVOCATION } from '../invocation.ts';
import { packetList } from '../wire/packet-list.ts';
import { documents } from './documents.ts';
import type { Evidence, TimelineEntry } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';
import { tellStory } from './story.ts';

type Colors = ReturnType<typeof pc.createColors>;

/** Who each source is, as a room would say it. */
export const who: Record<TimelineEntry['source'], string> = {
  client: 'client',
  gateway: 'gateway',
  'target-socket': 'gateway→target',
  backend: 'target',
  relay: 'network',
};

/** One sentence per recorded event. */
export function describeEvent(event: TimelineEntry): string {
  const bytes = event.bytes === undefined ? '' : `${event.bytes} bytes`;
  const conn = event.conn ? ` (${event.conn})` : '';
  switch (event.kind) {
    case 'request-sent':
      return `sends ${event.detail ?? 'a request'}`;
    case 'response-received':
      return `receives ${event.detail ?? 'a response'}`;
    case 'client-error':
      return `gets no response: ${event.detail ?? ''}`;
    case 'request-received':
      return `receives ${event.detail ?? 'the request'}`;
    case 'connect-start':
      return `opens a new connection to the target${conn}`;
    case 'socket-reused':
      return `reuses the idle pooled connection${conn}, ${event.detail ?? ''}`;
    case 'connected':
      return `TCP connected${conn}`;
    case 'tls-client-hello':
      return `TLS Client Hello written: ${bytes}${conn}`;
    case 'tls-established':
      return `TLS handshake complete${conn}`;
    case 'request-written':
      return `request written to the target${conn}`;
    case 'bytes-received':
      return `${bytes} received from the target${conn}`;
    case 'response-started':
      return `the target's response begins: ${event.detail ?? ''}${conn}`;
    case 'fin-received':
      return event.source === 'backend' ? `receives the gateway's FIN${conn}` : `FIN received from the target: it closed the connection${conn}`;
    case 'rst-received':
      return `RST received from the target${conn}`;
    case 'timer-fired':
      return `the gateway's ${event.detail ?? 'timer'} fired${conn}`;
    case 'idle-retired':
      return `the gateway retires its idle pooled connection (${event.detail ?? ''})${conn}`;
    case 'socket-closed':
      return `connection closed${conn}`;
    case 'answered':
      return `answers the client ${event.detail ?? ''}`;
    case 'log-written':
      return 'writes a product log line';
    case 'accepted':
      return `accepts a connection${conn}`;
    case 'received':
      return `receives ${bytes}${event.detail ? ` (${event.detail})` : ''}${conn}`;
    case 'request-read':
      return `reads the request: ${event.detail ?? ''}${conn}`;
    case 'responded':
      return `responds ${event.detail ?? ''}${conn}`;
    case 'fin-sent':
      return `sends FIN without a response${conn}`;
    case 'rst-sent':
      return `resets the connection (RST)${conn}`;
    case 'idle-close':
      return `closes the connection after it sat ${event.detail ?? 'idle'}: FIN${conn}`;
    case 'fin-held':
      return `the target's FIN is in flight, ${event.detail ?? ''}${conn}`;
    case 'fin-released':
      return `the target's FIN goes on to the gateway: ${event.detail ?? 'released'}${conn}`;
  }
}

/** Socket closes of the backend's own side repeat what the gateway side says; they are left out. */
const quiet = (event: TimelineEntry) => event.source === 'backend' && event.kind === 'socket-closed';

/**
 * Turns timeline entries, in the order they happen, into narrated lines; a silence of silenceMs or
 * more between two events becomes a line of its own. Used live (one entry at a time, as the run
 * records it) and after the run (the whole timeline).
 */
export function timelineNarrator(c: Colors, silenceMs = 100): (event: TimelineEntry) => string[] {
  let previous: number | undefined;
  return (event) => {
    if (quiet(event)) return [];
    const lines: string[] = [];
    if (previous !== undefined && event.t - previous >= silenceMs) {
      lines.push(c.dim(`${' '.repeat(11)}… ${Math.round(event.t - previous)} ms with nothing on the wire …`));
    }
    previous = Math.max(previous ?? event.t, event.t);
    const time = `${event.t.toFixed(1).padStart(8)} ms`;
    const actor = who[event.source].padEnd(15);
    const text = describeEvent(event);
    const painted = /RST|FIN received|fired|no response/.test(text) ? c.yellow(text) : event.kind === 'answered' && !/ 2\d\d/.test(` ${event.detail}`) ? c.red(text) : text;
    lines.push(`${c.dim(time)}  ${c.cyan(actor)} ${painted}`);
    return lines;
  };
}

export function narrateTimeline(evidence: Pick<Evidence, 'timeline'>, c: Colors, silenceMs = 100): string[] {
  const narrator = timelineNarrator(c, silenceMs);
  return evidence.timeline.flatMap((event) => narrator(event));
}

/** What a narration's header needs: known once everything is started, before the client sends. */
export type NarrationSetup = Pick<Evidence, 'gateway' | 'hops' | 'settings'>;

/** The header: document, cause, the story with this run's values, and what each hop is configured to do. */
export function narrateHeader(scenario: Scenario, setup: NarrationSetup, c: Colors = pc): string[] {
  const document = documents[scenario.document];
  const requests = scenario.client.flatMap((step) => ('request' in step ? [`${step.request.method} ${step.request.path}`] : []));
  const out: string[] = [];
  out.push(c.bold(`━━ ${scenario.name}: ${scenario.title}`));
  out.push(`${c.dim('document')}  ${document.product}: "${document.title}"`);
  out.push(`${c.dim('cause')}     ${scenario.cause}`);
  out.push(`${c.dim('story')}     ${tellStory(scenario.story, setup.settings)}`);
  out.push(`${c.dim('client')}    ${requests.join(', then ')}`);
  if (setup.hops.router) out.push(`${c.dim('router')}    ${setup.hops.router}`);
  out.push(`${c.dim('gateway')}   ${setup.gateway === 'mimic' ? setup.hops.gateway : `${setup.gateway} (the real engine)`}`);
  if (setup.hops.relay) out.push(`${c.dim('network')}   ${setup.hops.relay}`);
  out.push(`${c.dim('target')}    ${setup.hops.backend}`);
  out.push('');
  out.push(c.bold('timeline'));
  return out;
}

/** Wire mode: where the capture was taken, the document's telnet step, and the packet list with its reading. */
export function narratePackets(evidence: Evidence, c: Colors): string[] {
  const wire = evidence.wire;
  if (!wire || !evidence.packets) return [];
  const out = [c.bold('packets')];
  out.push(`${c.dim('captured')}  on ${wire.capturedOn}`);
  out.push(`${c.dim('filter')}    tcpdump -i ${wire.path.interface} '${wire.filter}'`);
  if (wire.firewall) out.push(`${c.dim('firewall')}  ${wire.firewall}`);
  if (wire.tcpConnect) {
    const target = `${wire.path.target} ${wire.path.port}`;
    out.push(
      wire.tcpConnect.ok
        ? `${c.dim('telnet')}    telnet ${target}: a plain TCP connection opens (${Math.round(wire.tcpConnect.ms)} ms), so the network path is fine; what fails is the TLS handshake`
        : `${c.dim('telnet')}    telnet ${target}: ${wire.tcpConnect.error ?? 'fails'}: the network path itself is broken`,
    );
  }
  out.push(...packetList(evidence.packets, wire.reading, c).map((line) => `  ${line}`));
  if (evidence.pcap) out.push(`${c.dim('capture')}   ${evidence.pcap}   (open it in Wireshark: wireshark ${evidence.pcap})`);
  out.push('');
  return out;
}

/** The message id as Trace shows it (Edge sends it to no client unless the debug setting asks), and the log line it ties to. */
function narrateMessageId(evidence: Evidence, c: Colors): string {
  const id = evidence.messageId ?? '';
  const onResponse = evidence.response?.headers[MESSAGE_ID_HEADER.toLowerCase()] !== undefined;
  const inLog = evidence.logs.some((line) => line.includes(`messageid:${id}`));
  const where = onResponse ? 'in Trace; sent to the client too: debug.message.id.header' : 'in Trace, not sent to the client';
  return `${c.dim('message id')} ${id} (${MESSAGE_ID_HEADER} ${where})${inLog ? ': the messageid of the log line below' : ''}`;
}

/** The resolution, quoted from the document (or from the related document named), or marked as the harness's own words. */
function narrateResolution(resolution: string, from: Scenario['resolutionFrom'], c: Colors): string {
  if (from === 'document') return `${c.dim('resolution')} "${resolution}"`;
  if (from === 'harness') return `${c.dim('resolution')} ${resolution} ${c.dim("(in the harness's words: the document gives none to quote)")}`;
  const source = documents[from];
  return `${c.dim('resolution')} "${resolution}" ${c.dim(`(${source.product}: "${source.title}")`)}`;
}

/** The longest body the narration prints whole; a longer one (a payload past a limit) is shown by its start and its size. */
const SHOWN_BODY_CHARS = 400;

function shownBody(body: string, c: Colors): string {
  if (body.length <= SHOWN_BODY_CHARS) return body;
  return `${body.slice(0, 80)}${c.dim(`… (${Buffer.byteLength(body)} bytes in all)`)}`;
}

/** After the timeline: the packets (wire mode), the answer, what the wire showed, the product log, the verdict and the fix. */
export function narrateOutcome(scenario: Scenario, evidence: Evidence, c: Colors = pc): string[] {
  const out: string[] = ['', ...narratePackets(evidence, c)];
  if (evidence.response) {
    out.push(`${c.bold('answer')}    ${evidence.response.status} ${shownBody(evidence.response.body, c)}`);
  } else if (evidence.error) {
    out.push(`${c.bold('answer')}    none: ${evidence.error.message}`);
  }
  if (evidence.messageId) out.push(narrateMessageId(evidence, c));
  if (evidence.failure) out.push(`${c.dim('on the wire')} ${evidence.failure.kind}: ${evidence.failure.description}`);
  const exit = evidence.failure?.productExit;
  if (exit) out.push(`${c.bold('the product')} its process exits ${exit.code} here (${exit.error}); the harness keeps serving`);
  const where = evidence.logFile ?? '(in a temporary folder, removed after the run)';
  out.push(`${c.bold('product log')} ${evidence.logs.length === 0 ? c.dim('(no line written)') : c.dim(where)}`);
  for (const line of evidence.logs) out.push(`  ${line}`);
  out.push('');
  out.push(
    evidence.ok
      ? c.green(`✔ ${scenario.role === 'fix' ? 'fixed ' : ''}as the document says (${evidence.response?.status ?? 'no answer'}, ${Math.round(evidence.elapsedMs)} ms)`)
      : c.red(`✘ not as the document says:\n    ${evidence.problems.join('\n    ')}`),
  );
  if (scenario.resolution) out.push(narrateResolution(scenario.resolution, scenario.resolutionFrom, c));
  if (scenario.twin) {
    out.push(`${c.dim(scenario.role === 'failure' ? 'the fix' : 'the failure')}    ${INVOCATION} run ${scenario.twin}${evidence.wire ? ' --wire' : ''}`);
  }
  return out;
}

export function narrate(scenario: Scenario, evidence: Evidence, c: Colors = pc): string {
  return [...narrateHeader(scenario, evidence, c), ...narrateTimeline(evidence, c), ...narrateOutcome(scenario, evidence, c)].join('\n');
}
