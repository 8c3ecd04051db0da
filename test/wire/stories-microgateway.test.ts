/**
 * The Microgateway document's two packet stories on a real network path, each repeated 20 times
 * (see repeat.ts). No limit is judged to the millisecond here, so they run beside other files.
 */
import { describeStories } from './repeat.ts';

describeStories('the Microgateway packet stories', ['keepalive-timeout-mismatch', 'target-premature-close']);
