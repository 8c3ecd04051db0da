/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at run time with `selfsigned` and
 * shared by every TLS backend of this process. Nothing secret is ever stored in the repository.
 */

export interface TlsMaterial {
  key: string;
  cert: string;
}

let material: Promise<TlsMaterial> | undefined;

export function tlsMaterial(): Promise<TlsMaterial> {
  // Loaded on first use: most processes never speak TLS, and the library takes a moment to load.
  material ??= import('selfsigned')
    .then(({ default: selfsigned }) => selfsigned.generate([{ name: 'commonName', value: 'faultgate-backend' }], {
      // An EC key is made in milliseconds; RSA 2048 would cost every test run a visible pause.
      keyType: 'ec',
      curve: 'P-256',
      notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    }))
    .then((generated) => ({ key: generated.private, cert: generated.cert }));
  return material;
}
