/**
 * Edge's Router in front of the Message Processor: a real nginx (the Router is nginx), started as
 * a child of this process with a folder of its own, that proxies every request to the gateway and
 * gives up after its read timeout (Edge's default 57 s, "Configuring the Router timeout"). When it
 * gives up (504), or cannot reach the Message Processor or loses it before an answer (502), the
 * client gets the Router's own HTML page, not a fault JSON: each page as the playbook of its status
 * prints it ("504 Gateway timeout - Router timing out"; "502 Bad Gateway", its cause "No MPs
 * available in the pool"), with nginx's own status line ("504 Gateway Time-out").
 * Answers the Message Processor sends, its own 504 among them, pass through unchanged.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findNginx, launchNginx, nginxProcessConf, nginxTempPaths } from '../keepalive/real-nginx.ts';

/** The Router's page for a 504 it gives itself, as "504 Gateway timeout - Router timing out" prints it. */
export const ROUTER_504_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
`;

/** The Router's page for a 502 it gives itself, as the playbook "502 Bad Gateway" prints it. */
export const ROUTER_502_PAGE = `<html>
<head>
<title>Error</title>
<style>
body {
width: 35em;
margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif;
}
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
`;

/** Edge's Router read timeout (conf_load_balancing_load.balancing.driver.proxy.read.timeout): 57 s. */
export const ROUTER_READ_TIMEOUT_MS = 57_000;

export interface RouterOptions {
  /** the Message Processor: http://host:port */
  upstreamUrl: string;
  /** how long the Router waits for the Message Processor's answer (ms) */
  readTimeoutMs: number;
}

export interface Router {
  /** where clients send their requests: http://127.0.0.1:port/ */
  readonly url: string;
  readonly version: string;
  /** one sentence, for narration */
  describe(): string;
  close(): Promise<void>;
}

/** Whether a Router can run here (nginx installed), and if not, why: for a test's skip. */
export function routerUnavailable(): string | undefined {
  return findNginx() ? undefined : 'nginx is not installed (apt-get install nginx-light): the Router is a real nginx';
}

export function routerConf(options: RouterOptions, dir: string, port: number): string {
  const upstream = new URL(options.upstreamUrl);
  const readTimeout = `${Math.max(1, Math.round(options.readTimeoutMs))}ms`;
  return `${nginxProcessConf(dir, 256)}
http {
  access_log off;
  etag off;
  types { text/html html; }
${nginxTempPaths(dir)}
  upstream message_processor {
    server ${upstream.hostname}:${upstream.port};
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://message_processor;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_read_timeout ${readTimeout};
      proxy_buffering off;
      proxy_request_buffering off;
    }
    error_page 502 /router-502.html;
    error_page 504 /router-504.html;
    location = /router-502.html { root ${dir}; internal; }
    location = /router-504.html { root ${dir}; internal; }
  }
}
`;
}

/** Starts the Router in front of the Message Processor at options.upstreamUrl. */
export async function startRouter(options: RouterOptions): Promise<Router> {
  const nginx = await launchNginx(
    (dir, port) => routerConf(options, dir, port),
    findNginx(),
    (dir) => {
      writeFileSync(join(dir, 'router-502.html'), ROUTER_502_PAGE);
      writeFileSync(join(dir, 'router-504.html'), ROUTER_504_PAGE);
    },
  );
  return {
    url: nginx.url.replace(/\/$/, ''),
    version: nginx.version,
    describe: () => `Edge Router (nginx ${nginx.version}): proxy_read_timeout ${options.readTimeoutMs} ms to the Message Processor; its own 502/504 are its HTML page`,
    close: () => nginx.close(),
  };
}
