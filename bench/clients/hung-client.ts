/**
 * The client of the hung-connection benchmark, in its own process: opens N requests, each on its
 * own connection (agent: false), and records when each answer arrives relative to when its request
 * was sent. Requests are opened at a steady rate rather than in one burst: a burst fills the
 * gateway's accept queue (the kernel then drops SYNs, retried a second later) and measures how long
 * requests queue before the gateway even sees them, not how well it keeps its limit.
 */
import http from 'node:http';
import { runAsChild } from '../lib/as-child.ts';
import { onTime, percentile } from '../lib/stats.ts';

export interface HungJob {
  url: string;
  n: number;
  /** the gateway's limit: arrival − limit is what is reported */
  limitMs: number;
  /** the exact answer expected: status and body */
  status: number;
  body: string;
  /** requests opened per second */
  ratePerSec: number;
  /** an answer within [limit − 1 ms, limit + windowMs] counts as on time */
  windowMs: number;
  /** give up on answers this long after the last request was sent */
  graceMs: number;
}

export interface HungResult {
  sent: number;
  /** answers with the expected status and body */
  documented: number;
  /** other answers by status, and failures by error code */
  other: Record<string, number>;
  /** ms from the first request sent to the last */
  sendSpreadMs: number;
  /** arrival − limit, over documented answers (ms) */
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** documented answers that arrived in [limit − 1 ms, limit + windowMs] */
  withinWindow: number;
}

function runJob(job: HungJob): Promise<HungResult> {
  return new Promise((resolve) => {
    const offsets: number[] = [];
    const other: Record<string, number> = {};
    const requests = new Set<http.ClientRequest>();
    let opened = 0;
    let settled = 0;
    let sent = 0;
    let firstSent = Infinity;
    let lastSent = 0;
    let deadline: NodeJS.Timeout | undefined;
    let done = false;
    const count = (key: string) => (other[key] = (other[key] ?? 0) + 1);

    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      const left = [...requests];
      requests.clear();
      for (const req of left) req.destroy();
      const sorted = Float64Array.from(offsets).sort();
      const unanswered = job.n - settled;
      if (unanswered > 0) other.unanswered = unanswered;
      resolve({
        sent,
        documented: sorted.length,
        other,
        sendSpreadMs: lastSent - firstSent,
        minMs: sorted[0] ?? NaN,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted[sorted.length - 1] ?? NaN,
        withinWindow: onTime(sorted, job.windowMs),
      });
    };
    const settle = (req: http.ClientRequest) => {
      if (!requests.delete(req)) return;
      settled++;
      if (settled === job.n) finish();
    };
    // Every tick opens as many requests as the rate allows by now, so timer lag does not slow the rate.
    const startedAt = performance.now();
    const pace = setInterval(() => {
      const due = Math.min(job.n, Math.ceil(((performance.now() - startedAt) / 1000) * job.ratePerSec));
      while (opened < due) open();
      if (opened === job.n) {
        clearInterval(pace);
        deadline = setTimeout(finish, job.limitMs + job.graceMs);
      }
    }, 5);
    const open = () => {
      opened++;
      let sentAt = NaN;
      const req = http.request(job.url, { agent: false });
      requests.add(req);
      // Sent when the socket connects: the request, buffered until then, is written in the same tick.
      // 'finish' would come later, after the write's callback, by as much as this busy loop lags,
      // and make late answers look earlier than they were.
      req.once('socket', (socket) =>
        socket.once('connect', () => {
          sentAt = performance.now();
          sent++;
          firstSent = Math.min(firstSent, sentAt);
          lastSent = Math.max(lastSent, sentAt);
        }),
      );
      req.on('response', (res) => {
        const arrivedAt = performance.now();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode === job.status && Buffer.concat(chunks).toString('utf8') === job.body) offsets.push(arrivedAt - sentAt - job.limitMs);
          else count(`status ${res.statusCode}`);
          settle(req);
        });
        res.on('error', () => {});
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (requests.has(req)) count(error.code ?? error.message);
        settle(req);
      });
      req.end();
    };
  });
}

runAsChild(async () => ({
  ready: { pid: process.pid },
  role: { close: async () => {}, handle: (request: unknown) => runJob(request as HungJob) },
}));
