// Raw TCP for what fetch cannot send: bad framing, huge or many headers, slow clients,
// unnormalised paths, Expect: 100-continue, and several requests over one connection.
import net from 'node:net';
import { assertConforms } from './contract.mjs';

// A request line as sent, at the start of the stream or after a line end.
const requestLine = /(?:^|\n)([A-Z]+) (\S+) HTTP\/1\.[01]\r?\n/g;

function parseHead(text) {
  const [statusLine, ...lines] = text.split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // A repeated field (Set-Cookie) is joined as fetch joins it.
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { statusLine, status, headers };
}

export class RawConnection {
  /** Opens a connection to the app on 127.0.0.1, from `localAddress` (another loopback address is another client). */
  static open(port, localAddress = undefined) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    this.#sent = '';
    this.#notify = () => {};
    socket.on('data', (data) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.#notify();
    });
    // A reset after the server refused a request is expected; 'close' follows it.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#notify();
    });
  }

  #notify;
  // Everything written, as latin1 text, and where the request of the next response starts.
  #sent;
  #nextRequest = 0;

  /**
   * The method and target of the request the next final response answers, or null when no
   * request line is left to pair: a request too malformed to have one (such refusals are not
   * checked against the document, which describes the routes' answers).
   */
  #nextExchange() {
    requestLine.lastIndex = this.#nextRequest;
    const found = requestLine.exec(this.#sent);
    if (!found) return null;
    this.#nextRequest = requestLine.lastIndex;
    return { method: found[1], target: found[2] };
  }

  /** Writes bytes; resolves when they are handed to the kernel (or the peer has gone). */
  write(data) {
    this.#sent += Buffer.isBuffer(data) ? data.toString('latin1') : data;
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve(false);
      this.socket.write(data, (error) => resolve(!error));
    });
  }

  /** Waits until `ready()` holds for the received bytes or the connection closes. */
  async #waitFor(ready, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!ready() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing complete within ${timeoutMs} ms; got ${JSON.stringify(this.buffer.toString('latin1').slice(0, 200))}`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#notify = () => (clearTimeout(timer), resolve());
      });
    }
  }

  /**
   * Reads the next response (status, lowercased headers, body by Content-Length).
   * Interim 1xx responses are returned too, so a caller can see `100 Continue`.
   */
  async readResponse(timeoutMs = 10000) {
    await this.#waitFor(() => this.buffer.includes('\r\n\r\n'), timeoutMs);
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) throw new Error(`connection closed without a response; got ${JSON.stringify(this.buffer.toString('latin1'))}`);
    const head = parseHead(this.buffer.subarray(0, headEnd).toString('latin1'));
    const length = Number(head.headers['content-length'] ?? 0);
    await this.#waitFor(() => this.buffer.length >= headEnd + 4 + length, timeoutMs);
    const body = this.buffer.subarray(headEnd + 4, headEnd + 4 + length);
    this.buffer = this.buffer.subarray(headEnd + 4 + length);
    const exchange = head.status >= 200 ? this.#nextExchange() : null;
    if (exchange) assertConforms({ ...exchange, status: head.status, headers: head.headers, body: exchange.method === 'HEAD' ? null : body });
    const text = body.toString('utf8');
    let json;
    if ((head.headers['content-type'] ?? '').startsWith('application/json') && text) json = JSON.parse(text);
    return { ...head, body, text, json };
  }

  /** Resolves true if the server closes the connection within `timeoutMs`, false otherwise. */
  async waitForClose(timeoutMs) {
    await this.#waitFor(() => false, timeoutMs).catch(() => {});
    return this.closed;
  }

  close() {
    this.socket.destroy();
  }
}

/** Sends `data` on a fresh connection and returns the first response. */
export async function rawRequest(port, data, timeoutMs = 10000) {
  const connection = await RawConnection.open(port);
  try {
    await connection.write(data);
    return await connection.readResponse(timeoutMs);
  } finally {
    connection.close();
  }
}
