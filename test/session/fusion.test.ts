import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { expectClose, randomTensor } from '../helpers.js';

/**
 * Plan fusions (lib/session/compile.ts): residual adds accumulated by a conv, ReLU6 in a conv or
 * linear store. Each case: the plan equals eager within 1e-4 (x max|out|), runs twice (the
 * accumulate reads its slot, so a stale value would show on the second run), and fuses exactly
 * what it should. The shapes reach every native path: gemm1x1 (in the GEMM store, strided via
 * scratch), Winograd (in its output transform's store), im2col (a second pass), depthwise, batch 2.
 */
const w = (shape: number[], seed: number, scale = 0.3): cn.Tensor => randomTensor(shape, seed, scale);
type Net = (x: cn.Tensor) => cn.Tensor;
interface Case {
  name: string;
  input: number[];
  net: Net;
  fusedAdds: number;
  fusedRelus: number;
  steps?: number;
  /** Algorithms the plan must use (a subset of describe().convAlgorithms). */
  algos?: string[];
}

const conv = (x: cn.Tensor, weight: cn.Tensor, opts: Parameters<typeof cn.conv2d>[3] = {}, bias: cn.Tensor | null = null): cn.Tensor =>
  cn.conv2d(x, weight, bias, opts);

function cases(): Case[] {
  const w1 = w([16, 8, 3, 3], 1), w2 = w([16, 16, 3, 3], 2), wd = w([16, 8, 1, 1], 3), b2 = w([16], 4, 0.1);
  const w0 = w([16, 8, 3, 3], 5), e = w([32, 16, 1, 1], 6), p = w([16, 32, 1, 1], 7), dw = w([32, 1, 3, 3], 8);
  const w7 = w([16, 16, 3, 3], 9), fc = w([10, 16], 10), fcb = w([10], 11, 0.1);
  return [
    // ResNet basic block with a strided 1x1 downsample that runs after conv2: the downsample
    // accumulates onto conv2's result (fused 1x1 path, strided through scratch).
    { name: 'downsample after conv2 (gemm1x1 strided, accumulate)', input: [1, 8, 32, 32], fusedAdds: 1, fusedRelus: 2,
      net: (x) => cn.relu(cn.add(conv(cn.relu(conv(x, w1, { padding: 1, stride: 2 })), w2, { padding: 1 }, b2), conv(x, wd, { stride: 2 }))) },
    // Downsample first: conv2 (Winograd at 16x16) accumulates onto it (second pass).
    { name: 'downsample first (winograd accumulate)', input: [2, 8, 32, 32], fusedAdds: 1, fusedRelus: 2,
      net: (x) => { const id = conv(x, wd, { stride: 2 }); return cn.relu(cn.add(id, conv(cn.relu(conv(x, w1, { padding: 1, stride: 2 })), w2, { padding: 1 }))); } },
    // Identity residual: conv2 accumulates onto the block input, which conv1 read earlier.
    { name: 'identity residual (winograd)', input: [1, 8, 16, 16], fusedAdds: 1, fusedRelus: 3,
      net: (x) => { const y = cn.relu(conv(x, w0, { padding: 1 })); return cn.relu(cn.add(conv(cn.relu(conv(y, w2, { padding: 1 })), w2, { padding: 1 }), y)); } },
    // MobileNetV2 inverted residual: expand 1x1 + ReLU6, depthwise + ReLU6, project 1x1 + add.
    { name: 'inverted residual (relu6, gemm1x1 accumulate, no activation after the add)', input: [2, 8, 12, 12], fusedAdds: 1, fusedRelus: 3,
      net: (x) => { const y = cn.relu(conv(x, w0, { padding: 1 })); const h = cn.relu6(conv(cn.relu6(conv(y, e)), dw, { padding: 1, groups: 32 })); return cn.add(y, conv(h, p)); } },
    // Not fused: the residual is read again after the conv (by the final add).
    { name: 'residual read after the conv: not fused', input: [1, 8, 16, 16], fusedAdds: 0, fusedRelus: 1,
      net: (x) => { const y = cn.relu(conv(x, w0, { padding: 1 })); const z = cn.add(conv(y, w7, { padding: 1 }), y); return cn.add(z, y); } },
    // Not fused: the residual is the graph input itself.
    { name: 'residual is the input: not fused', input: [1, 16, 8, 8], fusedAdds: 0, fusedRelus: 0,
      net: (x) => cn.add(conv(x, w7, { padding: 1 }), x) },
    // Not fused: the conv reads the residual (y + conv(y) with the conv after every other use).
    { name: 'conv reads its residual: accumulates only when legal', input: [1, 8, 16, 16], fusedAdds: 0, fusedRelus: 1,
      net: (x) => { const y = cn.relu(conv(x, w0, { padding: 1 })); return cn.add(y, conv(y, w7, { padding: 1 })); } },
    // Not fused: broadcasting add.
    { name: 'broadcast add: not fused', input: [1, 8, 8, 8], fusedAdds: 0, fusedRelus: 0,
      net: (x) => cn.add(conv(x, w0, { padding: 1 }), cn.tensor(new Float32Array(8 * 8).fill(0.5), [8, 8])) },
    // 1x1 layers whose prepacked weights use another micro-kernel's layout: 64 / 128 output
    // channels at 12x12 (AVX-512 8x48 panels fill 144 columns exactly), and 3 input channels (the few-input-channel implicit GEMM);
    // the fused 1x1 path must multiply with the layout they were packed for.
    { name: '1x1 with 64 and 128 output channels (8x48 layout), accumulate', input: [1, 16, 12, 12], fusedAdds: 1, fusedRelus: 3,
      net: (x) => { const y = cn.relu(conv(x, w([64, 16, 1, 1], 12))); return cn.relu(cn.add(conv(cn.relu(conv(y, w([128, 64, 1, 1], 13))), w([64, 128, 1, 1], 14)), y)); } },
    // Grouped 1x1 layers (no pixels-as-rows: groups 1 only): each group's prepacked panels, the
    // residual accumulated by a 4-group 1x1, and a strided 2-group 1x1 through scratch.
    { name: 'grouped 1x1: accumulate with 4 groups, strided with 2', input: [2, 16, 12, 12], fusedAdds: 1, fusedRelus: 3, algos: ['gemm1x1'],
      net: (x) => {
        const y = cn.relu(conv(x, w([32, 16, 3, 3], 35), { padding: 1 }));
        const u = cn.relu(conv(y, w([32, 8, 1, 1], 36), { groups: 4 }));
        const z = cn.relu(cn.add(conv(u, w([32, 8, 1, 1], 37), { groups: 4 }, w([32], 38, 0.1)), y));
        return conv(z, w([16, 16, 1, 1], 39), { stride: 2, groups: 2 });
      } },
    // A residual accumulated by such a 1x1 (its weights in the implicit-GEMM layout, so it runs
    // the generic path: conv into scratch, then the add): the scratch must be sized for it.
    { name: '1x1 on 3 input channels accumulating a residual (scratch path)', input: [2, 3, 20, 20], fusedAdds: 1, fusedRelus: 1,
      net: (x) => { const r = conv(x, w([8, 3, 3, 3], 27), { padding: 1 }); return cn.relu(cn.add(r, conv(x, w([8, 3, 1, 1], 28), {}, w([8], 29, 0.1)))); } },
    // Two chained inverted residuals (no activation after the adds): the second block's
    // residual is the first block's fused result, so both adds fuse.
    { name: 'chained inverted residuals: both adds fuse', input: [1, 8, 12, 12], fusedAdds: 2, fusedRelus: 3,
      net: (x) => {
        const y = cn.relu(conv(x, w([8, 8, 3, 3], 30), { padding: 1 }));
        const z = cn.add(y, conv(cn.relu6(conv(y, w([32, 8, 1, 1], 31))), w([8, 32, 1, 1], 32)));
        return cn.add(z, conv(cn.relu6(conv(z, w([32, 8, 1, 1], 33))), w([8, 32, 1, 1], 34)));
      } },
    { name: '1x1 on 3 input channels (implicit-GEMM layout)', input: [2, 3, 20, 20], fusedAdds: 0, fusedRelus: 1,
      net: (x) => cn.relu(conv(x, w([32, 3, 1, 1], 15), {}, w([32], 16, 0.1))) },
    // 1x1 expansion + 3x3/s2 depthwise (AVX-512: computed together band by band of output
    // rows, plan_dwfuse.cc). No residual, so the expansion's input is dead after it unless the
    // compiler keeps it live for the later bands (the depthwise output must not take its slot).
    // 150 rows x 64 x 32 channels spans two bands; batch 2 and odd sizes below one band.
    { name: 'expansion + depthwise s2, two bands, input slot not reused', input: [1, 16, 150, 64], fusedAdds: 0, fusedRelus: 2,
      net: (x) => conv(cn.relu6(conv(cn.relu6(conv(x, w([32, 16, 1, 1], 17), {}, w([32], 18, 0.1))), w([32, 1, 3, 3], 19), { padding: 1, stride: 2, groups: 32 }, w([32], 20, 0.1))), w([8, 32, 1, 1], 21)) },
    { name: 'expansion + depthwise s2, batch 2, odd sizes, then residual', input: [2, 8, 21, 13], fusedAdds: 1, fusedRelus: 3,
      net: (x) => { const y = cn.relu6(conv(x, w([8, 8, 1, 1], 22))); const z = conv(cn.relu6(conv(cn.relu6(conv(y, w([32, 8, 1, 1], 23))), w([32, 1, 3, 3], 24), { padding: 1, stride: 2, groups: 32 })), w([8, 32, 1, 1], 25)); return cn.add(z, conv(y, w([8, 8, 1, 1], 26), { stride: 2 })); } },
    // Winograd adds the residual (and clamps ReLU6) in its output transform's store: per tile row
    // at 38x38 (F(4x4), 10 tiles a row, partial last tiles), per plane segment at 14x14 and at
    // 7x7 (F(2x2)); batch 2 runs chunks that span both images.
    ...[1, 2].flatMap((n) => [38, 14, 7].map((hw) => {
      const wa = w([32, 32, 3, 3], 20 + hw, 0.1), wb = w([32, 32, 3, 3], 30 + hw, 0.1), wc = w([32, 32, 3, 3], 60 + hw, 0.1), bb = w([32], 40 + hw, 0.1);
      return { name: `winograd residual in the output store, batch ${n}, ${hw}x${hw}`, input: [n, 32, hw, hw], fusedAdds: 1, fusedRelus: 3, algos: ['winograd'],
        net: (x: cn.Tensor) => { const y = cn.relu(conv(x, wa, { padding: 1 })); return cn.relu(cn.add(conv(cn.relu(conv(y, wc, { padding: 1 })), wb, { padding: 1 }, bb), y)); } };
    })),
    // 38x38 (100 tiles, 32 channels) runs the transposed products on AVX-512 (M^T store).
    ...[1, 2].flatMap((n) => [14, 38].map((hw) => {
      const wa = w([32, 32, 3, 3], 50, 0.4), wb = w([32, 32, 3, 3], 51, 0.4), wc = w([32, 32, 3, 3], 52, 0.4);
      return { name: `winograd relu6 clamp and residual without activation, batch ${n}, ${hw}x${hw}`, input: [n, 32, hw, hw], fusedAdds: 1, fusedRelus: 2, algos: ['winograd'],
        net: (x: cn.Tensor) => { const y = cn.relu6(conv(x, wa, { padding: 1 })); return cn.add(conv(cn.relu6(conv(y, wc, { padding: 1 })), wb, { padding: 1 }), y); } };
    })),
    // AVX-512 F(4x4) with transposed products (49 tiles as rows, 48 channels as columns): the
    // clamp and the residual add + ReLU in the M^T output store; batch 2 spans two images.
    ...[1, 2].map((n) => {
      const wa = w([48, 48, 3, 3], 70, 0.3), wb = w([48, 48, 3, 3], 71, 0.3), wc = w([48, 48, 3, 3], 73, 0.3), bb = w([48], 72, 0.1);
      return { name: `winograd transposed products: relu6 clamp, residual + relu, batch ${n}, 26x26`, input: [n, 48, 26, 26], fusedAdds: 1, fusedRelus: 3, algos: ['winograd'],
        net: (x: cn.Tensor) => { const y = cn.relu6(conv(x, wa, { padding: 1 })); return cn.relu(cn.add(conv(cn.relu(conv(y, wc, { padding: 1 })), wb, { padding: 1 }, bb), y)); } };
    }),
    // ReLU6 in the store of an RGB stem (cin <= 4: the AVX-512 implicit GEMM; GEMM im2col on
    // other ISAs), outputs well past 6, batch 1 and 2.
    ...[1, 2].map((n) => {
      const ws = w([16, 3, 3, 3], 80, 1.5), bs = w([16], 81, 1);
      return { name: `relu6 in an RGB stem's store, batch ${n}`, input: [n, 3, 30, 30], fusedAdds: 0, fusedRelus: 1,
        net: (x: cn.Tensor) => cn.relu6(conv(x, ws, { padding: 1, stride: 2 }, bs)) };
    }),
    // ReLU6 in a linear store and in an im2col conv (a clamp pass).
    { name: 'relu6 after linear and im2col conv', input: [2, 8, 9, 9], fusedAdds: 0, fusedRelus: 2,
      net: (x) => cn.relu6(cn.linear(cn.flatten(cn.globalAvgPool2d(cn.relu6(conv(x, w0, { padding: 1, stride: 2 }))), 1), fc, fcb)) },
  ];
}

