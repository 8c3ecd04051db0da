/**
 * Every faulty backend, by its public name. One fault, one file: to add a failure mode, write a
 * module beside these (see "Adding a failure mode" in the README) and name it here.
 */
import type { BackendDefinition } from './backend.ts';
import { closedPort } from './closed-port.ts';
import { finMidRequest } from './fin-mid-request.ts';
import { healthy } from './healthy.ts';
import { idleCloser } from './idle-closer.ts';
import { neverRespond } from './never-respond.ts';
import { noContentWithBody } from './no-content-with-body.ts';
import { notHttp } from './not-http.ts';
import { resetMidRequest } from './reset-mid-request.ts';
import { swallowClientHello } from './swallow-client-hello.ts';

export const backends = {
  'swallow-client-hello': swallowClientHello,
  'idle-closer': idleCloser,
  'fin-mid-request': finMidRequest,
  'reset-mid-request': resetMidRequest,
  'never-respond': neverRespond,
  'not-http': notHttp,
  'no-content-with-body': noContentWithBody,
  'closed-port': closedPort,
  healthy,
} as const satisfies Record<string, BackendDefinition>;

export type BackendName = keyof typeof backends;

export { closedPort, finMidRequest, healthy, idleCloser, neverRespond, noContentWithBody, notHttp, resetMidRequest, swallowClientHello };
export type { BackendDefinition, ListenOptions, RunningBackend } from './backend.ts';
