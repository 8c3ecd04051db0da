/**
 * The Edge document's packet story on a real network path, repeated 20 times (see repeat.ts). The
 * handshake limit is judged where it is decided (the gateway's own timer, timing-verdict.ts), so
 * it runs beside other files.
 */
import { describeStories } from './repeat.ts';

describeStories('the TLS handshake story', ['tls-handshake-timeout']);
