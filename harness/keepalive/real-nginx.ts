/**
 * A real nginx (Debian's nginx-light, or any nginx on the PATH) as the downstream of a probed
 * connection: started as a child of this process with its own prefix folder, configuration, logs
 * and temporary paths, listening on a loopback port, never the system's service. Its upstream block
 * keeps pooled connections to the probe's upstream for the hop's idle limit (in milliseconds, as
 * nginx allows), and proxy_next_upstream follows the hop's retry policy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultgateError } from '../errors.ts';
import type { RetryPolicy } from './products/index.ts';

const CANDIDATES = ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx'];

/** The nginx binary and its version, or undefined when none runs here. */
export function findNginx(): { bin: string; version: string } | undefined {
  for (const bin of CANDIDATES) {
    const result = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    const version = /nginx\/([\d.]+)/.exec(`${result.stderr ?? ''}${result.stdout ?? ''}`)?.[1];
    if (result.status === 0 && version) return { bin, version };
  }
  return undefined;
}

export interface NginxOptions {
  /** the upstream the probe built: http://127.0.0.1:port */
  upstreamUrl: string;
  /** the upstream keepalive_timeout (real ms); 0: no keepalive directive, no connection reused */
  idleTimeoutMs: number;
  retries: RetryPolicy;
  /** limit on the proxied exchange (real ms) */
  timeoutMs: number;
}

export interface RealNginx {
  url: string;
  version: string;
  /** the upstream failures nginx has logged so far: it logs one even when proxy_next_upstream sends the request again */
  failuresLogged(): number;
  close(): Promise<void>;
}

/**
 * What every nginx the harness runs shares: in the foreground as one process, its pid and error
 * log in its own folder; and, inside http {}, every temporary file there too (not in the system's
 * folders, which need root).
 */
export function nginxProcessConf(dir: string, workerConnections: number): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections ${workerConnections}; }`;
}

export function nginxTempPaths(dir: string): string {
  return ['client_body_temp_path body', 'proxy_temp_path proxy', 'fastcgi_temp_path fastcgi', 'uwsgi_temp_path uwsgi', 'scgi_temp_path scgi']
    .map((line) => {
      const [directive, folder] = line.split(' ');
      return `  ${directive} ${join(dir, folder ?? '')};`;
    })
    .join('\n');
}

export function nginxConf(options: NginxOptions, dir: string, port: number): string {
  const upstream = new URL(options.upstreamUrl);
  const pool = options.idleTimeoutMs > 0 ? `    keepalive 4;\n    keepalive_timeout ${Math.max(1, Math.round(options.idleTimeoutMs))}ms;\n` : '';
  const next = options.retries.get ? `error timeout${options.retries.post ? ' non_idempotent' : ''}` : 'off';
  const seconds = `${Math.ceil(options.timeoutMs / 1000)}s`;
  return `${nginxProcessConf(dir, 64)}
http {
  access_log off;
${nginxTempPaths(dir)}
  upstream target {
    server ${upstream.hostname}:${upstream.port};
${pool}  }
  server {
    listen 127.0.0.1:${port};
    keepalive_timeout 0;
    location / {
      proxy_pass http://target;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream ${next};
      proxy_connect_timeout ${seconds};
      proxy_read_timeout ${seconds};
    }
  }
}
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the port accepts a connection, or rejects when the child exits first. */
function ready(child: ChildProcess, port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const exited = (code: number | null) => {
      done = true;
      reject(new FaultgateError('E_CONFIG', `nginx exited (${String(code)}) before listening on 127.0.0.1:${port}`));
    };
    child.once('exit', exited);
    const attempt = () => {
      if (done) return;
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        done = true;
        child.off('exit', exited);
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) exited(null);
        // nginx binds within milliseconds of starting; try again on the next connect.
        else setTimeout(attempt, 5);
      });
    };
    attempt();
  });
}

export async function startNginx(options: NginxOptions, nginx = findNginx()): Promise<RealNginx> {
  const running = await launchNginx((dir, port) => nginxConf(options, dir, port), nginx);
  return { url: running.url, version: running.version, failuresLogged: () => countFailures(join(running.dir, 'error.log')), close: running.close };
}

/** An nginx of our own: its prefix folder, the port it listens on, how to stop it (the folder goes with it). */
export interface LaunchedNginx {
  url: string;
  port: number;
  version: string;
  /** its prefix folder: configuration, logs, temporary paths */
  dir: string;
  close(): Promise<void>;
}

/**
 * Starts nginx on a free loopback port with the configuration `conf` writes for that port, after
 * `prepare` has put any files it serves in its folder. Retries on another port if one was taken.
 */
export async function launchNginx(conf: (dir: string, port: number) => string, nginx = findNginx(), prepare?: (dir: string) => void): Promise<LaunchedNginx> {
  if (!nginx) throw new FaultgateError('E_CONFIG', 'nginx is not installed: apt-get install nginx-light');
  const dir = mkdtempSync(join(tmpdir(), 'faultgate-nginx-'));
  prepare?.(dir);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    mkdirSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(join(dir, 'nginx.conf'), conf(dir, port));
    const child = spawn('sh', ['-c', SUPERVISOR, 'nginx', nginx.bin, '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['pipe', 'ignore', 'ignore'] });
    // Ended after the shell has gone: nothing to say.
    child.stdin?.on('error', () => undefined);
    try {
      await ready(child, port, Date.now() + 5000);
      return {
        url: `http://127.0.0.1:${port}/`,
        port,
        version: nginx.version,
        dir,
        close: async () => {
          await kill(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await kill(child);
      // Another process may have taken the port between its release and nginx's bind.
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/**
 * nginx has no parent-death signal, and an exit hook does not run when this process is killed
 * outright (SIGKILL). So nginx runs under a one-line supervisor: `sh` starts it and a watcher that
 * reads this process's end of a pipe (fd 3); at the pipe's EOF (close() ends it, and the kernel
 * closes it whenever this process ends, however) the watcher stops nginx. The shell exits with
 * nginx's own status, so a failed start is seen as before.
 */
const SUPERVISOR = 'exec 3<&0; "$@" & nginx=$!; (read _ <&3; kill -TERM $nginx 2>/dev/null) & watcher=$!; wait $nginx; status=$?; kill $watcher 2>/dev/null; exit $status';

/** Ends the supervisor's pipe, so that it stops nginx, and resolves once both have ended. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin?.end();
  });
}

/** nginx's error-log lines for a request that met a closed upstream connection. */
const UPSTREAM_FAILURE = /upstream prematurely closed connection|Connection reset by peer|Broken pipe/g;

function countFailures(file: string): number {
  try {
    return readFileSync(file, 'utf8').match(UPSTREAM_FAILURE)?.length ?? 0;
  } catch {
    return 0;
  }
}
