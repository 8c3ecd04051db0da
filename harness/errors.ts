/**
 * The harness's own errors: mistakes a user can fix (bad config, unknown name, busy port, missing
 * privilege). Each carries a stable code so callers branch on codes, not messages, and a one-line
 * message that names the value and what is accepted. The CLI prints the message alone and exits 2.
 *
 * Failures a faulty backend injects on purpose are never FaultgateErrors: they are evidence.
 */
export type FaultgateErrorCode =
  | 'E_USAGE' // a command line that cannot be understood
  | 'E_CONFIG' // a config value or file that is missing, malformed or out of range
  | 'E_UNKNOWN_NAME' // a personality, backend or scenario that does not exist
  | 'E_SCENARIO' // a scenario file that does not match the scenario shape
  | 'E_PORT_IN_USE' // a port someone else is listening on
  | 'E_PRIVILEGE'; // a file, folder or port this user may not use

export class FaultgateError extends Error {
  override readonly name = 'FaultgateError';
  constructor(
    readonly code: FaultgateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isFaultgateError(error: unknown): error is FaultgateError {
  return error instanceof FaultgateError;
}

/** Turns a listen() failure into a message that names the port and the fix. */
export function listenError(error: NodeJS.ErrnoException & { hostname?: string }, what: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new FaultgateError('E_PORT_IN_USE', `${what}: port ${port} is already in use; choose another, or leave the port out for a free one`);
  }
  if (error.code === 'EACCES') {
    return new FaultgateError('E_PRIVILEGE', `${what}: not allowed to listen on port ${port}; ports below 1024 need root, choose one above 1023`);
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return new FaultgateError('E_CONFIG', `${what}: cannot listen on this address for port ${port}; use 127.0.0.1 or 0.0.0.0`);
  }
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new FaultgateError('E_CONFIG', `${what}: cannot listen on host "${error.hostname ?? '?'}": no such address; use 127.0.0.1 or 0.0.0.0`);
  }
  return error;
}