describe('InferenceSession fusions', () => {
  for (const c of cases()) {
    it(c.name, async () => {
      const x = randomTensor(c.input, 99, 2);
      const eager = c.net(x);
      const session = await cn.InferenceSession.create(c.net, { inputShape: c.input });
      expectClose(await session.run(x), eager, { case: c.name, run: 1 }, 1e-4);
      expectClose(session.runSync(x), eager, { case: c.name, run: 2 }, 1e-4);
      const info = session.describe();
      expect(info.fusedAdds, c.name).toBe(c.fusedAdds);
      expect(info.fusedRelus, c.name).toBe(c.fusedRelus);
      for (const a of c.algos ?? []) expect(info.convAlgorithms, c.name).toContain(a);
    });
  }

  it('runs a 1x1 expansion and a stride-2 depthwise together on AVX-512 (and not stride 1)', async () => {
    const net: Net = (x) => {
      const h = cn.relu6(conv(cn.relu6(conv(x, w([32, 8, 1, 1], 30))), w([32, 1, 3, 3], 31), { padding: 1, stride: 2, groups: 32 }));
      return cn.relu6(conv(cn.relu6(conv(h, w([48, 32, 1, 1], 32))), w([48, 1, 3, 3], 33), { padding: 1, groups: 48 }));
    };
    const session = await cn.InferenceSession.create(net, { inputShape: [1, 8, 20, 20] });
    const x = randomTensor([1, 8, 20, 20], 5, 2);
    expectClose(await session.run(x), net(x), { case: 'expansion + depthwise' }, 1e-4);
    const handle = (session as unknown as { planFor(s: number[]): { handle: unknown } }).planFor([1, 8, 20, 20]).handle;
    const lines = native.PlanDescribe(handle as Parameters<typeof native.PlanDescribe>[0]);
    const fused = lines.filter((l) => l.includes('+1x1 expansion')).length;
    expect(fused, lines.join('\n')).toBe(cn.cpuInfo().isa === 'avx512' ? 1 : 0);
  });

  it('expansion + depthwise with bands split across 2 threads (5 bands) equals eager', async () => {
    const before = cn.getNumThreads();
    cn.setNumThreads(2);
    try {
      const net: Net = (x) => cn.relu6(conv(cn.relu6(conv(x, w([32, 16, 1, 1], 40), {}, w([32], 41, 0.1))), w([32, 1, 3, 3], 42), { padding: 1, stride: 2, groups: 32 }, w([32], 43, 0.1)));
      const session = await cn.InferenceSession.create(net, { inputShape: [1, 16, 520, 64] });
      const x = randomTensor([1, 16, 520, 64], 7, 2);
      const eager = net(x);
      expectClose(await session.run(x), eager, { case: 'band-parallel', run: 1 }, 1e-4);
      expectClose(session.runSync(x), eager, { case: 'band-parallel', run: 2 }, 1e-4);
    } finally {
      cn.setNumThreads(before);
    }
  });

  // Channel concats at batch 1 run in place: each input's producer writes its block of the
  // concat's slot (compile.ts). Each case: equals eager on two runs, and concatsInPlace / step
  // count say whether the concat step was removed.
  const inception = (x: cn.Tensor, seed: number): cn.Tensor => {
    const a = cn.relu(conv(x, w([8, 6, 1, 1], seed)));
    const b = cn.relu(conv(cn.relu(conv(x, w([4, 6, 1, 1], seed + 1))), w([12, 4, 3, 3], seed + 2), { padding: 1 }));
    const c = cn.relu(conv(cn.maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1, ceilMode: true }), w([5, 6, 1, 1], seed + 3)));
    return cn.concat([a, b, c], 1);
  };
  const concatCases: { name: string; input: number[]; inPlace: number; net: Net }[] = [
    { name: 'inception block (1x1 / 1x1 -> 3x3 / pool -> 1x1), then a consumer', input: [1, 6, 9, 11], inPlace: 1,
      net: (x) => conv(inception(x, 60), w([7, 25, 1, 1], 64)) },
    { name: 'two chained inception blocks, the concat is the output', input: [1, 6, 14, 14], inPlace: 2,
      net: (x) => inception(conv(inception(x, 70), w([6, 25, 1, 1], 74)), 75) },
    { name: 'a branch also read after the concat (it reads its block)', input: [1, 6, 7, 7], inPlace: 2,
      net: (x) => { const a = cn.relu(conv(x, w([8, 6, 1, 1], 80))); const b = cn.relu(conv(x, w([8, 6, 3, 3], 81), { padding: 1 })); const y = cn.concat([a, b], 1); return cn.concat([conv(y, w([4, 16, 1, 1], 82)), cn.mul(a, b)], 1); } },
    { name: 'batch 2: blocks are not contiguous, not in place', input: [2, 6, 9, 11], inPlace: 0,
      net: (x) => inception(x, 90) },
    { name: 'the same value twice: not in place', input: [1, 6, 8, 8], inPlace: 0,
      net: (x) => { const a = cn.relu(conv(x, w([8, 6, 1, 1], 95))); return conv(cn.concat([a, a], 1), w([4, 16, 1, 1], 96)); } },
    { name: 'the graph input as a block: not in place', input: [1, 6, 8, 8], inPlace: 0,
      net: (x) => cn.concat([x, cn.relu(conv(x, w([3, 6, 1, 1], 97)))], 1) },
    // A later conv accumulates a residual into a block (fused add): in place it would overwrite
    // the concat's data, so the concat must copy.
    { name: 'a block is a fused residual of a later conv: not in place', input: [1, 8, 8, 8], inPlace: 0,
      net: (x) => { const a = cn.relu(conv(x, w([8, 8, 1, 1], 100))); const b = cn.relu(conv(x, w([8, 8, 1, 1], 101))); const y = cn.concat([a, b], 1); const z = cn.relu(conv(y, w([8, 16, 3, 3], 102), { padding: 1 })); return cn.add(a, conv(z, w([8, 8, 1, 1], 103))); } },
    // A conv accumulates into the concat's result: the blocks must stay the branch values.
    { name: 'a conv accumulates into the concat result: not in place', input: [1, 8, 8, 8], inPlace: 0,
      net: (x) => { const a = cn.relu(conv(x, w([8, 8, 1, 1], 104))); const b = cn.relu(conv(x, w([8, 8, 1, 1], 105))); const y = cn.concat([a, b], 1); return cn.concat([cn.add(y, conv(x, w([16, 8, 1, 1], 106))), a], 1); } },
    // The result of one concat as a block of another: the inner one runs in place, the outer copies.
    { name: 'nested concat: inner in place only', input: [1, 6, 8, 8], inPlace: 1,
      net: (x) => { const a = cn.relu(conv(x, w([4, 6, 1, 1], 107))); const b = cn.relu(conv(x, w([4, 6, 1, 1], 108))); return cn.concat([cn.concat([a, b], 1), cn.relu(conv(x, w([2, 6, 1, 1], 109)))], 1); } },
  ];
  // Sibling 1x1 convs reading one input merge into one conv (stacked weights); each original
  // output is a channel block of the merged one (compile.ts mergeSibling1x1).
  const siblingCases: { name: string; input: number[]; merged: number; inPlace?: number; net: Net }[] = [
    { name: 'inception block: the two reduce convs merge, the concat branch stays (in place)', input: [1, 6, 9, 11], merged: 1, inPlace: 1,
      net: (x) => {
        const a = cn.relu(conv(x, w([8, 6, 1, 1], 110)));
        const b = cn.relu(conv(cn.relu(conv(x, w([4, 6, 1, 1], 111))), w([12, 4, 3, 3], 112), { padding: 1 }));
        const c = cn.relu(conv(cn.relu(conv(x, w([3, 6, 1, 1], 113), {}, w([3], 129, 0.1))), w([5, 3, 3, 3], 114), { padding: 1 }));
        const d = cn.relu(conv(cn.maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1, ceilMode: true }), w([5, 6, 1, 1], 130)));
        return conv(cn.concat([a, b, c, d], 1), w([7, 30, 1, 1], 131));
      } },
    // Biases on some siblings only; the middle block is a fused residual (a conv accumulates
    // into it: its offset inside the merged output), the last is read by a binary op.
    { name: 'three siblings, mixed biases, a block accumulated into', input: [1, 6, 8, 8], merged: 2,
      net: (x) => {
        const y1 = cn.relu(conv(x, w([5, 6, 1, 1], 115), {}, w([5], 116, 0.1)));
        const y2 = cn.relu(conv(x, w([4, 6, 1, 1], 117)));
        const y3 = cn.relu(conv(x, w([4, 6, 1, 1], 118), {}, w([4], 119, 0.1)));
        return cn.add(cn.add(conv(y1, w([4, 5, 3, 3], 120), { padding: 1 }), y2), y3);
      } },
    { name: 'blocks read through reshapes (flatten)', input: [1, 6, 5, 7], merged: 1,
      net: (x) => cn.add(cn.flatten(cn.relu(conv(x, w([3, 6, 1, 1], 121))), 1), cn.flatten(cn.relu(conv(x, w([3, 6, 1, 1], 122))), 1)) },
    { name: 'different activations: not merged', input: [1, 6, 8, 8], merged: 0,
      net: (x) => cn.add(cn.relu(conv(x, w([4, 6, 1, 1], 123))), conv(x, w([4, 6, 1, 1], 124))) },
    { name: 'batch 2: not merged', input: [2, 6, 8, 8], merged: 0,
      net: (x) => cn.add(conv(x, w([4, 6, 1, 1], 125)), conv(x, w([4, 6, 1, 1], 126))) },
    { name: 'strided 1x1 siblings: not merged', input: [1, 6, 8, 8], merged: 0,
      net: (x) => cn.add(conv(x, w([4, 6, 1, 1], 127), { stride: 2 }), conv(x, w([4, 6, 1, 1], 128), { stride: 2 })) },
  ];
  for (const c of siblingCases) {
    it(`sibling 1x1 merge: ${c.name}`, async () => {
      const x = randomTensor(c.input, 97, 2);
      const eager = c.net(x);
      const session = await cn.InferenceSession.create(c.net, { inputShape: c.input });
      expectClose(await session.run(x), eager, { case: c.name, run: 1 }, 1e-4);
      expectClose(session.runSync(x), eager, { case: c.name, run: 2 }, 1e-4);
      const info = session.describe();
      expect(info.mergedSiblings, c.name).toBe(c.merged);
      if (c.inPlace !== undefined) expect(info.concatsInPlace, c.name).toBe(c.inPlace);
    });
  }

  it('sibling 1x1 merge and concats in place: GoogLeNet (batch 1) equals eager', async () => {
    const model = cn.models.googlenet({ seed: 6, numClasses: 10 });
    model.eval();
    const x = randomTensor([1, 3, 64, 64], 5, 1);
    const eager = cn.noGrad(() => model.forward(x));
    const session = await cn.InferenceSession.create(model, { inputShape: [1, 3, 64, 64] });
    expectClose(await session.run(x), eager, { case: 'googlenet' }, 1e-4);
    const info = session.describe();
    expect(info.mergedSiblings).toBe(9);
    expect(info.concatsInPlace).toBe(9);
  });

  for (const c of concatCases) {
    it(`concat in place: ${c.name}`, async () => {
      const x = randomTensor(c.input, 98, 2);
      const eager = c.net(x);
      const session = await cn.InferenceSession.create(c.net, { inputShape: c.input });
      expectClose(await session.run(x), eager, { case: c.name, run: 1 }, 1e-4);
      expectClose(session.runSync(x), eager, { case: c.name, run: 2 }, 1e-4);
      const handle = (session as unknown as { planFor(s: number[]): { handle: unknown } }).planFor(c.input).handle;
      const lines = native.PlanDescribe(handle as Parameters<typeof native.PlanDescribe>[0]);
      expect(session.describe().concatsInPlace, lines.join('\n')).toBe(c.inPlace);
      if (c.inPlace > 0 && c.name.startsWith('inception')) expect(lines.some((l) => l.startsWith('concat')), lines.join('\n')).toBe(false);
    });
  }

  it('keeps ReLU6 semantics at the clamp edges (values far above 6, below 0, NaN)', async () => {
    const weight = cn.tensor([1, -1, 100], [3, 1, 1, 1]);
    const net: Net = (x) => cn.relu6(cn.conv2d(x, weight, null, {}));
    const x = cn.tensor([0.5, 7, -3, Number.NaN], [1, 1, 2, 2]);
    const session = await cn.InferenceSession.create(net, { inputShape: [1, 1, 2, 2] });
    const out = Array.from((await session.run(x)).data);
    expect(out.slice(0, 3)).toEqual([0.5, 6, 0]);
    expect(Number.isNaN(out[3])).toBe(true);
    expect(out.slice(4, 7)).toEqual([0, 0, 3]);
    expect(out.slice(8, 11)).toEqual([6, 6, 0]);
    expect(session.describe().fusedRelus).toBe(1);
  });

  it('clamps depthwise ReLU6 outputs (values above 6 and NaN reach the clamp)', async () => {
    // 3 channels, 1x1 depthwise kernels scaled 1, -1, 100: the outputs span below 0 to far above 6.
    const weight = cn.tensor([1, -1, 100], [3, 1, 1, 1]);
    const net: Net = (x) => cn.relu6(cn.conv2d(x, weight, null, { groups: 3 }));
    const x = cn.tensor([0.5, 7, -3, Number.NaN, 0.5, 7, -3, 2, 0.5, 0.01, -3, 0.02], [1, 3, 2, 2]);
    const session = await cn.InferenceSession.create(net, { inputShape: [1, 3, 2, 2] });
    const out = Array.from((await session.run(x)).data);
    expect(out.slice(0, 3)).toEqual([0.5, 6, 0]);
    expect(Number.isNaN(out[3])).toBe(true);
    expect(out.slice(4, 8)).toEqual([0, 0, 3, 0]);
    expect(out[8]).toBe(6);
    expect(out[9]).toBeCloseTo(1, 5);
    expect(out.slice(10, 12)).toEqual([0, 2]);
    expect(session.describe().convAlgorithms).toEqual(['depthwise']);
  });
});
