/**
 * The Edge document's packet story on a real network path, repeated 20 times, all at once (see
 * repeat.ts). A timing file: ten 502s due at the same moment, each answered to a client in the
 * same process, put the clients' own clocks 1.5 s behind the gateway's timer when the rest of the
 * suite shares the two cores, past the client's slack; alone, twenty are not.
 */
import { describeStories, REPETITIONS } from './repeat.ts';

describeStories('the TLS handshake story', ['tls-handshake-timeout'], REPETITIONS);
