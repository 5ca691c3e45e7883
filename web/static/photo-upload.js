// A photo is checked, and shrunk when it needs to be, in the browser before it is sent: a
// phone's 12 MB picture then uploads in a fraction of the time, or is refused before it is
// sent. The server checks everything again; this only spares the upload.

export const imageTypes = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
/** The server's MAX_IMAGE_BYTES by default (docs/api.md). */
export const maxImageBytes = 5 * 1024 * 1024;
/** The server keeps at most 1600 px; a longer side than this only makes the upload slower. */
export const maxSide = 2048;
export const imageHint = 'JPEG, PNG, GIF or WebP, at most 5 MiB.';

/** A photo the browser will not send, with the message to show next to the field. */
export class PhotoProblem extends Error {}

/** A plainly unacceptable type, judged by what the system says the file is. */
export function typeProblem(file) {
  return file.type && !imageTypes.includes(file.type)
    ? `“${file.name}” is not a JPEG, PNG, GIF or WebP image. Choose another file.`
    : null;
}

function encodeJpeg(bitmap, width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  // JPEG has no transparency: transparent pixels become white rather than black.
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, width, height);
  // Null when the browser cannot encode this (a canvas too large for its memory, say).
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
}

/** The file as chosen, when it may be sent so. */
function unchanged(file) {
  if (file.size > maxImageBytes) throw new PhotoProblem(`The photo is too large. ${imageHint}`);
  return { file, resized: null };
}

/**
 * What to upload for the chosen `file`: `{ file, resized }`, where `resized` is null when the
 * file goes as it is, else `{ from: { width, height }, to: { width, height } }` for the JPEG
 * that replaces it. Throws PhotoProblem for a file over the limit that cannot be made smaller.
 */
export async function preparePhoto(file) {
  let bitmap;
  try {
    // Decoded upright, as the EXIF orientation says: the re-encoded JPEG carries no EXIF.
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    // Not an image this browser decodes: the server says what is wrong with it, if it may be sent.
    return unchanged(file);
  }
  try {
    const from = { width: bitmap.width, height: bitmap.height };
    let scale = Math.min(1, maxSide / Math.max(from.width, from.height));
    if (scale === 1 && file.size <= maxImageBytes) return unchanged(file);
    for (;;) {
      const to = { width: Math.max(1, Math.round(from.width * scale)), height: Math.max(1, Math.round(from.height * scale)) };
      const blob = await encodeJpeg(bitmap, to.width, to.height);
      if (!blob) return unchanged(file);
      if (blob.size <= maxImageBytes) {
        const name = `${file.name.replace(/\.[^.]*$/, '') || 'photo'}.jpg`;
        return { file: new File([blob], name, { type: 'image/jpeg' }), resized: { from, to } };
      }
      // Detail that JPEG cannot squeeze under the limit at this size: try three quarters of it.
      scale *= 0.75;
    }
  } finally {
    bitmap.close();
  }
}
