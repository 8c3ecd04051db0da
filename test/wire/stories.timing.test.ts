/**
 * The Edge document's packet story on a real network path, repeated 20 times (see repeat.ts): a
 * timing file, because the handshake limit is judged, so nothing else shares the cores.
 */
import { describeStories } from './repeat.ts';

describeStories('the TLS handshake story', ['tls-handshake-timeout']);
