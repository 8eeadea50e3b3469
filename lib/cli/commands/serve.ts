/**
 * `convnode serve --model m.onnx --port 8080`: an HTTP classifier on node:http.
 *   POST /classify   body = image bytes (JPEG / PNG / WebP)  -> 200 { predictions: [...] }
 *   GET  /health                                             -> 200 { status: 'ok', ... }
 * Decoding runs on libuv's pool (sharp) and inference on convnode's native queue, so the event
 * loop only moves bytes. At most `concurrency` requests are decoded/run at once; the rest wait
 * in a bounded FIFO (503 when it is full). Bodies over --max-bytes get 413, bad images 400.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Command, InvalidArgumentError } from 'commander';
import { createClassifier, type Classifier } from '../classifier.js';
import { parsePositiveInt } from './classify.js';

export interface ServeOptions {
  model: string;
  labels?: string;
  port: number;
  host: string;
  top: number;
  /** Largest accepted body (default 10 MiB). */
  maxBytes: number;
  /** Requests decoded/run at once (default 2). */
  concurrency: number;
  /** Requests allowed to wait beyond those (default 256). */
  maxQueue: number;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  classifier: Classifier;
  close(): Promise<void>;
}

/** A FIFO gate: run() waits for one of `slots`, or rejects when `maxWaiting` already wait. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly slots: number, private readonly maxWaiting: number) {}
  get queued(): number {
    return this.waiting.length;
  }
  async run<T>(fn: () => Promise<T>): Promise<T | 'busy'> {
    if (this.active >= this.slots) {
      if (this.waiting.length >= this.maxWaiting) return 'busy';
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
  res.end(text);
}

/** Reads the body up to `limit` bytes; null when it is larger. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Starts the server (port 0 picks a free one) and resolves once it listens.
 * @example const s = await startServer({ model: 'm.onnx', port: 8080, host: '127.0.0.1', top: 5, maxBytes: 10 << 20, concurrency: 2, maxQueue: 256 });
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const classifier = await createClassifier({ model: options.model, labels: options.labels });
  const gate = new Gate(options.concurrency, options.maxQueue);
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') {
      if (req.method !== 'GET') return send(res, 405, { error: `GET /health: expected GET, got ${req.method}` });
      return send(res, 200, { status: 'ok', model: options.model, input: classifier.session.inputMetadata[0], queued: gate.queued, served });
    }
    if (url.pathname !== '/classify') return send(res, 404, { error: `no route ${url.pathname}: expected POST /classify or GET /health` });
    if (req.method !== 'POST') return send(res, 405, { error: `/classify: expected POST with image bytes, got ${req.method}` });
    const topParam = url.searchParams.get('top');
    const top = topParam === null ? options.top : Number(topParam);
    if (!Number.isInteger(top) || top < 1) return send(res, 400, { error: `top: expected an integer >= 1, got "${topParam}"` });
    void (async () => {
      try {
        const body = await readBody(req, options.maxBytes);
        if (body === null) return send(res, 413, { error: `body: expected at most ${options.maxBytes} bytes` }, true);
        if (body.length === 0) return send(res, 400, { error: 'body: expected image bytes (JPEG, PNG or WebP), got 0 bytes' });
        const started = performance.now();
        const result = await gate.run(() => classifier.classify(body, top));
        if (result === 'busy') return send(res, 503, { error: `busy: ${options.maxQueue} requests already waiting` });
        served++;
        send(res, 200, { predictions: result, ms: Math.round((performance.now() - started) * 1000) / 1000 });
      } catch (e) {
        const message = (e as Error).message;
        send(res, message.startsWith('image:') ? 400 : 500, { error: message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    classifier,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        classifier.session.release();
      }),
  };
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port in [0, 65535], got "${value}"`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve an ONNX image classifier over HTTP: POST image bytes to /classify, GET /health')
    .requiredOption('-m, --model <file>', 'ONNX model with input [N, 3, H, W]')
    .option('-l, --labels <file>', 'class names, one per line')
    .option('-p, --port <port>', 'port (0: any free port)', parsePort, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-k, --top <k>', 'classes per answer (a request may pass ?top=N)', parsePositiveInt, 5)
    .option('--max-bytes <n>', 'largest accepted image, in bytes', parsePositiveInt, 10 * 1024 * 1024)
    .option('--concurrency <n>', 'requests decoded and run at once', parsePositiveInt, 2)
    .option('--max-queue <n>', 'requests allowed to wait (beyond: 503)', parsePositiveInt, 256)
    .action(async (opts: ServeOptions) => {
      const running = await startServer(opts);
      process.stdout.write(`convnode serve: ${opts.model} on ${running.url} (POST /classify, GET /health)\n`);
      const stop = (): void => void running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
