import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl: the key and the certificate (PEM). */
export function selfSignedCert(): { key: Buffer; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=fake-kube',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

/** A raw request to the server at `url`, trusting `ca`. */
export function callServer(
  url: string,
  ca: string,
  method: string,
  path: string,
  opts: { token?: string; contentType?: string; body?: string } = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${opts.token ?? 'fake-admin-token'}`,
          ...(opts.contentType && { 'content-type': opts.contentType }),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: safeJson(data) }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Writes a kubeconfig for the server at `url`; kubectl and @kubernetes/client-node both read it. */
export function writeKubeconfig(url: string, ca: string, token: string, namespace: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fake-kube-')), 'config');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: fake',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${url}`,
      `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
      'users:',
      '- name: fake',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      `    namespace: ${namespace}`,
      '',
    ].join('\n'),
  );
  return path;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
