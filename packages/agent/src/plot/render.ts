/**
 * Rendering a Vega-Lite spec to SVG (vega's headless renderer) and SVG to PNG (resvg). Text in the PNG uses the
 * DejaVu Sans TTF shipped by the `dejavu-fonts-ttf` npm package, so output does not depend on system fonts.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export const CHART_FONT_FAMILY = 'DejaVu Sans';

export interface PngOptions {
  /** Pixel density multiplier over the SVG's size. Default: 2. */
  scale?: number;
}

/** The SVG text of a Vega-Lite chart. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes SVG text into PNG bytes, with a white background. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      loadSystemFonts: false,
      fontFiles: chartFontFiles(),
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

/** Paths of the TTF files given to resvg. */
export function chartFontFiles(): string[] {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json'));
  return [join(packageDir, 'ttf', 'DejaVuSans.ttf'), join(packageDir, 'ttf', 'DejaVuSans-Bold.ttf')];
}
