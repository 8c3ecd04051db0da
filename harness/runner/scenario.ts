/**
 * What a scenario file is: plain data that says which document and cause it reproduces, which
 * gateway (personality and settings) and which backend (and settings) take part, what the client
 * does, and what must come out. `defineScenario` only gives the file its type; the loader checks
 * it against `scenarioSchema` and names the file and the field when it does not fit.
 */
import { z } from 'zod';
import { backends } from '../../faulty-backends/index.ts';
import { failureKinds } from '../gateway/failures.ts';
import { personalityNames } from '../gateway/personality.ts';
import { documentIds } from './documents.ts';
import { durationSchema } from './duration.ts';
import { positiveMillis } from '../config/fields.ts';
import { wireStories } from '../wire/stories.ts';

const backendNames = Object.keys(backends) as [string, ...string[]];
const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
/** Settings whose durations may be { test, real }; checked against the personality or backend once resolved. */
const settings = z.record(z.string(), z.unknown(), { error: 'expected a mapping of settings' });

const requestStep = z
  .object({
    request: z
      .object({
        method: z.string().default('GET'),
        path: z.string().startsWith('/', { error: 'a path starts with /' }).default('/'),
        headers: z.record(z.string(), z.string()).optional(),
        /** a body to send */
        body: z.string().optional(),
        /** or a body of this many bytes, for uploads the target cuts off part-way */
        bodyBytes: z.number().int().positive().optional(),
        /** the status this step must get when it is not the one the scenario is about */
        expectStatus: z.number().int().optional(),
      })
      .strict(),
  })
  .strict();

const idleStep = z
  .object({
    idle: z
      .object({
        /** how long the client stays quiet before its next request (in a natural race, exactly this long) */
        ms: durationSchema,
        /** send the next request the moment the target closes the pooled connection (its FIN), waiting at most ms plus the relay's hold */
        untilTargetCloses: z.boolean().default(false),
      })
      .strict(),
  })
  .strict();

export const stepSchema = z.union([requestStep, idleStep], { error: 'a step is { request: {…} } or { idle: {…} }' });

/**
 * A log line expected, as the document prints it, with holes for what changes from run to run:
 * {target} the gateway's target host:port, {gateway} the gateway's host:port, {message-id} the
 * message id the gateway gave the last request (Edge; X-Apigee.Message-ID in Trace), {time} an ISO timestamp, {uuid}, {n} and {ms} digits,
 * {duration} an event-log duration (digits, or empty: the engine prints 0 ms as nothing),
 * {ip:port} an address, {elapsed} milliseconds within tolerance of the measured request time,
 * {any} anything.
 */
export const logTemplateSchema = text('a log line template');

export const expectationSchema = z
  .object({
    /** the status of the last request */
    status: z.number({ error: 'expected an HTTP status' }).int().min(100).max(599),
    /** its body, exactly */
    body: z.string().optional(),
    /** response headers that must have exactly these values (names in lower case) */
    headers: z.record(z.string(), z.string()).optional(),
    /** the product-format log lines written during the run, in order; [] means none; left out: the lines are not judged */
    logs: z.array(logTemplateSchema).optional(),
    /** what the gateway's classifier must name (checked for the harness's own gateway only) */
    failure: z.enum(failureKinds).optional(),
    /**
     * the last request must be answered at the named gateway setting: that limit fired (armed with
     * its value) and not before it, and the gateway answered at least the limit and at most
     * toleranceMs (and what a busy machine adds) after reading the request (see timing-verdict.ts)
     */
    answeredAt: z.object({ setting: text('a gateway setting name'), toleranceMs: positiveMillis() }).strict().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'expected a lower-case-hyphenated name, the file name' }),
    title: text('a title'),
    document: z.enum(documentIds, { error: `expected one of ${documentIds.join(', ')}` }),
    cause: text('the cause, as the document names it'),
    /**
     * one sentence: what happens on the wire, naming the run's values by holes that the narration
     * fills ({backend.idleTimeoutMs}, {gateway.io.timeout.millis}, {relay.holdFinMs}: see story.ts)
     */
    story: text('one sentence saying what happens on the wire'),
    role: z.enum(['failure', 'fix'], { error: 'expected failure or fix' }),
    /** for a failure: the scenario that applies the document's resolution; for a fix: the failure it fixes */
    twin: z.string().optional(),
    /** the document's resolution, in its words */
    resolution: z.string().optional(),
    /**
     * whose words the resolution is: the document's (quoted), the harness's own where the document
     * gives none to quote, or another Apigee document's (quoted; its id in documents.ts)
     */
    resolutionFrom: z.enum(['document', 'harness', ...documentIds], { error: `expected document, harness or one of ${documentIds.join(', ')}` }).default('document'),
    gateway: z
      .object({
        personality: z.enum(personalityNames, { error: `expected one of ${personalityNames.join(', ')}` }),
        settings: settings.default({}),
      })
      .strict(),
    backend: z
      .object({
        name: z.enum(backendNames, { error: `expected one of ${backendNames.join(', ')}` }),
        settings: settings.default({}),
      })
      .strict(),
    /** a FIN-delay relay between gateway and backend: holds the target's FIN back this long */
    relay: z.object({ holdFinMs: durationSchema }).strict().optional(),
    /**
     * Edge's Router between the client and the gateway (edge only): a real nginx that gives up on
     * the Message Processor after readTimeoutMs and then answers with its own HTML page
     */
    router: z.object({ readTimeoutMs: durationSchema }).strict().optional(),
    client: z.array(stepSchema).min(1, { error: 'expected at least one client step' }),
    expect: expectationSchema,
    /** how the scenario runs with --wire: the packet story its capture must tell, and what differs on the wire */
    wire: z
      .object({
        story: z.enum(wireStories, { error: `expected one of ${wireStories.join(', ')}` }),
        /** the target on the wire, when it differs from the loopback stand-in (a real server behind a real firewall) */
        backend: z
          .object({
            name: z.enum(backendNames, { error: `expected one of ${backendNames.join(', ')}` }),
            settings: settings.default({}),
          })
          .strict()
          .optional(),
        /** drop-payload: the Edge document's firewall, which lets the TCP handshake through and drops what follows */
        firewall: z.enum(['drop-payload']).optional(),
        /** gateway settings that differ on the wire (e.g. a handshake limit that leaves room for three retransmissions) */
        gateway: settings.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ClientStep = z.output<typeof stepSchema>;
export type Expectation = z.output<typeof expectationSchema>;

/** Gives a scenario file its type; the checks happen when it is loaded. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
