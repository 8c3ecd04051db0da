/** The exit codes of every faultgate command. */
export const EXIT_OK = 0;
/** a scenario, check or probe did not come out as expected */
export const EXIT_FAILED = 1;
/** bad input: the message says which and how to fix it */
export const EXIT_USAGE = 2;
/** stopped by Ctrl-C before it finished */
export const EXIT_INTERRUPTED = 130;
/** stopped by SIGTERM (128 + 15, as a shell reports it) after closing everything */
export const EXIT_TERMINATED = 143;
