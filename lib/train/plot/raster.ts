/**
 * A minimal RGBA raster for the PNG chart: pixels, thick lines (Bresenham, stamped as squares),
 * filled rectangles, and text in a hand-drawn 3x5 bitmap font that covers what the chart prints
 * (digits, '.', '%', '-', and the letters of "loss accuracy epoch train test").
 */

/** 3x5 glyphs: five rows of three pixels ('#' = ink). */
const GLYPHS: Record<string, string> = {
  '0': '### #.# #.# #.# ###', '1': '.#. ##. .#. .#. ###', '2': '### ..# ### #.. ###', '3': '### ..# .## ..# ###',
  '4': '#.# #.# ### ..# ..#', '5': '### #.. ### ..# ###', '6': '### #.. ### #.# ###', '7': '### ..# ..# .#. .#.',
  '8': '### #.# ### #.# ###', '9': '### #.# ### ..# ###', '.': '... ... ... ... .#.', '%': '#.. ..# .#. #.. ..#',
  '-': '... ... ### ... ...', ' ': '... ... ... ... ...', a: '... ##. ..# #.# ###', c: '... ### #.. #.. ###',
  e: '... ### ### #.. ###', h: '#.. #.. ### #.# #.#', i: '.#. ... .#. .#. .#.', l: '#.. #.. #.. #.. ###',
  n: '... ##. #.# #.# #.#', o: '... ### #.# #.# ###', p: '... ### #.# ### #..', r: '... ### #.. #.. #..',
  s: '... ### ##. ..# ###', t: '.#. ### .#. .#. .##', u: '... #.# #.# #.# ###', y: '... #.# ### ..# ###',
};

export class Raster {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background = '#ffffff') {
    this.data = new Uint8Array(width * height * 4);
    const [r, g, b] = parseColor(background);
    for (let i = 0; i < width * height; i++) this.data.set([r, g, b, 255], i * 4);
  }

  setPixel(x: number, y: number, rgb: [number, number, number]): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.data.set([rgb[0], rgb[1], rgb[2], 255], (yi * this.width + xi) * 4);
  }

  fillRect(x: number, y: number, w: number, h: number, color: string): void {
    const rgb = parseColor(color);
    for (let j = Math.round(y); j < Math.round(y + h); j++) for (let i = Math.round(x); i < Math.round(x + w); i++) this.setPixel(i, j, rgb);
  }

  /** A line `thickness` pixels wide: each Bresenham step stamps a square. */
  line(x0: number, y0: number, x1: number, y1: number, color: string, thickness = 1): void {
    const rgb = parseColor(color);
    let x = Math.round(x0);
    let y = Math.round(y0);
    const xe = Math.round(x1);
    const ye = Math.round(y1);
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    let err = dx + dy;
    const lo = -Math.floor((thickness - 1) / 2);
    for (;;) {
      for (let a = lo; a < lo + thickness; a++) for (let b = lo; b < lo + thickness; b++) this.setPixel(x + a, y + b, rgb);
      if (x === xe && y === ye) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** Width in pixels of `text` at `scale`. */
  static textWidth(text: string, scale: number): number {
    return text.length ? (text.length * 4 - 1) * scale : 0;
  }

  /** Text whose top-left corner is (x, y); characters without a glyph are drawn as blanks. */
  text(x: number, y: number, text: string, color: string, scale = 2): void {
    const rgb = parseColor(color);
    [...text.toLowerCase()].forEach((ch, k) => {
      const rows = (GLYPHS[ch] ?? GLYPHS[' ']).split(' ');
      rows.forEach((row, j) => {
        [...row].forEach((cell, i) => {
          if (cell !== '#') return;
          for (let a = 0; a < scale; a++) for (let b = 0; b < scale; b++) this.setPixel(x + (k * 4 + i) * scale + a, y + j * scale + b, rgb);
        });
      });
    });
  }
}

/** '#rrggbb' -> [r, g, b]. */
export function parseColor(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) throw new RangeError(`Raster: color: expected '#rrggbb', got ${JSON.stringify(color)}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}
