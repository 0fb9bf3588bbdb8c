import { l2Normalize } from './vectors';

/** 12 hues of 30° each, and one bin for everything without colour (black, greys). */
const HUES = 12;
export const COLOUR_DIMS = HUES + 1;
/** A pixel whose channels are all at least this is background (white or nearly). */
const BACKGROUND = 235;
/** Below this saturation or brightness a pixel counts as without colour. */
const MIN_SATURATION = 0.25;
const MIN_VALUE = 0.2;

/**
 * The colours of the picture, background left out: a hue histogram of the coloured pixels (each
 * shared between its two nearest hue bins, so orange-red and red meet) plus one bin for the
 * colourless ones, square-rooted (one dominant colour does not drown the rest) and L2-normalised.
 * Hue only, on purpose: greys all land in one bin, so among black, white and grey products the
 * ranking is left to the shape features (a grey-level histogram is a poor cue for the kind of
 * product: bench/image-eval). All zeros when the picture is all background.
 */
export function colourHistogram(rgb: Uint8Array): Float32Array {
  const h = new Float32Array(COLOUR_DIMS);
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    const r = rgb[i];
    const g = rgb[i + 1];
    const b = rgb[i + 2];
    if (r >= BACKGROUND && g >= BACKGROUND && b >= BACKGROUND) continue;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const chroma = max - min;
    if (max < MIN_VALUE * 255 || chroma < MIN_SATURATION * max) {
      h[HUES]++;
      continue;
    }
    // Hue in units of bins (0 .. 12): red 0, yellow 2, green 4, cyan 6, blue 8, magenta 10.
    const sector = max === r ? (g - b) / chroma : max === g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
    const hue = (((sector * HUES) / 6) % HUES + HUES) % HUES;
    const low = Math.floor(hue);
    const share = hue - low;
    h[low % HUES] += 1 - share;
    h[(low + 1) % HUES] += share;
  }
  for (let i = 0; i < h.length; i++) h[i] = Math.sqrt(h[i]);
  return l2Normalize(h);
}
