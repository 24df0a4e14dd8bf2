/**
 * Where things are in the built-in demo app (apps/demo-app), at its 720x1280 screen, for every
 * test and benchmark that taps it: move something in the app, change it here only.
 */
export const DEMO_SCREEN = { width: 720, height: 1280 } as const;

/** The counter button (app px): each tap turns its hue by 137°, so its pixels always change. */
export const DEMO_COUNTER_PX = { x: 40, y: 218, width: 640, height: 200 } as const;

/** The counter button's middle, normalised to the app screen (0..1): where taps go. */
export const DEMO_COUNTER = {
  x: (DEMO_COUNTER_PX.x + DEMO_COUNTER_PX.width / 2) / DEMO_SCREEN.width,
  y: (DEMO_COUNTER_PX.y + DEMO_COUNTER_PX.height / 2) / DEMO_SCREEN.height,
} as const;

/** The text field's middle, normalised to the app screen. */
export const DEMO_TEXT_FIELD = { x: 0.5, y: 0.403 } as const;

/** A box inside the finger-paint canvas, normalised to the app screen (strokes go here). */
export const DEMO_CANVAS = { x0: 0.2, y0: 0.6, x1: 0.8, y1: 0.85 } as const;
