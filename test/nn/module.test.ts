import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

const { nn } = cn;

/** A two-level model: conv + bn in a Sequential, then a Linear head. */
class Tiny extends nn.Module {
  constructor() {
    super();
    this.addModule('body', new nn.Sequential(new nn.Conv2d(2, 4, 3, { seed: 1 }), new nn.BatchNorm2d(4), new nn.ReLU()));
    this.addModule('head', new nn.Linear(4, 3, { seed: 2 }));
  }
  forward(x: cn.Tensor): cn.Tensor {
    const y = cn.globalAvgPool2d(this.getModule('body')!.call(x));
    return this.getModule('head')!.call(cn.flatten(y, 1));
  }
}

describe('nn.Module', () => {
  it('names parameters and buffers with torch dotted names, in registration order', () => {
    const m = new Tiny();
    expect(m.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([
      ['body.0.weight', [4, 2, 3, 3]],
      ['body.0.bias', [4]],
      ['body.1.weight', [4]],
      ['body.1.bias', [4]],
      ['head.weight', [3, 4]],
      ['head.bias', [3]],
    ]);
    expect(m.namedBuffers().map(([k]) => k)).toEqual(['body.1.running_mean', 'body.1.running_var', 'body.1.num_batches_tracked']);
    expect(Object.keys(m.stateDict())).toEqual([
      'body.0.weight', 'body.0.bias',
      'body.1.weight', 'body.1.bias', 'body.1.running_mean', 'body.1.running_var', 'body.1.num_batches_tracked',
      'head.weight', 'head.bias',
    ]);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(m.buffers().some((b) => b.requiresGrad)).toBe(false);
    expect(m.numParameters()).toBe(4 * 2 * 9 + 4 + 4 + 4 + 12 + 3);
    expect(m.namedModules().map(([k, mod]) => `${k}:${mod.typeName}`)).toEqual([
      ':Tiny', 'body:Sequential', 'body.0:Conv2d', 'body.1:BatchNorm2d', 'body.2:ReLU', 'head:Linear',
    ]);
    expect(m.children().length).toBe(2);
  });

  it('omits absent parameters (bias: false) and counts a shared layer once', () => {
    const conv = new nn.Conv2d(3, 8, 1, { bias: false, seed: 0 });
    expect(Object.keys(conv.stateDict())).toEqual(['weight']);
    const shared = new nn.Linear(2, 2, { seed: 0 });
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(seq.parameters().length).toBe(2);
    expect(seq.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias']);
  });

  it('stateDict shares memory with the model; loadStateDict copies in place', () => {
    const a = new Tiny();
    const b = new Tiny();
    for (const p of b.parameters()) p.data.fill(0.5);
    const weightRef = a.getModule('head')!.getParameter('weight')!;
    const result = a.loadStateDict(b.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(a.getModule('head')!.getParameter('weight')).toBe(weightRef); // same tensor, new values
    expect(Array.from(weightRef.data)).toEqual(new Array(12).fill(0.5));
    const x = cn.randn([2, 2, 5, 5], { seed: 3 });
    a.eval();
    b.eval();
    expect(Array.from(a.forward(x).data)).toEqual(Array.from(b.forward(x).data));
    // A Map works as well.
    expect(() => a.loadStateDict(new Map(Object.entries(b.stateDict())))).not.toThrow();
  });

  it('loadStateDict rejects missing, unexpected and mis-shaped keys with their names, writing nothing', () => {
    const m = new Tiny();
    const before = Array.from(m.getModule('head')!.getParameter('weight')!.data);
    const sd = { ...new Tiny().stateDict() };
    for (const t of Object.values(sd)) t.data.fill(7);
    delete sd['body.1.running_var'];
    sd['head.extra'] = cn.zeros([1]);
    expect(() => m.loadStateDict(sd)).toThrow(
      /loadStateDict: stateDict: expected the 9 keys of this Tiny, got 1 missing \(body\.1\.running_var\) and 1 unexpected \(head\.extra\) keys/,
    );
    expect(Array.from(m.getModule('head')!.getParameter('weight')!.data)).toEqual(before);
    const partial = m.loadStateDict(sd, { strict: false });
    expect(partial).toEqual({ missingKeys: ['body.1.running_var'], unexpectedKeys: ['head.extra'] });
    const bad = new Tiny().stateDict();
    bad['head.weight'] = cn.zeros([4, 3]);
    expect(() => m.loadStateDict(bad, { strict: false })).toThrow(
      "loadStateDict: stateDict['head.weight']: expected shape [3, 4], got shape [4, 3]",
    );
    expect(() => m.loadStateDict({ 'head.weight': [1, 2] as unknown as cn.Tensor }, { strict: false })).toThrow(
      /loadStateDict: stateDict\['head.weight'\]: expected a Tensor, got \[1, 2\]/,
    );
  });

  it('train()/eval() set the mode on every descendant; zeroGrad clears gradients', () => {
    const m = new Tiny();
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(m.eval()).toBe(m);
    expect(m.modules().some((x) => x.training)).toBe(false);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    for (const p of m.parameters()) p.grad = cn.zeros(p.shape);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('rejects bad member names and name clashes', () => {
    const m = new Tiny();
    expect(() => m.addModule('a.b', new nn.ReLU())).toThrow(/Tiny.addModule: name: expected an identifier/);
    expect(() => m.registerParameter('head', cn.zeros([1]))).toThrow(/Tiny.registerParameter: name: expected a name not used/);
    expect(() => new nn.Sequential(new nn.ReLU(), 3 as unknown as cn.nn.Module)).toThrow(/Sequential: modules\[1\]: expected a Module, got 3/);
  });

  it('Sequential indexes children 0..n-1 and runs them in order', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 2, { seed: 0 }), new nn.ReLU());
    seq.append(new nn.Linear(2, 1, { seed: 1 }));
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBe(seq.getModule('2'));
    const x = cn.randn([4, 3], { seed: 1 });
    const manual = seq.at(2).forward(cn.relu(seq.at(0).forward(x)));
    expect(Array.from(seq.call(x).data)).toEqual(Array.from(manual.data));
    expect(seq.toString()).toBe(
      'Sequential(\n  (0): Linear(inFeatures=3, outFeatures=2)\n  (1): ReLU()\n  (2): Linear(inFeatures=2, outFeatures=1)\n)',
    );
  });
});
