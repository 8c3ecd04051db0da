/**
 * Wire mode: the target side of a run in a network namespace of its own, behind a veth pair, with
 * a firewall rule when the story needs one, captured with tcpdump and decoded with tshark.
 */
export { decodeCapture, packetsOfTarget, type Direction, type Packet } from './decode.ts';
export { openWirePath, type TcpConnectResult, type WirePath } from './path.ts';
export { packetList } from './packet-list.ts';
export { readStory, wireStories, type StoryReading, type StoryStep, type WireStory } from './stories.ts';
export { TargetSide, type Firewall, type WireEvidence, type WireRequest } from './target-side.ts';
export { wireUnavailable } from './tools.ts';
