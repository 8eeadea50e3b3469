// Every failure a user can cause throws a TypeError or RangeError whose message names the op,
// the argument, what was expected and what came; the process never aborts.
import { describe, expect, it } from 'vitest';
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';
import { thrown } from './helpers.js';

const x = cn.zeros([1, 3, 8, 8]);
const w = cn.zeros([4, 3, 3, 3]);

function expectError(fn: () => unknown, kind: typeof TypeError | typeof RangeError, ...parts: (string | RegExp)[]): void {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(kind);
  for (const part of parts) expect(err.message).toMatch(part);
}

describe('bad input to the ops', () => {
  it('wrong rank', () => {
    expectError(() => cn.conv2d(cn.zeros([3, 8, 8]), w), RangeError, 'conv2d: input: expected 4-D [N, C, H, W], got shape [3, 8, 8]');
  });

  it('channel mismatch', () => {
    expectError(() => cn.conv2d(cn.zeros([1, 5, 8, 8]), w), RangeError, /conv2d: weight: expected weight\.shape\[1\] = in_channels\/groups = 5\/1 = 5 .*got shape \[4, 3, 3, 3\]/);
  });

  it('groups not dividing the channels', () => {
    expectError(() => cn.conv2d(x, cn.zeros([4, 1, 3, 3]), null, { groups: 2 }), RangeError, 'conv2d: groups: expected a divisor of in_channels (3), got 2');
  });

  it('kernel larger than the padded input', () => {
    expectError(() => cn.conv2d(cn.zeros([1, 3, 2, 2]), w), RangeError, /conv2d: weight: expected a kernel .* that fits the padded input 2x2, got an output of 0x0/);
    expectError(() => cn.maxPool2d(cn.zeros([1, 1, 2, 2]), { kernelSize: 3 }), RangeError, /maxPool2d: kernelSize: expected a window that fits the padded input 2x2/);
  });

  it('stride 0', () => {
    expectError(() => cn.conv2d(x, w, null, { stride: 0 }), RangeError, 'conv2d: stride: expected an integer >= 1, got 0');
    expectError(() => cn.maxPool2d(x, { kernelSize: 2, stride: [1, 0] }), RangeError, 'maxPool2d: stride[1]: expected an integer >= 1, got 0');
  });

  it('negative padding', () => {
    expectError(() => cn.conv2d(x, w, null, { padding: -1 }), RangeError, 'conv2d: padding: expected an integer >= 0, got -1');
    expectError(() => cn.conv2d(x, w, null, { padding: [0, 0, -2, 0] }), RangeError, 'conv2d: padding[2] (left): expected an integer >= 0, got -2');
  });

  it('padding of a pooling window above half the kernel', () => {
    expectError(() => cn.maxPool2d(x, { kernelSize: 2, padding: 2 }), RangeError, 'maxPool2d: padding: expected at most half the kernel size (1, 1), got [2, 2]');
  });

  it('non-integer or negative dims', () => {
    expectError(() => cn.zeros([2, 1.5]), RangeError, 'zeros: shape[1]: expected a non-negative integer, got 1.5');
    expectError(() => cn.tensor(new Float32Array(4), [-2, -2]), RangeError, 'tensor: shape[0]: expected a non-negative integer, got -2');
    expectError(() => cn.tensor(new Float32Array(4), [2, '2' as unknown as number]), TypeError, 'tensor: shape[1]: expected an integer, got "2"');
  });

  it('data that is not a Float32Array', () => {
    expectError(() => cn.tensor(new Float64Array(4) as unknown as Float32Array, [4]), TypeError, /tensor: data: expected a Float32Array or an array of numbers .*got Float64Array\(4\)/);
    expectError(() => cn.tensor(['a'] as unknown as number[], [1]), TypeError, 'tensor: data[0]: expected a number, got "a"');
    expectError(() => cn.relu({ shape: [1], data: new Float32Array(1) } as unknown as cn.Tensor), TypeError, 'relu: input: expected a Tensor, got an object');
  });

  it('data length not matching the shape', () => {
    expectError(() => cn.tensor(new Float32Array(5), [2, 3]), RangeError, 'tensor: shape: expected 5 elements, got [2, 3] (6 elements)');
  });

  it('a detached ArrayBuffer', () => {
    const data = new Float32Array(4);
    const t = cn.tensor(data, [1, 1, 2, 2]);
    structuredClone(data.buffer, { transfer: [data.buffer] }); // detaches `data`
    expectError(() => cn.relu(t), TypeError, /relu: input\.data: expected 4 elements, got 0 \(a detached ArrayBuffer\?\)/);
    expectError(() => cn.tensor(data, [4]), TypeError, 'tensor: data: expected a Float32Array of 4 elements, got an empty or detached ArrayBuffer');
  });

  it('wrong bias length', () => {
    expectError(() => cn.conv2d(x, w, cn.zeros([3])), RangeError, 'conv2d: bias: expected shape [4] (out_channels), got shape [3]');
    expectError(() => cn.linear(cn.zeros([2, 3]), cn.zeros([5, 3]), cn.zeros([4])), RangeError, 'linear: bias: expected shape [5] (out_features), got shape [4]');
  });

  it('unknown or mistyped options', () => {
    expectError(() => cn.conv2d(x, w, null, { strides: 2 } as unknown as cn.Conv2dOptions), TypeError, 'conv2d: options.strides: expected one of stride, padding, dilation, groups, algo, got an unknown option');
    expectError(() => cn.conv2d(x, w, null, { padding: 'full' as 'same' }), TypeError, /conv2d: padding: expected .*'same' or 'valid', got "full"/);
  });

  it('shapes that do not broadcast, and a bad dim', () => {
    expectError(() => cn.add(cn.zeros([2, 3]), cn.zeros([4])), RangeError, 'add: b: expected a shape broadcastable with [2, 3], got [4]');
    expectError(() => cn.softmax(cn.zeros([2, 3]), 2), RangeError, 'softmax: dim: expected a dimension in [-2, 1], got 2');
    expectError(() => cn.concat([cn.zeros([1, 2, 3]), cn.zeros([1, 2, 4])], 1), RangeError, /concat: tensors\[1\]: expected shape \[1, -1, 3\]/);
  });

  it('setNumThreads outside its range', () => {
    expectError(() => cn.setNumThreads(0), RangeError, 'setNumThreads: n: expected an integer >= 1, got 0');
  });
});

