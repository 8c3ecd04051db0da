/**
 * The documents the scenarios reproduce, with the words each one's resolution uses. Narration
 * quotes these; nothing here paraphrases a document where a quotation will do.
 */
export const documents = {
  'edge-502-tls-handshake-timeout': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway Timeout Error',
    file: 'edge-502-tls-handshake-timeout.txt',
  },
  'microgateway-502-socket-hang-up': {
    product: 'Edge Microgateway',
    title: '502 Bad Gateway - Socket hang up',
    file: 'microgateway-502-socket-hang-up.txt',
  },
  'apigee-facts': {
    product: 'Apigee Edge / Edge Microgateway',
    title: 'related failures (payloads and defaults beyond the two documents)',
    file: 'apigee-facts.md',
  },
} as const;

export type DocumentId = keyof typeof documents;
export const documentIds = Object.keys(documents) as [DocumentId, ...DocumentId[]];
