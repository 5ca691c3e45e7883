// Anonymous clients that try to make the server buffer: each of `connections` sockets sends
// one of a chunk-size line with an endless extension, endless trailers, or an oversized body
// (declared and chunked), as fast as the server reads. Samples the app's resident memory
// meanwhile and prints the peak and the figure once every attacker has gone:
//   node bench/hostile.mjs <port> <app-pid> <connections> <seconds>
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [port, pid, connections, seconds] = process.argv.slice(2).map(Number);
const rssKib = () => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const head = (target, lines) => `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${lines.join('\r\n')}\r\n\r\n`;
const attacks = [
  // A chunk-size line whose extension never ends.
  { start: head('/login', ['Transfer-Encoding: chunked']) + '10;ext=', filler: 'a' },
  // A last chunk followed by trailers that never end.
  { start: head('/login', ['Transfer-Encoding: chunked']) + '2\r\n{}\r\n0\r\n', filler: 'X-Trailer: ' + 'b'.repeat(100) + '\r\n' },
  // A declared body far over the limit, sent anyway.
  { start: head('/login', ['Content-Length: 134217728']), filler: 'c' },
  // A chunked body far over the limit.
  { start: head('/register', ['Transfer-Encoding: chunked']), filler: '4000\r\n' + 'd'.repeat(0x4000) + '\r\n' },
  // An upload without a session.
  { start: head('/employees', ['Content-Length: 134217728']).replace('application/json', 'multipart/form-data; boundary=x'), filler: 'e' },
];

const deadline = Date.now() + seconds * 1000;
let refused = 0;
let sent = 0;
function attack(i) {
  const { start, filler } = attacks[i % attacks.length];
  const block = Buffer.from(filler.repeat(Math.ceil(16384 / filler.length)));
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(start);
      const pump = () => {
        while (Date.now() < deadline && !socket.destroyed) {
          sent += block.length;
          if (!socket.write(block)) return socket.once('drain', pump);
        }
        socket.destroy();
      };
      pump();
    });
    socket.on('data', (data) => {
      if (/^HTTP\/1\.1 (4|5)\d\d/.test(data.toString('latin1'))) refused++;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      // Reconnect until the time is up: the server may close first.
      if (Date.now() < deadline) attack(i).then(resolve);
      else resolve();
    });
  });
}

const before = rssKib();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, rssKib())), 50);
await Promise.all(Array.from({ length: connections }, (_, i) => attack(i)));
clearInterval(sampler);
await new Promise((resolve) => setTimeout(resolve, 1000));
const after = rssKib();
console.log(`RESULT connections=${connections} peak_rss_kib=${Math.max(peak, after)} rss_before_kib=${before} rss_after_kib=${after} refusals=${refused} sent_mib=${(sent / 1048576).toFixed(0)}`);
