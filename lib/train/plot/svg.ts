/** The training curves as an SVG document, written as a string (no DOM, no dependency). */
import { COLORS, curvesLayout, type CurvePoint, type Figure } from './layout.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (n: number): string => n.toFixed(1);

/** SVG markup of a laid-out figure. @example figureToSvg(curvesLayout(history)) */
export function figureToSvg(fig: Figure): string {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fig.width}" height="${fig.height}" viewBox="0 0 ${fig.width} ${fig.height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="${COLORS.background}"/>`,
  ];
  for (const p of fig.panels) {
    const bottom = p.top + p.height;
    parts.push(`<g class="panel">`, `<text x="${f(p.left + p.width / 2)}" y="${f(p.top - 10)}" text-anchor="middle" font-size="13">${esc(p.title)}</text>`);
    for (const t of p.yTicks) {
      parts.push(`<line x1="${f(p.left)}" y1="${f(t.px)}" x2="${f(p.left + p.width)}" y2="${f(t.px)}" stroke="${COLORS.grid}"/>`);
      parts.push(`<text x="${f(p.left - 5)}" y="${f(t.px + 4)}" text-anchor="end">${esc(t.label)}</text>`);
    }
    for (const t of p.xTicks) {
      parts.push(`<line x1="${f(t.px)}" y1="${f(bottom)}" x2="${f(t.px)}" y2="${f(bottom + 4)}" stroke="${COLORS.axis}"/>`);
      parts.push(`<text x="${f(t.px)}" y="${f(bottom + 16)}" text-anchor="middle">${esc(t.label)}</text>`);
    }
    parts.push(`<text x="${f(p.left + p.width / 2)}" y="${f(bottom + 32)}" text-anchor="middle">${esc(fig.xLabel)}</text>`);
    parts.push(`<path d="M${f(p.left)},${f(p.top)}V${f(bottom)}H${f(p.left + p.width)}" fill="none" stroke="${COLORS.axis}"/>`);
    p.series.forEach((s, i) => {
      const d = s.points.map(([x, y], k) => `${k ? 'L' : 'M'}${f(x)},${f(y)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"><title>${esc(s.name)}</title></path>`);
      for (const [x, y] of s.points) parts.push(`<circle cx="${f(x)}" cy="${f(y)}" r="2.5" fill="${s.color}"/>`);
      const ly = p.top + 12 + 14 * i;
      parts.push(`<line x1="${f(p.left + p.width - 60)}" y1="${f(ly)}" x2="${f(p.left + p.width - 44)}" y2="${f(ly)}" stroke="${s.color}" stroke-width="2"/>`);
      parts.push(`<text x="${f(p.left + p.width - 40)}" y="${f(ly + 4)}">${esc(s.name)}</text>`);
    });
    parts.push('</g>');
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * The loss and accuracy curves of a history as an SVG document.
 * @example fs.writeFileSync('curves.svg', cn.train.curvesSvg(history));
 */
export function curvesSvg(history: readonly CurvePoint[], size: { width?: number; height?: number } = {}): string {
  return figureToSvg(curvesLayout(history, size));
}
