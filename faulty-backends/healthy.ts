/**
 * healthy — the control: an HTTP/1.1 keep-alive server (TLS optional) that answers every request
 * at once with a small JSON body. Whatever fails in front of it is not the target's fault. With
 * delayMs it is the slow backend of Apigee's "504 Gateway Timeout": the same answer, that much later.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { z } from 'zod';
import { millis } from '../harness/config/fields.ts';
import { defineBackend, StartedBackend } from './backend.ts';
import { tlsMaterial } from './tls-material.ts';

export const healthy = defineBackend({
  name: 'healthy',
  summary: 'answers every request with 200 at once (the control)',
  settings: z
    .object({
      tls: z.boolean().default(false).describe('serve HTTPS with a certificate made at start'),
      status: z.number().int().min(200).max(599).default(200).describe('the status of each answer'),
      body: z.string().default('{"ok":true}').describe('the body of each answer'),
      keepAliveTimeoutMs: millis().default(5000).describe("idle keep-alive connections are closed after this (Node's own default)"),
      delayMs: millis().default(0).describe('answer this long after the request has arrived (a slow backend); 0: at once'),
    })
    .strict(),
  protocol: (settings) => (settings.tls ? 'https' : 'http'),
  explain: (settings) =>
    `answers every request with ${settings.status} and a ${Buffer.byteLength(settings.body)}-byte body${settings.tls ? ' over TLS' : ''}` +
    (settings.delayMs > 0 ? `, ${settings.delayMs} ms after the request arrives` : ''),
  demo: { failure: 'none', reproduces: () => '200: the control' },
  async serve(settings, backend, listenOptions) {
    const handler: http.RequestListener = (req, res) => {
      const conn = connections.get(StartedBackend.peerOf(req.socket));
      backend.record('request-read', conn, { detail: `${req.method} ${req.url}` });
      req.resume();
      const respond = () => {
        res.writeHead(settings.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(settings.body) });
        res.end(settings.body, () => backend.record('responded', conn, { detail: String(settings.status) }));
      };
      req.on('end', () => {
        if (settings.delayMs === 0) return respond();
        // A gateway that gives up first closes the connection: nothing is left to answer.
        const timer = setTimeout(respond, settings.delayMs);
        res.once('close', () => clearTimeout(timer));
      });
    };
    const server = settings.tls ? https.createServer(await tlsMaterial(), handler) : http.createServer(handler);
    server.keepAliveTimeout = settings.keepAliveTimeoutMs;
    const connections = new Map<string, string>();
    server.on('connection', (socket: net.Socket) => {
      const peer = StartedBackend.peerOf(socket);
      connections.set(peer, backend.track(socket));
      socket.once('close', () => connections.delete(peer));
    });
    return backend.serve(server, listenOptions);
  },
});
