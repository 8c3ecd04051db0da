/**
 * Reads a hop's configuration file. Which product it belongs to follows from the hop's
 * `product:` when given, else from the file's shape: a TargetEndpoint XML (Apigee Edge), YAML with
 * an edgemicro: section (Microgateway) or static_resources: (Envoy), nginx.conf (an http block),
 * haproxy.cfg (frontend/backend/defaults sections), httpd.conf (KeepAlive, ProxyPass, Listen...).
 */
import { parseConfigText, readConfigText } from '../../config/load-file.ts';
import { FaultgateError } from '../../errors.ts';
import { readApache } from './apache-values.ts';
import { readEdge } from './edge-values.ts';
import { readEnvoy } from './envoy-values.ts';
import { readHaproxy } from './haproxy-values.ts';
import type { HopValues, ProductName } from './index.ts';
import { readMicrogateway } from './microgateway-values.ts';
import { readNginx } from './nginx-values.ts';

const readable = ['edge', 'microgateway', 'envoy', 'nginx', 'haproxy', 'apache'] as const;
type Readable = (typeof readable)[number];

function shapeOf(file: string, text: string): Readable | undefined {
  const trimmed = text.trimStart();
  if (/\.xml$/i.test(file) || trimmed.startsWith('<?xml') || /^<TargetEndpoint\b/.test(trimmed)) return 'edge';
  if (/^\s*edgemicro\s*:/m.test(text)) return 'microgateway';
  if (/^\s*static_resources\s*:/m.test(text)) return 'envoy';
  if (/^\s*http\s*\{/m.test(text) || /nginx/i.test(file)) return 'nginx';
  if (/^\s*(frontend|backend|defaults|listen)\b/m.test(text)) return 'haproxy';
  if (/^\s*(KeepAlive|KeepAliveTimeout|ProxyPass|Listen|ServerRoot|LoadModule)\b/m.test(text)) return 'apache';
  return undefined;
}

export function readProductFile(file: string, product: ProductName | undefined): HopValues {
  const text = readConfigText(file);
  const shape = shapeOf(file, text);
  if (product && !(readable as readonly string[]).includes(product)) {
    throw new FaultgateError('E_CONFIG', `${file}: faultgate reads no configuration file for ${product}; remove config: and give the values in the chain`);
  }
  const kind = (product as Readable | undefined) ?? shape;
  switch (kind) {
    case 'edge': {
      const loaded = parseConfigText(file, text, 'xml');
      return readEdge(loaded, text);
    }
    case 'microgateway':
    case 'envoy': {
      const data = parseConfigText(file, text, 'yaml').data;
      if (kind === 'envoy') return readEnvoy(file, text);
      if (!data || typeof data !== 'object' || Array.isArray(data) || !('edgemicro' in data)) {
        throw new FaultgateError('E_CONFIG', `${file}: not an Edge Microgateway org-env-config.yaml (it has no edgemicro: section)`);
      }
      return readMicrogateway(file, text, data as Record<string, unknown>);
    }
    case 'nginx':
      return readNginx(file, text);
    case 'haproxy':
      return readHaproxy(file, text);
    case 'apache':
      return readApache(file, text);
    default:
      throw new FaultgateError(
        'E_CONFIG',
        `${file}: not a file faultgate knows (nginx.conf, httpd.conf, haproxy.cfg, Envoy YAML, org-env-config.yaml, TargetEndpoint XML); add product: to say which`,
      );
  }
}
