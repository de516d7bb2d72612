/**
 * Browser-test harness: a static HTTP server on 127.0.0.1 (the page, the bundled runner and a
 * compiled artifact directory) that also receives the page's POSTed result, and a headless Chromium
 * with WebGPU on SwiftShader pointed at it. No DevTools protocol: the page reports by POST.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wgsl': 'text/plain',
};

export interface PageServer {
  readonly url: string;
  /** The next JSON body POSTed to /result. */
  readonly result: Promise<unknown>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res(Buffer.concat(chunks).toString('utf8')));
    req.on('error', rej);
  });
}

/** Serves `files` (URL path → content) and `/artifact/*` from `artifactDir`. */
export async function servePage(files: Readonly<Record<string, string>>, artifactDir: string): Promise<PageServer> {
  let deliver: (v: unknown) => void = () => undefined;
  const result = new Promise<unknown>((res) => {
    deliver = res;
  });
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'POST' && path === '/result') {
      void body(req).then((text) => {
        res.end('ok');
        deliver(JSON.parse(text));
      });
      return;
    }
    let content: string | Buffer | undefined = files[path];
    if (content === undefined && path.startsWith('/artifact/')) {
      const file = normalize(join(artifactDir, path.slice('/artifact/'.length)));
      if (file.startsWith(artifactDir) && existsSync(file) && statSync(file).isFile()) content = readFileSync(file);
    }
    if (content === undefined) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
    res.end(content);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    result,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

export interface Browser {
  /** Everything Chromium wrote to stderr so far (for failure messages). */
  log(): string;
  close(): void;
}

/** Starts headless Chromium with WebGPU on SwiftShader (Vulkan on the CPU) at `url`. */
export function launchChromium(url: string): Browser {
  const profile = mkdtempSync(join(tmpdir(), 'denoc-chromium-'));
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--no-default-browser-check',
    `--user-data-dir=${profile}`,
    url,
  ];
  // Its own process group, so closing also ends the GPU and renderer processes it started.
  const child: ChildProcess = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-20_000);
  });
  child.on('error', (e) => {
    stderr += `\nspawn failed: ${e.message}`;
  });
  return {
    log: () => stderr,
    close() {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      // Chromium may still be writing its profile while it dies; a leftover temp dir is harmless.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        /* left in tmpdir */
      }
    },
  };
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(what())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
