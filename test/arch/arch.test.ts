import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

const { arch } = cn;

describe('cn.arch.outputSize', () => {
  it.each([
    // [m, a, options, expected, where the number comes from]
    [227, 11, { stride: 4 }, 55, 'AlexNet conv1 (lecture)'],
    [55, 3, { stride: 2 }, 27, 'AlexNet pool1'],
    [27, 5, { padding: 2 }, 27, 'AlexNet conv2'],
    [224, 7, { stride: 2, padding: 3 }, 112, 'ResNet conv1'],
    [112, 3, { stride: 2, padding: 1 }, 56, 'ResNet maxpool'],
    [32, 5, {}, 28, 'LeNet conv1'],
    [7, 3, { dilation: 2 }, 3, 'dilated: extent 5'],
    [112, 3, { stride: 2, ceilMode: true }, 56, 'GoogLeNet maxpool1 (ceil)'],
    [112, 3, { stride: 2 }, 55, 'same without ceil'],
  ] as const)('%i with kernel %i %j -> %i (%s)', (m, a, o, want, _where) => {
    expect(arch.outputSize(m, a, o)).toBe(want);
  });

  it('agrees with the conv op on random configurations', () => {
    const g = new cn.Generator(1);
    for (let t = 0; t < 50; t++) {
      const m = 5 + g.integer(20);
      const a = 1 + g.integer(4);
      const s = 1 + g.integer(3);
      const p = g.integer(3);
      const d = 1 + g.integer(2);
      if (m + 2 * p < d * (a - 1) + 1) continue;
      const y = cn.conv2d(cn.zeros([1, 1, m, m]), cn.zeros([1, 1, a, a]), null, { stride: s, padding: p, dilation: d });
      expect(arch.outputSize(m, a, { stride: s, padding: p, dilation: d }), JSON.stringify({ m, a, s, p, d })).toBe(y.shape[2]);
    }
  });

  it('rejects a kernel larger than the padded input', () => {
    expect(() => arch.outputSize(3, 5)).toThrow('arch.outputSize: kernelSize: expected an extent that fits the padded input (3), got 5');
  });
});

describe('cn.arch.samePadding: p = ceil((m(s-1) + a - s)/2)', () => {
  it.each([
    [224, 3, 1, 1], [224, 5, 1, 2], [224, 4, 1, 2], [32, 3, 2, 17], [7, 7, 2, 6],
  ] as const)('m=%i a=%i s=%i -> %i', (m, a, s, p) => {
    expect(arch.samePadding(m, a, s)).toBe(p);
    // It keeps the size (floor((m + 2p - a)/s) + 1 >= m), and one pixel less would not.
    expect(arch.outputSize(m, a, { stride: s, padding: p })).toBeGreaterThanOrEqual(m);
    expect(arch.outputSize(m, a, { stride: s, padding: p - 1 })).toBeLessThan(m);
  });
});

describe('cn.arch.receptiveField', () => {
  const conv3 = { kernelSize: 3, stride: 1 };
  const pool = { kernelSize: 2, stride: 2 };
  const vggToConv53 = [conv3, conv3, pool, conv3, conv3, pool, conv3, conv3, conv3, pool, conv3, conv3, conv3, pool, conv3, conv3, conv3];

  it('three stacked 3x3 convs see 7x7 (and two see 5x5)', () => {
    expect(arch.receptiveField([conv3, conv3, conv3])).toBe(7);
    expect(arch.receptiveField([conv3, conv3])).toBe(5);
    expect(arch.receptiveField([])).toBe(1);
  });

  it("VGG-16's conv5_3 sees 196x196 and pool5 212x212", () => {
    expect(arch.receptiveField(vggToConv53)).toBe(196);
    expect(arch.receptiveField([...vggToConv53, pool])).toBe(212);
  });

  it('AlexNet conv1 + pool1: 11 + (3-1)*4 = 19; dilation widens the kernel', () => {
    expect(arch.receptiveField([{ kernelSize: 11, stride: 4 }, { kernelSize: 3, stride: 2 }])).toBe(19);
    expect(arch.receptiveField([{ kernelSize: 3, dilation: 2 }, { kernelSize: 3, dilation: 4 }])).toBe(1 + 4 + 8);
  });

  it('i units of the last layer: the s = 1 case is i + (a - 1)(l - k)', () => {
    for (const [a, layers, i] of [[3, 3, 1], [3, 3, 4], [5, 2, 3], [7, 1, 10]]) {
      const stack = new Array(layers).fill({ kernelSize: a, stride: 1 });
      expect(arch.receptiveField(stack, { units: i })).toBe(i + (a - 1) * layers);
      expect(arch.uniformReceptiveField({ kernelSize: a, stride: 1, layers, units: i })).toBe(i + (a - 1) * layers);
    }
  });

  it('the closed form for identical strided layers equals the product formula', () => {
    for (const a of [2, 3, 5]) {
      for (const s of [2, 3]) {
        for (const layers of [0, 1, 2, 4]) {
          for (const units of [1, 2, 5]) {
            const stack = new Array(layers).fill({ kernelSize: a, stride: s });
            expect(arch.uniformReceptiveField({ kernelSize: a, stride: s, layers, units }), JSON.stringify({ a, s, layers, units }))
              .toBe(arch.receptiveField(stack, { units }));
          }
        }
      }
    }
    // by hand: two 3x3/2 layers: 1 + 2 + 2*2 = 7
    expect(arch.uniformReceptiveField({ kernelSize: 3, stride: 2, layers: 2 })).toBe(7);
  });

  it('names the bad layer', () => {
    expect(() => arch.receptiveField([conv3, { kernelSize: 0 }])).toThrow('arch.receptiveField: layers[1].kernelSize: expected an integer >= 1, got 0');
    expect(() => arch.receptiveField([{ kernel: 3 } as never])).toThrow(/arch.receptiveField: options.kernel: expected one of kernelSize, stride, dilation/);
  });
});
