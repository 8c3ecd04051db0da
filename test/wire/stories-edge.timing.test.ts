/**
 * The Edge document's packet story on a real network path, repeated 20 times, all at once (see
 * repeat.ts). A timing file, so that it runs beside the probe while the machine is otherwise quiet:
 * its twenty 502s come due at once, 1.5 s in. Since the verdict reads the gateway's own clock it
 * passes among the main project's files too, even with other processes keeping both cores busy,
 * but there its capture and decoding add to the CPU the main project is short of, and in
 * alternating runs the suite took no less (41.0 and 45.4 s against 39.7 and 44.6 s here).
 */
import { describeStories, REPETITIONS } from './repeat.ts';

describeStories('the TLS handshake story', ['tls-handshake-timeout'], REPETITIONS);
