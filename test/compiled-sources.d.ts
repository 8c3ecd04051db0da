/** test/compiled-sources.js: the sources compiled once per change, for the tests and the command they start. */
/** The folder of the compiled tree (its command/harness/cli/main.js is the command). */
export function compiledSources(): Promise<string>;
/** vitest's globalSetup. */
export function setup(): Promise<void>;