describe('the native layer re-checks what it is given (never trusts JS)', () => {
  const params = { n: 1, cin: 3, h: 8, w: 8, cout: 4, kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1 };

  it('rejects an input shorter than its declared shape', () => {
    expectError(() => native.Conv2d(new Float32Array(10), w.data, null, params), RangeError, 'conv2d: input.length: expected 192, got 10');
  });

  it('rejects a wrong dtype, a missing param and a bad stride', () => {
    expectError(() => native.Conv2d(new Float64Array(192) as unknown as Float32Array, w.data, null, params), TypeError, 'conv2d: input: expected a Float32Array, got Float64Array');
    expectError(() => native.Conv2d(x.data, w.data, null, { ...params, strideH: 0 }), RangeError, 'conv2d: strideH: expected an integer >= 1, got 0');
    const { groups: _g, ...noGroups } = params;
    expectError(() => native.Conv2d(x.data, w.data, null, noGroups as typeof params), TypeError, 'conv2d: groups: expected an integer, got undefined');
    expectError(() => native.Conv2d(x.data, w.data, null, { ...params, kh: 20 }), RangeError, /conv2d: weight/);
  });

  it('rejects a detached array and out-of-range broadcast strides', () => {
    const data = new Float32Array(4);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expectError(() => native.Relu(data), TypeError, 'relu: input: expected a Float32Array over a live ArrayBuffer, got a detached ArrayBuffer');
    expectError(
      () => native.Add(new Float32Array(4), new Float32Array(4), { outShape: [4], stridesA: [1], stridesB: [2] }),
      RangeError,
      'add: params: expected strides inside both operands',
    );
    expectError(
      () => native.Matmul(new Float32Array(4), new Float32Array(4), new Float64Array([2]), new Float64Array([0]), { batch: 1, m: 2, k: 2, n: 2 }),
      RangeError,
      'matmul: offsetsA: expected offsets inside the operand, got 2',
    );
  });

  it('refuses broadcast strides whose span would overflow (found by review: it used to segfault)', () => {
    expectError(
      () => native.Add(new Float32Array(1), new Float32Array(4097), { outShape: [4097], stridesA: [2 ** 52], stridesB: [1] }),
      RangeError,
      /add: shape: expected at most 2\^40 elements/,
    );
  });

  it('refuses absurd sizes instead of overflowing', () => {
    expectError(() => native.Conv2d(x.data, w.data, null, { ...params, n: 2 ** 40 }), RangeError, /dimensions below 2\^31/);
  });
});
