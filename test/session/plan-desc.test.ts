import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { expectClose, randomTensor } from '../helpers.js';

/**
 * Runs read the input's arena region from the caller's array and write the output's region
 * into the returned array (native/plan/plan.h, ArenaView). A plan description that would make
 * a step write the input's region, or reach across the edge of either region, must be refused
 * when the plan is created: at run time it would read stale data or write past the array.
 */
interface Desc {
  arenaFloats: number; inputOffset: number; inputSize: number; outputOffset: number; outputSize: number;
  constants: { offset: number; data: Float32Array }[];
  steps: { op: string; inputs: number[]; output: number; params: Record<string, unknown> }[];
}

async function compiledDesc(): Promise<Desc> {
  const w1 = randomTensor([4, 3, 3, 3], 1), w2 = randomTensor([4, 4, 1, 1], 2);
  const net = (x: cn.Tensor): cn.Tensor => cn.conv2d(cn.relu(cn.conv2d(x, w1, null, { padding: 1 })), w2);
  const session = await cn.InferenceSession.create(net, { inputShape: [1, 3, 6, 6] });
  const plan = [...(session as unknown as { compiled: Map<string, { desc: Desc }> }).compiled.values()][0];
  return structuredClone(plan.desc);
}

describe('plan descriptions', () => {
  it('keeps the input and output regions to themselves in a compiled plan', async () => {
    const d = await compiledDesc();
    const disjoint = (a: number, an: number, b: number, bn: number): boolean => a + an <= b || b + bn <= a;
    expect(disjoint(d.inputOffset, d.inputSize, d.outputOffset, d.outputSize)).toBe(true);
    for (const s of d.steps) expect(disjoint(s.output, 1, d.inputOffset, d.inputSize)).toBe(true);
    expect(() => native.PlanCreate(d)).not.toThrow();
  });

  it('refuses a step writing the input region, or reaching across the output region', async () => {
    const d = await compiledDesc();
    const intoInput = structuredClone(d);
    intoInput.steps[0].output = intoInput.inputOffset;
    expect(() => native.PlanCreate(intoInput)).toThrow(/disjoint from the plan's input|disjoint from its inputs/);
    const straddle = structuredClone(d);
    straddle.outputOffset += 1; // the last step's result now starts one float before the region
    straddle.arenaFloats += 64;
    expect(() => native.PlanCreate(straddle)).toThrow(/inside or outside the plan's output/);
    const constant = structuredClone(d);
    constant.constants.push({ offset: constant.inputOffset, data: new Float32Array(4) });
    expect(() => native.PlanCreate(constant)).toThrow(/outside the input's and the output's/);
  });

  it('returns the input, a channel slice, and a final residual add correctly', async () => {
    const wa = randomTensor([8, 4, 1, 1], 3), wb = randomTensor([4, 4, 3, 3], 4);
    const nets: [string, (x: cn.Tensor) => cn.Tensor][] = [
      ['identity', (x) => x],
      ['final residual add (accumulated into the output)', (x) => cn.add(cn.conv2d(cn.relu(cn.conv2d(x, wb, null, { padding: 1 })), wb, null, { padding: 1 }), cn.relu(x))],
      ['concat of two convs', (x) => cn.concat([cn.conv2d(x, wa), cn.conv2d(x, wb, null, { padding: 1 })], 1)],
    ];
    // Batch 1 writes the concat's parts in place (into the output region); batch 2 copies them.
    for (const n of [1, 2]) {
      for (const [name, net] of nets) {
        const x = randomTensor([n, 4, 9, 9], 5);
        const session = await cn.InferenceSession.create(net, { inputShape: [n, 4, 9, 9] });
        const want = net(x);
        expectClose(session.runSync(x), want, `${name}, batch ${n}, sync`, 1e-4);
        expectClose(await session.run(x), want, `${name}, batch ${n}, async`, 1e-4);
        expect(Array.from(x.data)).toEqual(Array.from(randomTensor([n, 4, 9, 9], 5).data)); // input untouched
      }
    }
  });
});
