/**
 * The harness's own gateway as a scenario's gateway: the runner's default. Its lines are written
 * before it answers, so they are all there when the client has its answer.
 */
import type { Failure } from '../gateway/failures.ts';
import type { FailureOutcome } from '../gateway/personality.ts';
import { createGateway } from '../gateway/gateway.ts';
import type { GatewayStarter } from './gateway-starter.ts';

export const mimicStarter: GatewayStarter = {
  name: 'mimic',
  mimic: true,
  async start({ personality, target, settings, trace }) {
    const gateway = await createGateway({ personality, target, settings, port: 0, trace });
    const lines: string[] = [];
    let failure: Failure | undefined;
    let outcome: FailureOutcome | undefined;
    gateway.on('log', (line) => lines.push(line));
    gateway.on('failure', (classified, _answer, _tag, productOutcome) => {
      failure = classified;
      outcome = productOutcome;
    });
    return {
      url: gateway.url,
      target: gateway.target.host,
      logFile: gateway.logFile,
      description: gateway.personality.describe(),
      lines: () => Promise.resolve([...lines]),
      lastFailure: () => failure,
      lastOutcome: () => outcome,
      close: () => gateway.close(),
    };
  },
};
