/**
 * One run's use of a wire path: the runner asks for a place for the target to listen, then for
 * "a target behind a firewall" (the rule, the document's telnet step, the capture), and at the end
 * for what the wire showed. The path is the run's own, or one a caller shares between runs (each
 * run's target has its own port, so its rule and its capture are its own).
 */
import type { ListenOptions } from '../listen.ts';
import type { Capture, ExpectedConnections } from './capture.ts';
import { decodeCapture, type Packet } from './decode.ts';
import type { FirewallRule } from './firewall.ts';
import { openWirePath, type TcpConnectResult, type WirePath } from './path.ts';
import { readStory, type StoryContext, type StoryStep, type WireStory } from './stories.ts';

export type Firewall = 'drop-payload';

export interface WireRequest {
  /** a path shared with other runs; default: one of the run's own, removed when it ends */
  path?: WirePath;
}

export interface WireEvidence {
  /** the gateway's side of the veth pair, and the addresses at both ends */
  path: { interface: string; namespace: string; gateway: string; target: string; port: number; protocol: 'http' | 'https' };
  /** the capture filter, as a user would hand it to tcpdump */
  filter: string;
  /** where the capture was taken, and why there */
  capturedOn: string;
  firewall?: string;
  /** the document's telnet step: a plain TCP connect to the target, before the run */
  tcpConnect?: TcpConnectResult;
  packets: Packet[];
  /** the capture reached rest (every connection closed, pooled, or its close on the wire) before the bound */
  settled: boolean;
  reading: StoryStep[];
  problems: string[];
  /** what the reading compared the packets with: the gateway's close and the log lines' stamps (ms since the epoch) */
  context: StoryContext;
}

export class TargetSide {
  private capture: Capture | undefined;
  private rule: FirewallRule | undefined;
  private connect: TcpConnectResult | undefined;
  private port = 0;
  private protocol: 'http' | 'https' = 'http';

  private constructor(
    readonly path: WirePath,
    private readonly ownPath: boolean,
  ) {}

  static async open(request: WireRequest): Promise<TargetSide> {
    return new TargetSide(request.path ?? (await openWirePath()), request.path === undefined);
  }

  listenOptions(): Promise<ListenOptions> {
    return this.path.listenOptions();
  }

  /**
   * Puts the listening target behind the firewall (if any), checks TCP reaches it, and starts the
   * capture into pcap (none when a caller captures the whole shared path itself).
   */
  async guard(port: number, protocol: 'http' | 'https', firewall: Firewall | undefined, pcap: string | undefined): Promise<void> {
    this.port = port;
    this.protocol = protocol;
    if (firewall === 'drop-payload') {
      this.rule = await this.path.dropPayloadTo(port);
      // The document's step before the capture: can a plain TCP connection be made at all?
      this.connect = await this.path.tcpConnect(port);
    }
    if (pcap) this.capture = await this.path.capture(port, pcap);
  }

  /** the firewall in front of the target, in a sentence, when there is one */
  get firewall(): string | undefined {
    return this.rule?.description;
  }

  get filter(): string {
    return `host ${this.path.targetAddress} and tcp port ${this.port}`;
  }

  /** Ends the capture once the story has finished on the wire, decodes it, and reads the story. */
  async finish(story: WireStory | undefined, context: StoryContext, options: { relay: boolean; boundMs: number; expected: ExpectedConnections }): Promise<WireEvidence> {
    const settled = this.capture ? (await this.capture.stop(options.boundMs, options.expected)).settled : true;
    const packets = this.capture ? await decodeCapture(this.capture.file, { targetAddress: this.path.targetAddress, targetPorts: [this.port], protocol: this.protocol }) : [];
    const reading = story && this.capture ? readStory(story, packets, context) : { problems: [], steps: [] };
    return {
      path: { interface: this.path.names.gatewayLink, namespace: this.path.names.namespace, gateway: this.path.gatewayAddress, target: this.path.targetAddress, port: this.port, protocol: this.protocol },
      filter: this.filter,
      capturedOn: options.relay
        ? `${this.path.names.gatewayLink}, on the target's side of the FIN-delay relay: there the target's FIN, the late request and the target's RST cross in the document's order (this kernel has no netem, so the relay's hold is the latency that keeps the race deterministic)`
        : `${this.path.names.gatewayLink}, the gateway's side of the veth pair to the target's namespace`,
      ...(this.rule ? { firewall: this.rule.description } : {}),
      ...(this.connect ? { tcpConnect: this.connect } : {}),
      packets,
      settled,
      reading: reading.steps,
      problems: reading.problems,
      context,
    };
  }

  async close(): Promise<void> {
    await this.capture?.stop(0);
    await this.rule?.remove();
    if (this.ownPath) await this.path.close();
  }
}
