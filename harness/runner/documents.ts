/**
 * The documents the scenarios reproduce: Apigee's public troubleshooting pages, by product and
 * their own title, as narration and listings name them.
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
  'edge-502-unexpected-eof': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway Unexpected EOF',
  },
} as const;

export type DocumentId = keyof typeof documents;
export const documentIds = Object.keys(documents) as [DocumentId, ...DocumentId[]];
