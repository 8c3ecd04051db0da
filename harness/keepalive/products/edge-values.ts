/** What an Apigee Edge TargetEndpoint XML says: keepalive.timeout.millis among the HTTPTargetConnection properties. */
import { readTargetEndpoint } from '../../config/edge.ts';
import type { LoadedFile } from '../../config/load-file.ts';
import { FaultgateError } from '../../errors.ts';
import { edge, edgeKnob } from './edge.ts';
import { defaultIn, fromFile } from './from-file.ts';
import type { HopValues } from './index.ts';

const client = edge.client!(undefined);

export function readEdge(loaded: LoadedFile, text: string): HopValues {
  const { file } = loaded;
  const millis = readTargetEndpoint(loaded).settings['keepalive.timeout.millis'];
  if (millis === 0) {
    throw new FaultgateError('E_CONFIG', `${file}: Property keepalive.timeout.millis: 0 gives no idle limit to compare; set a number of milliseconds above 0`);
  }
  const line = text.split('\n').findIndex((row) => /name=["']keepalive\.timeout\.millis["']/.test(row)) + 1;
  return {
    product: 'edge',
    idleTimeoutMs:
      typeof millis === 'number'
        ? fromFile(millis, `${file}:${line}`, 'HTTPTargetConnection property keepalive.timeout.millis', edgeKnob, file)
        : defaultIn(client.idleMs, client.idleFrom, `the HTTPTargetConnection <Properties> of ${file}`, edgeKnob, file),
  };
}
