/**
 * Minimal RGB rasterizer for env frames: filled convex polygons, filled circles and horizontal lines on a
 * uint8 [height, width, 3] canvas. Pixels are filled when their centre lies inside the shape; coordinates are
 * continuous with (0, 0) at the top-left corner of the top-left pixel (pygame's convention).
 */
import type { NDArray } from '@vinegym/protocol';

export type Rgb = readonly [number, number, number];
export type Point = readonly [number, number];

export class RgbCanvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  fill(color: Rgb): void {
    const d = this.data;
    for (let i = 0; i < d.length; i += 3) {
      d[i] = color[0];
      d[i + 1] = color[1];
      d[i + 2] = color[2];
    }
  }

  /** Fills pixels [x0, x1) of row y (both ends clipped). */
  span(y: number, x0: number, x1: number, color: Rgb): void {
    if (y < 0 || y >= this.height) return;
    const from = Math.max(0, x0);
    const to = Math.min(this.width, x1);
    const d = this.data;
    for (let x = from, i = (y * this.width + from) * 3; x < to; x++, i += 3) {
      d[i] = color[0];
      d[i + 1] = color[1];
      d[i + 2] = color[2];
    }
  }

  /** Scanline fill of a convex (or any simple) polygon with the even-odd rule. */
  fillPolygon(points: readonly Point[], color: Rgb): void {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [, y] of points) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const rowStart = Math.max(0, Math.ceil(minY - 0.5));
    const rowEnd = Math.min(this.height - 1, Math.floor(maxY - 0.5));
    const crossings: number[] = [];
    for (let row = rowStart; row <= rowEnd; row++) {
      const cy = row + 0.5;
      crossings.length = 0;
      for (let i = 0; i < points.length; i++) {
        const [ax, ay] = points[i];
        const [bx, by] = points[(i + 1) % points.length];
        if (ay <= cy === by <= cy) continue; // edge does not cross this scanline
        crossings.push(ax + ((cy - ay) / (by - ay)) * (bx - ax));
      }
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        this.span(row, Math.ceil(crossings[k] - 0.5), Math.floor(crossings[k + 1] - 0.5) + 1, color);
      }
    }
  }

  fillCircle(cx: number, cy: number, radius: number, color: Rgb): void {
    const rowStart = Math.max(0, Math.ceil(cy - radius - 0.5));
    const rowEnd = Math.min(this.height - 1, Math.floor(cy + radius - 0.5));
    for (let row = rowStart; row <= rowEnd; row++) {
      const dy = row + 0.5 - cy;
      const half = Math.sqrt(Math.max(0, radius * radius - dy * dy));
      this.span(row, Math.ceil(cx - half - 0.5), Math.floor(cx + half - 0.5) + 1, color);
    }
  }

  /** One-pixel horizontal line on row `y` from x0 to x1 inclusive (pygame.gfxdraw.hline). */
  hline(x0: number, x1: number, y: number, color: Rgb): void {
    this.span(Math.round(y), Math.round(Math.min(x0, x1)), Math.round(Math.max(x0, x1)) + 1, color);
  }

  toNDArray(): NDArray<'uint8'> {
    return { dtype: 'uint8', shape: [this.height, this.width, 3], data: this.data };
  }
}
