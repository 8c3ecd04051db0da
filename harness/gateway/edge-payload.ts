/**
 * The Message Processor's limits on what it reads and buffers, and the decoding it does, from
 * Apigee's playbooks: header lines beyond 25,600 bytes ("502 Bad Gateway - TooBigHeaders"), a
 * payload beyond 10 MB either way ("502 Bad Gateway - TooBigBody", "413 Request Entity Too Large -
 * TooBigBody"), a body that does not decode as its supported Content-Encoding says ("502 Bad
 * Gateway - DecompressionFailureAtResponse").
 */
import type http from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { HeldBody, ResponseRefusal } from './personality.ts';

/**
 * Node's maxHeaderSize for Edge: Node counts the reason phrase, names and values against it, never
 * the separators, so a head it stops at is past Edge's limit on header lines too; below it, Edge's
 * own count decides. Room for a reason phrase Edge accepts (2,048 bytes) on top of the limit.
 */
export function nodeHeadLimit(headersLimit: number): number {
  return Math.max(64 * 1024, headersLimit + 2048 + 1);
}

/** The header lines as they came on the wire: each `Name: value` and its CRLF (which bytes Edge counts: no document). */
export function headerLineBytes(rawHeaders: readonly string[]): number {
  let bytes = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) bytes += (rawHeaders[index]?.length ?? 0) + (rawHeaders[index + 1]?.length ?? 0) + 4;
  return bytes;
}

/** Statuses and methods whose responses carry no body. */
export const bodiless = (status: number, method: string): boolean => method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);

/** A declared Content-Length past the limit (a chunked body is judged while held, when held). */
export function declaresTooBig(headers: http.IncomingHttpHeaders, limit: number): boolean {
  return Number(headers['content-length'] ?? 0) > limit;
}

const decoders = { gzip: promisify(zlib.gunzip), deflate: promisify(zlib.inflate) } as const;
type Coding = keyof typeof decoders;

/** The codings in the order they were applied, when Edge supports every one (the playbook's gzip and deflate); else undefined. */
export function supportedCodings(contentEncoding: string | undefined): Coding[] | undefined {
  if (!contentEncoding) return undefined;
  const codings = contentEncoding.split(',').map((coding) => coding.trim().toLowerCase());
  return codings.every((coding): coding is Coding => Object.hasOwn(decoders, coding)) ? codings : undefined;
}

/**
 * The decoded body's length (Infinity past `limit`: zlib stops there, so a small body that
 * inflates without end costs no more than the limit), or undefined when it does not decode.
 */
async function decodedLength(body: Buffer, codings: readonly Coding[], limit: number): Promise<number | undefined> {
  let data = body;
  try {
    for (const coding of [...codings].reverse()) data = await decoders[coding](data, { maxOutputLength: limit + 1 });
    return data.length;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? Infinity : undefined;
  }
}

const notDecoded: ResponseRefusal = { kind: 'decompression-failure' };
/** A held body within its limit that needs no decoding passes. */
const passes = async (): Promise<ResponseRefusal | undefined> => undefined;
const tooBigDecoded: ResponseRefusal = { kind: 'response-body-too-big' };

/**
 * Edge decodes a body whose Content-Encoding it supports, so it holds it whole (it buffers unless
 * streaming is on): one that does not decode is DecompressionFailureAtResponse; one past the limit
 * once decoded is TooBigBody ("502 Bad Gateway - TooBigBody": "exceeds allowed limit after decompression").
 */
export function edgeHeldBody(status: number, headers: http.IncomingHttpHeaders, method: string, limit: number): HeldBody | undefined {
  if (bodiless(status, method)) return undefined;
  const codings = supportedCodings(headers['content-encoding']);
  // A body with no Content-Length to judge it by ("502 Bad Gateway - TooBigBody": Edge buffers the
  // payload) is held and counted; past the limit, it is refused as it comes.
  if (!codings) return headers['content-length'] === undefined && headers['transfer-encoding'] !== undefined ? { limit, check: passes } : undefined;
  return {
    limit,
    async check(body) {
      if (body.length === 0) return undefined;
      const decoded = await decodedLength(body, codings, limit);
      return decoded === undefined ? notDecoded : decoded > limit ? tooBigDecoded : undefined;
    },
  };
}
