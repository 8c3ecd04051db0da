/**
 * The documents the scenarios reproduce: Apigee's public troubleshooting pages, by product and
 * title, as narration and listings name them.
 */
export const documents = {
  'edge-502-tls-handshake-timeout': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway Timeout Error',
  },
  'microgateway-502-socket-hang-up': {
    product: 'Edge Microgateway',
    title: '502 Bad Gateway - Socket hang up',
  },
  'apigee-facts': {
    product: 'Apigee Edge / Edge Microgateway',
    title: 'related failures: fault payloads and defaults of Apigee Edge and microgateway-core beyond the two documents',
  },
} as const;

export type DocumentId = keyof typeof documents;
export const documentIds = Object.keys(documents) as [DocumentId, ...DocumentId[]];
