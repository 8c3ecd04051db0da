/**
 * Every faulty backend, by its public name. One fault, one file: to add a failure mode, write a
 * module beside these (see "Adding a failure mode" in the README) and name it here.
 */
import { FaultgateError } from '../harness/errors.ts';
import type { ListenOptions } from '../harness/listen.ts';
import type { BackendDefinition, RunningBackend } from './backend.ts';
import { badChunkSize } from './bad-chunk-size.ts';
import { badHeader } from './bad-header.ts';
import { badStatusLine } from './bad-status-line.ts';
import { conflictingContentLength } from './conflicting-content-length.ts';
import { finMidBody } from './fin-mid-body.ts';
import { finMidHandshake } from './fin-mid-handshake.ts';
import { finMidHead } from './fin-mid-head.ts';
import { overlongBody } from './overlong-body.ts';
import { resetMidBody } from './reset-mid-body.ts';
import { resetMidHandshake } from './reset-mid-handshake.ts';
import { resetMidHead } from './reset-mid-head.ts';
import { stallMidBody } from './stall-mid-body.ts';
import { stallMidHead } from './stall-mid-head.ts';
import { stallMidRequest } from './stall-mid-request.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import { longStatusLine } from './long-status-line.ts';
import { duplicateHeader } from './duplicate-header.ts';
import { largeHeaders } from './large-headers.ts';
import { largeBody } from './large-body.ts';
import { falseGzip } from './false-gzip.ts';
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
  'method-not-allowed': methodNotAllowed,
  'long-status-line': longStatusLine,
  'duplicate-header': duplicateHeader,
  'large-headers': largeHeaders,
  'large-body': largeBody,
  'false-gzip': falseGzip,
  'bad-chunk-size': badChunkSize,
  'bad-header': badHeader,
  'bad-status-line': badStatusLine,
  'conflicting-content-length': conflictingContentLength,
  'fin-mid-body': finMidBody,
  'fin-mid-handshake': finMidHandshake,
  'reset-mid-handshake': resetMidHandshake,
  'fin-mid-head': finMidHead,
  'reset-mid-head': resetMidHead,
  'overlong-body': overlongBody,
  'reset-mid-body': resetMidBody,
  'stall-mid-body': stallMidBody,
  'stall-mid-head': stallMidHead,
  'stall-mid-request': stallMidRequest,
  healthy,
} as const satisfies Record<string, BackendDefinition>;

export type BackendName = keyof typeof backends;

/** Every backend as the one interface: each checks its own settings, so none needs a cast to start. */
const definitions: Readonly<Record<BackendName, BackendDefinition>> = backends;

export const isBackendName = (name: string): name is BackendName => Object.hasOwn(backends, name);

/** The backend of that name; an unknown name is a one-line error that lists the known ones. */
export function backendNamed(name: string): BackendDefinition {
  if (!isBackendName(name)) throw new FaultgateError('E_UNKNOWN_NAME', `unknown backend "${name}"; known: ${Object.keys(backends).join(', ')}`);
  return definitions[name];
}

/** Starts the named backend; its settings are checked (a bad one fails, named) and defaulted. */
export function startBackend(name: BackendName, settings?: unknown, listen?: ListenOptions): Promise<RunningBackend> {
  return definitions[name].start(settings, listen);
}

export { methodNotAllowed, longStatusLine, duplicateHeader, largeHeaders, largeBody, falseGzip, badChunkSize, badHeader, badStatusLine, conflictingContentLength, finMidBody, finMidHandshake, finMidHead, overlongBody, resetMidBody, resetMidHandshake, resetMidHead, stallMidBody, stallMidHead, stallMidRequest, closedPort, finMidRequest, healthy, idleCloser, neverRespond, noContentWithBody, notHttp, resetMidRequest, swallowClientHello };
export type { BackendDefinition, ListenOptions, RunningBackend } from './backend.ts';
