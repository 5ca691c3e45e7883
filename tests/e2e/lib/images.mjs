// Real image files for the tests, drawn on a canvas in the browser and encoded by its own
// PNG, JPEG or WebP encoder, so no binary fixtures live in the repository.

/**
 * A head-and-shoulders portrait: `hue` picks the background, `skin` the face colour.
 * Returns { name, mimeType, buffer }, the shape playwright's setInputFiles takes.
 */
export async function portrait(page, { name = 'portrait.png', mimeType = 'image/png', hue = 210, skin = '#e0ac69', size = 320 } = {}) {
  const dataUrl = await page.evaluate(({ mimeType, hue, skin, size }) => {
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const g = canvas.getContext('2d');
    const background = g.createLinearGradient(0, 0, size, size);
    background.addColorStop(0, `hsl(${hue} 70% 78%)`);
    background.addColorStop(1, `hsl(${hue + 40} 60% 55%)`);
    g.fillStyle = background;
    g.fillRect(0, 0, size, size);
    g.fillStyle = `hsl(${hue + 180} 35% 30%)`;
    g.beginPath();
    g.ellipse(size / 2, size * 1.02, size * 0.42, size * 0.34, 0, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = skin;
    g.beginPath();
    g.arc(size / 2, size * 0.42, size * 0.19, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = `hsl(${hue + 200} 30% 20%)`;
    g.beginPath();
    g.arc(size / 2, size * 0.37, size * 0.2, Math.PI, Math.PI * 2);
    g.fill();
    return canvas.toDataURL(mimeType, 0.9);
  }, { mimeType, hue, skin, size });
  const [header, base64] = dataUrl.split(',');
  if (!header.includes(mimeType)) throw new Error(`this browser cannot encode ${mimeType}`);
  return { name, mimeType, buffer: Buffer.from(base64, 'base64') };
}

/** A file that starts like a PNG but is `bytes` long: larger than the server accepts. */
export function oversizedPng(bytes) {
  const buffer = Buffer.alloc(bytes, 0x2a);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(buffer);
  return { name: 'huge.png', mimeType: 'image/png', buffer };
}

/** A PNG of random pixels, which no encoder can shrink: a real image of about 4 × side² bytes. */
export async function noisePng(page, { name = 'noise.png', side = 800 } = {}) {
  const dataUrl = await page.evaluate((side) => {
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const g = canvas.getContext('2d');
    const pixels = g.createImageData(side, side);
    const words = new Uint32Array(pixels.data.buffer);
    for (let offset = 0; offset < words.length; offset += 16384) {
      crypto.getRandomValues(words.subarray(offset, offset + 16384));
    }
    for (let alpha = 3; alpha < pixels.data.length; alpha += 4) pixels.data[alpha] = 255;
    g.putImageData(pixels, 0, 0);
    return canvas.toDataURL('image/png');
  }, side);
  return { name, mimeType: 'image/png', buffer: Buffer.from(dataUrl.split(',')[1], 'base64') };
}
