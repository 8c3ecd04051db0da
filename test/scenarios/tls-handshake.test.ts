/**
 * The Edge document's 502, reproduced through the runner: the fault JSON, the handshakeTimeout
 * line with its measured age, and the answer at the handshake limit, judged by the gateway's own
 * timer (timing-verdict.ts), so it runs beside other files.
 */
import { expect, it, describe } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';

describe('the Edge document: 502 from a TLS handshake timeout', () => {
  it('tls-handshake-timeout: fault JSON, the handshakeTimeout line, at the handshake limit', async () => {
    const evidence = await runScenario((await loadScenarios()).find((each) => each.name === 'tls-handshake-timeout')!);
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(502);
    expect(evidence.response?.body).toBe('{"fault":{"faultstring":"Bad Gateway","detail":{"errorcode":"messaging.adaptors.http.flow.BadGateway"}}}');
    expect(evidence.response?.headers['content-type']).toBe('application/json');
    const elapsed = evidence.requests[0]?.elapsedMs ?? 0;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    // Decided by the gateway's handshake timer, armed with io.timeout.millis, which ran its course.
    expect(evidence.failure?.limit).toMatchObject({ name: 'handshake', ms: 1000 });
    expect(evidence.failure?.limit?.firedAfterMs).toBeGreaterThanOrEqual(999);
    expect(evidence.logs).toHaveLength(1);
    // The message id is the gateway's record (Trace's X-Apigee.Message-ID); Edge sends the client none.
    expect(evidence.response?.headers['x-apigee.message-id']).toBeUndefined();
    const messageId = evidence.messageId;
    expect(messageId).toMatch(/^\S+$/);
    const match =
      /^org:myorg env:test api:faultgate rev:1 messageid:(\S+) NIOThread@\d+ ERROR HTTP\.CLIENT - HTTPClient\$Context\.handshakeTimeout\(\) : SSLClientChannel\[Connected: Remote:127\.0\.0\.1:\d+ Local:127\.0\.0\.1:\d+\]@\d+ useCount=1 bytesRead=0 bytesWritten=0 age=(\d+)ms lastIO=(\d+)ms isOpen=true handshake timeout$/.exec(
        evidence.logs[0] ?? '',
      );
    expect(match).not.toBeNull();
    expect(match?.[1]).toBe(messageId);
    expect(Number(match?.[2])).toBeGreaterThanOrEqual(1000);
    expect(Number(match?.[2])).toBeLessThanOrEqual(Math.ceil(elapsed));
    expect(Number(match?.[3])).toBeLessThanOrEqual(Number(match?.[2]));
    expect(evidence.failure?.kind).toBe('handshake-timeout');
  });

});
