// The photo the benchmarks upload, drawn by Chromium (playwright-core): a gradient with fine
// noise, about as hard to compress as a face, as a JPEG of quality 0.9. Used by small-photo.mjs
// (the create benchmark's small photo) and photos.mjs (a 12-megapixel phone photo).
import { chromium } from 'playwright-core';

/** The JPEG bytes of a `width` × `height` photo, the same for the same size. */
export async function drawnJpeg(width, height) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const dataUrl = await page.evaluate(([w, h]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      const gradient = g.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, '#7aa6d8');
      gradient.addColorStop(1, '#d8a47a');
      g.fillStyle = gradient;
      g.fillRect(0, 0, w, h);
      const pixels = g.getImageData(0, 0, w, h);
      let seed = 1;
      for (let i = 0; i < pixels.data.length; i += 4) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const n = (seed >>> 28) - 8;
        pixels.data[i] += n;
        pixels.data[i + 1] += n;
        pixels.data[i + 2] += n;
      }
      g.putImageData(pixels, 0, 0);
      return canvas.toDataURL('image/jpeg', 0.9);
    }, [width, height]);
    return Buffer.from(dataUrl.split(',')[1], 'base64');
  } finally {
    await browser.close();
  }
}
