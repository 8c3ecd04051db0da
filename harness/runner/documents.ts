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
  'edge-502-response-405-without-allow': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway - Response 405 without Allow Header',
  },
  'edge-502-response-with-body': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway - ResponseWithBody',
  },
  'edge-502-too-big-body': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway - TooBigBody',
  },
  'edge-502-too-big-headers': {
    product: 'Apigee Edge',
    title: '502 Bad Gateway - TooBigHeaders',
  },
  'edge-504-gateway-timeout': {
    product: 'Apigee Edge',
    title: '504 Gateway Timeout',
  },
  // How-tos rather than playbooks: the 504, 405, TooBigBody and TooBigHeaders scenarios quote their resolutions.
  'edge-configuring-io-timeout': {
    product: 'Apigee Edge',
    title: 'Configuring I/O timeout on Message Processors',
  },
  'edge-ignore-allow-header-405': {
    product: 'Apigee Edge',
    title: 'Configuring ignore allow header for 405 property in Message Processors',
  },
  'edge-504-router-timeout': {
    product: 'Apigee Edge',
    title: '504 Gateway timeout - Router timing out',
  },
  'edge-antipattern-load-balancing-maxfailures': {
    product: 'Apigee Edge',
    title: 'Antipattern: Load Balance with a single target server with MaxFailures set to a non-zero value',
  },
  // A reference page: the Router scenarios quote its io.timeout.millis entry as their resolution.
  'edge-endpoint-properties-reference': {
    product: 'Apigee Edge',
    title: 'Endpoint properties reference',
  },
  'edge-http-header-limits': {
    product: 'Apigee Edge for Private Cloud',
    title: 'Setting HTTP request/response header limits',
  },
  'edge-message-size-limit': {
    product: 'Apigee Edge for Private Cloud',
    title: 'Set message size limit on the Router or Message Processor',
  },
} as const;

export type DocumentId = keyof typeof documents;
export const documentIds = Object.keys(documents) as [DocumentId, ...DocumentId[]];
