// A small photo for the create benchmark (drawn-photo.mjs: drawn by Chromium, a gradient with
// fine noise, about as hard to compress as a face), written as a JPEG:
//   node bench/small-photo.mjs <out.jpg> [width (400)] [height (400)]
import { writeFileSync } from 'node:fs';
import { drawnJpeg } from './drawn-photo.mjs';

const [out, width = 400, height = 400] = [process.argv[2], ...process.argv.slice(3).map(Number)];
writeFileSync(out, await drawnJpeg(width, height));
