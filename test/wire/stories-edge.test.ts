/**
 * The Edge document's packet story on a real network path, repeated 20 times, all at once (see
 * repeat.ts): its twenty 502s come due together, 1.5 s in. The verdict reads the gateway's own
 * clock and the packets' order, so it holds among the other files, with both cores busy.
 */
import { describeStories, REPETITIONS } from './repeat.ts';

describeStories('the TLS handshake story', ['tls-handshake-timeout'], REPETITIONS);
