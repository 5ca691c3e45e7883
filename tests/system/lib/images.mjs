// Real image bytes for the tests: a PNG encoded here with zlib (so each call can differ), and
// the smallest valid GIF, JPEG and WebP, each a 1x1 picture that image decoders open.
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A valid RGB PNG of `width` x `height` whose pixels follow `seed`, so two seeds give two files;
 * RGBA with `alpha` (pixels of every opacity).
 */
export function png({ width = 4, height = 4, seed = 1, alpha = false } = {}) {
  const channels = alpha ? 4 : 3;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, alpha ? 6 : 2, 0, 0, 0], 8); // 8-bit depth, truecolour (+ alpha), deflate, no filter, no interlace
  const rows = Buffer.alloc(height * (1 + width * channels));
  let state = seed >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    const start = y * (1 + width * channels);
    rows[start] = 0; // filter type: none
    for (let i = 1; i <= width * channels; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      rows[start + i] = state >>> 24;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

export const jpeg = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxl' +
    'Z2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAABAAEDASIA' +
    'AhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xAAUEQEAAAAA' +
    'AAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCWAEpn/9k=',
  'base64',
);

export const webp = Buffer.from('UklGRh4AAABXRUJQVlA4TBEAAAAvAAAAAAdQlCIXpf+BiOh/AAA=', 'base64');

/**
 * Each supported kind: its bytes and size, and the extension and type of what the server stores
 * after re-encoding (JPEG, or WebP for a picture with transparency: this GIF's one pixel is).
 */
export const samples = [
  { kind: 'png', bytes: png(), extension: 'jpg', contentType: 'image/jpeg', size: { width: 4, height: 4 } },
  { kind: 'gif', bytes: gif, extension: 'webp', contentType: 'image/webp', size: { width: 1, height: 1 } },
  { kind: 'jpeg', bytes: jpeg, extension: 'jpg', contentType: 'image/jpeg', size: { width: 1, height: 1 } },
  { kind: 'webp', bytes: webp, extension: 'jpg', contentType: 'image/jpeg', size: { width: 1, height: 1 } },
];

/** The width and height a stored JPEG or WebP declares; throws for anything else. */
export function imageSize(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let i = 2; i + 9 < bytes.length;) {
      if (bytes[i] !== 0xff) throw new Error(`not a JPEG marker at ${i}`);
      const marker = bytes[i + 1];
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
      }
      i += 2 + bytes.readUInt16BE(i + 2);
    }
    throw new Error('a JPEG without a frame header');
  }
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    const kind = bytes.toString('latin1', 12, 16);
    if (kind === 'VP8X') return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
    if (kind === 'VP8 ') return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = bytes.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
  }
  throw new Error('neither a JPEG nor a WebP');
}

/** The thumbnail's key or URL beside an image's: `{uuid}.thumb.{ext}`. */
export function thumbnailOf(keyOrUrl) {
  return keyOrUrl.replace(/\.(jpg|webp)$/, '.thumb.$1');
}

/** The 640 px size's key or URL beside an image's: `{uuid}.w640.{ext}`. */
export function mediumOf(keyOrUrl) {
  return keyOrUrl.replace(/\.(jpg|webp)$/, '.w640.$1');
}

/** The 384 px size's key or URL beside an image's: `{uuid}.w384.{ext}`. */
export function smallOf(keyOrUrl) {
  return keyOrUrl.replace(/\.(jpg|webp)$/, '.w384.$1');
}

/** Every stored size of an image, by key or URL, largest first: as they are stored and deleted. */
export function storedSizesOf(keyOrUrl) {
  return [keyOrUrl, mediumOf(keyOrUrl), smallOf(keyOrUrl), thumbnailOf(keyOrUrl)];
}

/**
 * Image bombs: small files that declare a canvas of `width` x `height`. The PNG's and the
 * JPEG's headers say so before any pixel; the GIF's logical screen and the WebP's header too.
 */
export const bombs = {
  png: (width = 20000, height = 20000) => {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([png().subarray(0, 8), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
  },
  jpeg: (width = 65000, height = 65000) => {
    const bytes = Buffer.from(jpeg);
    const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    bytes.writeUInt16BE(height, sof + 5);
    bytes.writeUInt16BE(width, sof + 7);
    return bytes;
  },
  gif: (width = 65000, height = 65000) => {
    const bytes = Buffer.from(gif);
    bytes.writeUInt16LE(width, 6);
    bytes.writeUInt16LE(height, 8);
    return bytes;
  },
  webp: (width = 16000, height = 16000) => {
    const bytes = Buffer.from(webp);
    const bits = bytes.readUInt32LE(21) & ~0x0fffffff;
    bytes.writeUInt32LE((bits | ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14)) >>> 0, 21);
    return bytes;
  },
};

function riffChunk(type, data) {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  return Buffer.concat([Buffer.from(type, 'latin1'), size, data, Buffer.alloc(data.length % 2)]);
}

/** An animated WebP whose `width` x `height` canvas holds a first frame of 1 x 1 pixel. */
export function animatedWebp(width, height) {
  const frame = webp.subarray(12);  // the 1 x 1 picture's VP8L chunk
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x02;  // animation
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const anmf = Buffer.alloc(16);  // at 0, 0; 1 x 1 (stored less one); shown 100 ms
  anmf.writeUIntLE(100, 12, 3);
  const body = Buffer.concat([Buffer.from('WEBP'), riffChunk('VP8X', vp8x), riffChunk('ANIM', Buffer.alloc(6)),
    riffChunk('ANMF', Buffer.concat([anmf, frame]))]);
  return Buffer.concat([Buffer.from('RIFF'), Buffer.from(new Uint32Array([body.length]).buffer), body]);
}

/**
 * Canvases just under the 40 MP limit (6300 x 6300): declared sizes pass, but at four bytes a
 * pixel each would take 159 MB to decode at full size.
 */
export const nearLimitBombs = {
  png: () => bombs.png(6300, 6300),
  gif: () => bombs.gif(6300, 6300),  // a logical screen around a 1 x 1 frame
  webp: () => animatedWebp(6300, 6300),  // an animation canvas around a 1 x 1 first frame
};
