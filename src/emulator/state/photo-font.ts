/**
 * A compact bold stroke font for avatar initials: A–Z as centre lines (polylines and elliptical arcs) in a 100-unit
 * cap height, drawn with a 14-unit round pen, so the ink spans y 0–100. Letters keep Segoe UI's proportions.
 */
export type Stroke =
  | { line: [number, number][] }
  | { arc: [cx: number, cy: number, rx: number, ry: number, from: number, to: number] }

/** Half the pen width, in font units. */
export const PEN = 7

// Angles in degrees, y down: 0 = right, 90 = bottom, -90 = top; arcs run from `from` to `to` (either direction).
const L = (...points: [number, number][]): Stroke => ({ line: points })
const A = (cx: number, cy: number, rx: number, ry: number, from: number, to: number): Stroke => ({
  arc: [cx, cy, rx, ry, from, to],
})

const P_BOWL = [L([9, 93], [9, 7], [36, 7]), A(36, 30, 23, 23, -90, 90), L([36, 53], [9, 53])]

export const GLYPHS: Record<string, Stroke[]> = {
  A: [L([7, 93], [38, 7], [69, 93]), L([19, 63], [57, 63])],
  B: [
    L([36, 50], [9, 50], [9, 7], [34, 7]),
    A(34, 28.5, 21.5, 21.5, -90, 90),
    L([9, 50], [9, 93], [38, 93]),
    A(38, 71.5, 23, 21.5, 90, -90),
  ],
  C: [A(42, 50, 35, 43, -42, -318)],
  D: [L([30, 7], [9, 7], [9, 93], [30, 93]), A(30, 50, 36, 43, 90, -90)],
  E: [L([53, 7], [9, 7], [9, 93], [53, 93]), L([9, 50], [47, 50])],
  F: [L([52, 7], [9, 7], [9, 93]), L([9, 51], [46, 51])],
  G: [A(43, 50, 36, 43, -40, -360), L([79, 50], [79, 86]), L([79, 50], [48, 50])],
  H: [L([9, 7], [9, 93]), L([63, 7], [63, 93]), L([9, 50], [63, 50])],
  I: [L([9, 7], [9, 93])],
  J: [L([44, 7], [44, 66]), A(26, 66, 18, 27, 0, 160)],
  K: [L([9, 7], [9, 93]), L([60, 7], [9, 60]), L([27, 42], [63, 93])],
  L: [L([9, 7], [9, 93], [54, 93])],
  M: [L([9, 93], [9, 7], [44, 82], [79, 7], [79, 93])],
  N: [L([9, 93], [9, 7], [64, 93], [64, 7])],
  O: [A(46, 50, 39, 43, 0, 360)],
  P: P_BOWL,
  Q: [A(46, 50, 39, 43, 0, 360), L([56, 72], [86, 99])],
  R: [...P_BOWL, L([33, 53], [63, 93])],
  S: [A(37, 28.5, 27, 21.5, -28, -270), A(37, 71.5, 28, 21.5, -90, 152)],
  T: [L([6, 7], [66, 7]), L([36, 7], [36, 93])],
  U: [L([9, 7], [9, 60]), A(38, 60, 29, 33, 180, 0), L([67, 60], [67, 7])],
  V: [L([7, 7], [38, 93], [69, 7])],
  W: [L([6, 7], [27, 93], [50, 24], [73, 93], [94, 7])],
  X: [L([9, 7], [64, 93]), L([64, 7], [9, 93])],
  Y: [L([7, 7], [36, 50], [65, 7]), L([36, 50], [36, 93])],
  Z: [L([10, 7], [62, 7], [10, 93], [63, 93])],
  '?': [A(32, 29, 23, 22, -165, 40), L([46, 46], [32, 58], [32, 66]), L([32, 92], [32, 93])],
}
