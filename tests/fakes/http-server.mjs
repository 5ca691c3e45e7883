// The loopback HTTP server under every fake: port 0 on 127.0.0.1, whole bodies, injected faults
// and a clean close. Also the small CLI runner the fakes share.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The fault a fake is told to show: `set(fault, count)` holds it for the next `count` requests
 * that reach the point where it applies (all of them when count is omitted); `set(null)` clears.
 */
export class FaultSwitch {
  #fault = null;
  #left = Infinity;

  set(fault, count = Infinity) {
    this.#fault = fault;
    this.#left = count;
  }

  get current() {
    return this.#fault;
  }

  /** The fault to apply to this request, counted; null when none. */
  take() {
    const fault = this.#fault;
    if (fault !== null && --this.#left <= 0) this.set(null);
    return fault;
  }
}

/**
 * A loopback server running `handle(req, res, body, faults)` for each request.
 * The fault 'down' is handled here: for a count of requests their connections are closed
 * unanswered; without a count the port stops listening (connection refused) until cleared.
 */
export class FakeServer {
  faults = new FaultSwitch();
  #server;
  #sockets = new Set();
  #port = 0;

  constructor(handle) {
    this.#server = createServer(async (req, res) => {
      if (this.faults.current === 'down') {
        this.faults.take();
        req.socket.destroy();
        return;
      }
      try {
        await handle(req, res, await readBody(req), this.faults);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake server error: ${error.stack}`);
      }
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async listen() {
    this.#server.listen(this.#port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.#port = this.#server.address().port;
    return this;
  }

  get port() {
    return this.#port;
  }

  get endpoint() {
    return `http://127.0.0.1:${this.#port}`;
  }

  async setFault(fault, count) {
    const refuse = fault === 'down' && count === undefined;
    this.faults.set(fault, count);
    if (refuse && this.#server.listening) await this.#stopListening();
    else if (!refuse && !this.#server.listening) await this.listen();
  }

  async #stopListening() {
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async close() {
    if (this.#server.listening) await this.#stopListening();
  }
}

/**
 * Runs a fake from the command line: starts it, prints what to point a client at as one JSON
 * line, and closes it on SIGINT or SIGTERM.
 */
export async function runUntilSignal(start, describe) {
  const fake = await start();
  console.log(JSON.stringify(describe(fake)));
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await fake.close();
}

/** True when the module at `importMetaUrl` is the program node was started with. */
export function isMain(importMetaUrl) {
  return process.argv[1] !== undefined && importMetaUrl === pathToFileURL(process.argv[1]).href;
}
