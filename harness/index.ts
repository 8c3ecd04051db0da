/**
 * faultgate as a library: everything the CLI does, from one entry point, with types.
 */
export { createGateway, parseTarget, type Gateway, type GatewayOptions, type GatewayEvents } from './gateway/gateway.ts';
export { classify, failureKinds, type Failure, type FailureKind, type FailurePhase } from './gateway/failures.ts';
export { personalities, personalityNamed } from './gateway/personalities.ts';
export { personalityNames, type PersonalityName, type Personality, type FailureAnswer, type FailureOutcome, type ClientOutcome, type ProductExit } from './gateway/personality.ts';
export { edgeFaults, faultBody, MESSAGE_ID_HEADER } from './gateway/edge.ts';
export { eventLogLine, parseEventLogLine, type EventLogFields } from './gateway/microgateway.ts';
export { edgeSettingsSchema, parseEdgeSettings, readTargetEndpoint, type EdgeSettings } from './config/edge.ts';
export { microgatewaySettingsSchema, parseMicrogatewaySettings, type MicrogatewaySettings } from './config/microgateway.ts';
export { loadConfigFile } from './config/load-file.ts';
export { FinDelayRelay, startFinDelayRelay, type FinDelayRelayOptions } from './relay/fin-delay-relay.ts';
export { runScenario, type Evidence, type RunOptions, type TimelineEntry } from './runner/run-scenario.ts';
export type { GatewayStarter, GatewayStartRequest, ScenarioGateway } from './runner/gateway-starter.ts';
export { mimicStarter } from './runner/mimic-starter.ts';
export { referenceStarter } from './reference/scenario-gateway.ts';
export { defineScenario, scenarioSchema, type Scenario, type ScenarioInput } from './runner/scenario.ts';
export { loadScenarios, loadScenarioFile, selectScenarios } from './runner/load-scenarios.ts';
export { narrate, describeEvent } from './runner/narrate.ts';
export { loadChain, parseChain, type Chain, type Hop } from './keepalive/chain.ts';
export { connectionsOf, isSafe, verdicts, type Verdict, type Connection as KeepAliveConnection } from './keepalive/rule.ts';
export { planProbe, runProbe, runProbes, defaultProbeSettings, type ProbePlan, type ProbeResult, type ProbeSettings } from './keepalive/probe.ts';
export { startMicrogatewayCore, type ReferenceGateway, type ReferenceGatewayOptions, type EngineVersion } from './reference/microgateway-core.ts';
export { standUp, type Stage, type StageRow } from './stage/stand-up.ts';
export { openWirePath, wireUnavailable, decodeCapture, packetsOfTarget, packetList, readStory, wireStories, type WirePath, type Packet, type WireEvidence, type WireStory, type StoryStep } from './wire/index.ts';
export { FaultgateError, isFaultgateError, type FaultgateErrorCode } from './errors.ts';
export type { TraceEvent, TraceKind, TraceSink, TraceSource } from './trace.ts';
export * from '../faulty-backends/index.ts';
