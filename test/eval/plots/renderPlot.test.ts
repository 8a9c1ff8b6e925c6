import { describe, expect, it } from 'vitest';
import { lossSpec } from '../../../src/eval/plots/lossPlots.ts';
import { prefixIds, renderSvg, svgToPng } from '../../../src/eval/plots/renderPlot.ts';

describe('renderPlot', () => {
  it('prefixes ids and their references so plots can share a page', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>';
    expect(prefixIds(svg, 'p3-')).toBe('<svg><defs><clipPath id="p3-clip1"><rect/></clipPath></defs><g clip-path="url(#p3-clip1)"><use href="#p3-clip1"/></g></svg>');
  });

  it('collects Vega-Lite warnings instead of printing them', async () => {
    // a log scale with zero: true is dropped with a warning
    const spec = { ...lossSpec([{ step: 1, loss: 2, valLoss: null, lr: null }]), encoding: { x: { field: 'step', type: 'quantitative', scale: { type: 'log', zero: true } } } } as never;
    const { warnings } = await renderSvg(spec);
    expect(warnings.join('\n')).toMatch(/zero/);
  });

  it('rasterises the SVG to a PNG of twice its size with resvg', async () => {
    const { svg } = await renderSvg(lossSpec([{ step: 1, loss: 2, valLoss: 1.5, lr: null }, { step: 2, loss: 1.5, valLoss: 1.2, lr: null }]));
    const png = await svgToPng(svg, 2);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    const w = Number(svg.match(/<svg[^>]* width="(\d+)"/)![1]);
    expect(view.getUint32(16)).toBe(2 * w); // IHDR width
  });
});
