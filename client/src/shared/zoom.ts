// The diagram's zoom: the steps of the +/- buttons and keys, and the semantic zoom that shows less
// rather than smaller (no text below MIN_TEXT_PX on screen). Pure: unit-tested.

/** No text in the diagram is drawn smaller than this many CSS pixels. */
export const MIN_TEXT_PX = 11;
/** The node label and detail sizes at zoom 1 (diagram units = CSS pixels at 100 %). */
export const LABEL_PX = 12;
export const DETAIL_PX = 11;

/** The zoom levels of the buttons and keys: about 10-25 % apart, as an image viewer's. */
export const ZOOM_STEPS = [
  0.1, 0.15, 0.2, 0.25, 0.33, 0.4, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4,
];
export const MIN_ZOOM = ZOOM_STEPS[0];
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1];

export function clampZoom(k: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}

/** The next step above (dir 1) or below (dir -1) the zoom k. */
export function stepZoom(k: number, dir: 1 | -1): number {
  const eps = 1e-3;
  if (dir > 0) return ZOOM_STEPS.find((s) => s > k + eps) ?? MAX_ZOOM;
  for (let i = ZOOM_STEPS.length - 1; i >= 0; i--) if (ZOOM_STEPS[i] < k - eps) return ZOOM_STEPS[i];
  return MIN_ZOOM;
}

/**
 * What a node shows at zoom k: `full` (name and detail), `name` (the detail would be below the minimum
 * size), `none` (the name would be too: only boxes, and landmark names drawn at a fixed screen size).
 */
export type Detail = 'full' | 'name' | 'none';

export function detailAt(k: number): Detail {
  if (DETAIL_PX * k >= MIN_TEXT_PX - 1e-6) return 'full';
  if (LABEL_PX * k >= MIN_TEXT_PX - 1e-6) return 'name';
  return 'none';
}

/** The font size, in diagram units, that shows `px` CSS pixels at zoom k (landmark names). */
export function fixedScreenSize(px: number, k: number): number {
  return px / Math.max(k, 1e-6);
}
