/**
 * Lowers a traced graph to a native plan: folds eval-mode batch norm into the preceding conv,
 * fuses a residual add into the conv that produces one of its operands (the conv accumulates
 * into the other operand's slot), fuses ReLU into conv / linear / add / batch norm and ReLU6
 * into conv / linear, turns reshapes into aliases, and assigns every activation an arena slot
 * reused once the value is dead (first fit over live intervals).
 */
import { formatShape, rangeError } from '../errors.js';
import type { Graph, GraphNode, GraphValue } from './trace.js';

export interface PlanStepDesc {
  op: string;
  inputs: number[];
  output: number;
  params: Record<string, unknown>;
}

export interface PlanDesc {
  arenaFloats: number;
  inputOffset: number;
  inputSize: number;
  outputOffset: number;
  outputSize: number;
  constants: { offset: number; data: Float32Array }[];
  steps: PlanStepDesc[];
}

export interface CompileReport {
  /** Batch norms folded into a convolution. */
  foldedBatchNorms: number;
  /** ReLUs (and ReLU6s) fused into the op before them. */
  fusedRelus: number;
  /** Residual adds fused into a convolution (it accumulates onto the other operand). */
  fusedAdds: number;
  /** Sibling 1x1 convs folded into another one reading the same input (weights stacked). */
  mergedSiblings: number;
  /** Channel concats removed: their inputs were written in place into the concat's slot. */
  concatsInPlace: number;
  /** Activation memory with slot reuse vs one buffer per value. */
  activationFloats: number;
  activationFloatsWithoutReuse: number;
}

const SUPPORTED = new Set([
  'conv2d', 'maxPool2d', 'avgPool2d', 'lpPool2d', 'adaptiveAvgPool2d', 'adaptiveMaxPool2d', 'globalAvgPool2d',
  'globalMaxPool2d', 'linear', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'softmax', 'logSoftmax', 'lrn',
  'batchNorm2d', 'add', 'sub', 'mul', 'div', 'concat', 'reshape',
]);

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function checkSupported(graph: Graph): void {
  const problems: string[] = [];
  graph.nodes.forEach((n, i) => {
    if (!SUPPORTED.has(n.op)) problems.push(`node ${i} (${n.op}): not supported in a compiled plan`);
    else if (n.op === 'batchNorm2d' && n.attrs.training) problems.push(`node ${i} (batchNorm2d): in training mode`);
  });
  if (problems.length > 0) {
    throw rangeError('InferenceSession', 'model', 'inference ops in eval mode', problems.join('; '));
  }
}

/** Consumers of each value (node indices). */
function consumers(nodes: readonly (GraphNode | null)[], count: number): number[][] {
  const users: number[][] = Array.from({ length: count }, () => []);
  nodes.forEach((n, i) => n && n.inputs.forEach((v) => v >= 0 && users[v].push(i)));
  return users;
}

/** conv -> batchNorm2d (eval) becomes one conv with scaled weights and a shifted bias. */
function foldBatchNorms(graph: Graph, nodes: (GraphNode | null)[]): number {
  let folded = 0;
  const users = consumers(nodes, graph.values.length);
  nodes.forEach((bn, i) => {
    if (!bn || bn.op !== 'batchNorm2d') return;
    const [x, gamma, beta, mean, variance] = bn.inputs;
    const convIndex = nodes.findIndex((n) => n !== null && n.op === 'conv2d' && n.output === x);
    if (convIndex < 0 || users[x].length !== 1 || x === graph.output) return;
    const conv = nodes[convIndex]!;
    const [, w, b] = conv.inputs;
    const constant = (v: number): Float32Array | undefined => (v >= 0 && graph.values[v].kind === 'const' ? graph.values[v].data : undefined);
    const wData = constant(w);
    const meanData = constant(mean);
    const varData = constant(variance);
    if (!wData || !meanData || !varData || (b >= 0 && !constant(b))) return;
    // A computed (non-constant) scale or shift cannot be folded into constant weights.
    if ((gamma >= 0 && !constant(gamma)) || (beta >= 0 && !constant(beta))) return;
    const eps = bn.attrs.eps as number;
    const cout = graph.values[w].shape[0];
    const perOut = wData.length / cout;
    const newW = new Float32Array(wData.length);
    const newB = new Float32Array(cout);
    const g = constant(gamma);
    const be = constant(beta);
    const bias = b >= 0 ? constant(b)! : null;
    for (let o = 0; o < cout; o++) {
      const scale = (g ? g[o] : 1) / Math.sqrt(varData[o] + eps);
      for (let j = 0; j < perOut; j++) newW[o * perOut + j] = wData[o * perOut + j] * scale;
      newB[o] = ((bias ? bias[o] : 0) - meanData[o]) * scale + (be ? be[o] : 0);
    }
    const addConst = (shape: number[], data: Float32Array): number => {
      const id = graph.values.length;
      graph.values.push({ id, shape, kind: 'const', data });
      return id;
    };
    nodes[convIndex] = { ...conv, inputs: [conv.inputs[0], addConst([...graph.values[w].shape], newW), addConst([cout], newB)], output: bn.output };
    nodes[i] = null;
    folded++;
  });
  return folded;
}

/**
 * add(conv(x), r) becomes conv(x) accumulated onto r's slot (y = conv + bias + r, then any fused
 * ReLU), saving the add's pass over memory (ResNet, MobileNetV2 residuals; the GEMM-based
 * 1x1 path does it in the GEMM's store with beta = 1, Winograd in its output transform's store,
 * im2col / direct in a second pass). Legal when: both operands and the result
 * have one shape; the conv's result feeds only the add; r is an activation computed before the
 * conv (not the graph input, a constant or the output), read by nothing after the conv and by
 * nothing that aliases it (reshape), and not read by the conv itself. Of two conv operands the
 * later one accumulates (ResNet's downsample branch runs after the block's second conv).
 */
function fuseResidualAdds(graph: Graph, nodes: (GraphNode | null)[]): number {
  let fused = 0;
  const users = consumers(nodes, graph.values.length);
  const producer = new Map<number, number>();
  nodes.forEach((n, i) => n && producer.set(n.output, i));
  const sameShape = (a: number, b: number): boolean => {
    const sa = graph.values[a].shape;
    const sb = graph.values[b].shape;
    return sa.length === sb.length && sa.every((d, k) => d === sb[k]);
  };
  nodes.forEach((add, i) => {
    if (!add || add.op !== 'add' || add.attrs.fusedRelu) return;
    const [a, b] = add.inputs;
    if (a < 0 || b < 0 || a === b || !sameShape(a, add.output) || !sameShape(b, add.output)) return;
    const candidates = [a, b]
      .map((conv) => ({ conv, r: conv === a ? b : a, at: producer.get(conv) ?? -1 }))
      .filter(({ conv, r, at }) => {
        const p = at >= 0 ? nodes[at] : null;
        if (!p || p.op !== 'conv2d' || p.attrs.fusedRelu || p.attrs.accumulate) return false;
        if (users[conv].length !== 1 || conv === graph.output) return false;
        const rv = graph.values[r];
        if (rv.kind !== 'node' || r === graph.output || r === graph.input) return false;
        const rAt = producer.get(r);
        if (rAt === undefined || rAt >= at) return false;
        // Every other reader of r runs before the conv, and none is a reshape (an alias).
        return users[r].every((u) => u === i || (u < at && nodes[u]?.op !== 'reshape'));
      });
    if (candidates.length === 0) return;
    const { r, at } = candidates.reduce((x, y) => (y.at > x.at ? y : x));
    const conv = nodes[at]!;
    nodes[at] = { ...conv, output: add.output, attrs: { ...conv.attrs, accumulate: true, accumulateInto: r } };
    nodes[i] = null;
    fused++;
  });
  return fused;
}

/**
 * relu after conv / linear / binary / batch norm, and relu6 after conv / linear, when it is the
 * only user, runs in their store.
 */
function fuseRelus(graph: Graph, nodes: (GraphNode | null)[]): number {
  let fused = 0;
  const fusable = new Set(['conv2d', 'linear', 'add', 'sub', 'mul', 'div', 'batchNorm2d']);
  const fusableRelu6 = new Set(['conv2d', 'linear']);
  const users = consumers(nodes, graph.values.length);
  nodes.forEach((relu, i) => {
    if (!relu || (relu.op !== 'relu' && relu.op !== 'relu6')) return;
    const x = relu.inputs[0];
    const producerIndex = nodes.findIndex((n) => n !== null && n.output === x);
    if (producerIndex < 0 || users[x].length !== 1 || x === graph.output) return;
    const producer = nodes[producerIndex]!;
    if (!(relu.op === 'relu' ? fusable : fusableRelu6).has(producer.op) || producer.attrs.fusedRelu) return;
    const clamp = relu.op === 'relu6' ? { clampMax: 6 } : {};
    nodes[producerIndex] = { ...producer, output: relu.output, attrs: { ...producer.attrs, fusedRelu: true, ...clamp } };
    nodes[i] = null;
    fused++;
  });
  return fused;
}

/**
 * Sibling 1x1 convs reading the same activation (GoogLeNet's Inception branches: the 3x3 and 5x5
 * reduce convs) become one conv with their weights stacked along the output channels, so the
 * input is packed and streamed once and the small-output-channel GEMMs (16-48 channels) ride
 * in a larger one. At batch 1 each original output is a contiguous channel block of the merged
 * output: a 'channelSlice' alias (no step), like a reshape. Merged: 1x1, stride 1, no padding,
 * one group, constant weights (and biases, or none), the same fused activation, no residual
 * accumulation, not the graph output, and not read by a concat (a concat's input is better
 * written in place into the concat's slot, see compileGraph). GoogLeNet (9 pairs), plan steps
 * alone, 1 thread, min of 300, 2026-11-25: 192->96 + 192->16 @28 0.164 -> 0.147 ms, 512->144 +
 * 512->32 @14 0.196 -> 0.173, 832->192 + 832->48 @7 0.122 -> 0.114, all 9 pairs -0.18 ms; whole
 * model, two sessions interleaved, min of 400 (a temporary compile-time switch): 11.42 -> 11.12 ms, 11.46 ->
 * 11.24, and one pair 10.95 -> 11.14 (medians 12.00 / 12.02).
 */
function mergeSibling1x1(graph: Graph, nodes: (GraphNode | null)[]): number {
  let merged = 0;
  const users = consumers(nodes, graph.values.length);
  const constant = (v: number): boolean => v >= 0 && graph.values[v].kind === 'const';
  const eligible = (n: GraphNode): boolean => {
    const a = n.attrs;
    return n.op === 'conv2d' && a.kh === 1 && a.kw === 1 && a.strideH === 1 && a.strideW === 1 && a.groups === 1 && a.n === 1 &&
      a.padTop === 0 && a.padBottom === 0 && a.padLeft === 0 && a.padRight === 0 && a.accumulate !== true &&
      constant(n.inputs[1]) && (n.inputs[2] === undefined || n.inputs[2] < 0 || constant(n.inputs[2])) &&
      n.output !== graph.output && users[n.output].every((u) => nodes[u]?.op !== 'concat');
  };
  const key = (n: GraphNode): string => `${n.inputs[0]}|${n.attrs.fusedRelu === true}|${n.attrs.clampMax ?? ''}`;
  const groups = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    if (n && eligible(n)) groups.set(key(n), [...(groups.get(key(n)) ?? []), i]);
  });
  const inserts: { at: number; slices: GraphNode[] }[] = [];
  for (const idx of groups.values()) {
    if (idx.length < 2) continue;
    const convs = idx.map((i) => nodes[i]!);
    const cin = convs[0].attrs.cin as number;
    const couts = convs.map((c) => c.attrs.cout as number);
    const total = couts.reduce((x, y) => x + y, 0);
    const w = new Float32Array(total * cin);
    const b = new Float32Array(total);
    const hasBias = convs.some((c) => c.inputs[2] !== undefined && c.inputs[2] >= 0);
    let at = 0;
    convs.forEach((c, k) => {
      w.set(graph.values[c.inputs[1]].data!, at * cin);
      if (c.inputs[2] !== undefined && c.inputs[2] >= 0) b.set(graph.values[c.inputs[2]].data!, at);
      at += couts[k];
    });
    const addValue = (shape: number[], kind: 'const' | 'node', data?: Float32Array): number => {
      const id = graph.values.length;
      graph.values.push({ id, shape, kind, data });
      return id;
    };
    const { h, w: width } = convs[0].attrs as { h: number; w: number };
    const out = addValue([1, total, h, width], 'node');
    const first = convs[0];
    nodes[idx[0]] = {
      ...first, output: out,
      inputs: [first.inputs[0], addValue([total, cin, 1, 1], 'const', w), hasBias ? addValue([total], 'const', b) : -1],
      attrs: { ...first.attrs, cout: total },
    };
    idx.slice(1).forEach((i) => { nodes[i] = null; });
    let offset = 0;
    inserts.push({ at: idx[0], slices: convs.map((c, k) => {
      const slice: GraphNode = { op: 'channelSlice', inputs: [out], output: c.output, attrs: { offset: offset * h * width } };
      offset += couts[k];
      return slice;
    }) });
    merged += convs.length - 1;
  }
  // Slices right after their merged conv (before any reader of the original outputs).
  for (const { at, slices } of inserts.sort((x, y) => y.at - x.at)) nodes.splice(at + 1, 0, ...slices);
  return merged;
}

export function compileGraph(graph: Graph): { plan: PlanDesc; report: CompileReport; outputShape: number[] } {
  checkSupported(graph);
  const nodes: (GraphNode | null)[] = graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs] }));
  const foldedBatchNorms = foldBatchNorms(graph, nodes);
  const fusedAdds = fuseResidualAdds(graph, nodes);
  const fusedRelus = fuseRelus(graph, nodes);
  const mergedSiblings = mergeSibling1x1(graph, nodes);

  // Drop nodes whose results nobody needs (walking back from the output).
  const needed = new Set<number>([graph.output]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!n) continue;
    if (!needed.has(n.output)) {
      nodes[i] = null;
      continue;
    }
    n.inputs.forEach((v) => v >= 0 && needed.add(v));
    if (n.attrs.accumulate === true) needed.add(n.attrs.accumulateInto as number); // read through the slot
  }
  const live = nodes.filter((n): n is GraphNode => n !== null);

  // Reshapes alias their input: a value's storage is its root's.
  const root = new Map<number, number>();
  const rootOf = (v: number): number => root.get(v) ?? v;
  // So do accumulating convs: their result is written over the residual's slot.
  // Channel slices of a merged sibling conv: a block of its output at partOffset floats.
  // Aliases of a block (a reshape, a conv accumulating into it) share its offset.
  const partOffset = new Map<number, number>();
  const alias = (out: number, src: number, offset = partOffset.get(src)): void => {
    root.set(out, rootOf(src));
    if (offset !== undefined) partOffset.set(out, offset);
  };
  for (const n of live) {
    if (n.op === 'reshape') alias(n.output, n.inputs[0]);
    else if (n.op === 'channelSlice') alias(n.output, n.inputs[0], (partOffset.get(n.inputs[0]) ?? 0) + (n.attrs.offset as number));
    else if (n.attrs.accumulate === true) alias(n.output, n.attrs.accumulateInto as number);
  }

  // Channel concats at batch 1 (outer == 1: each input is one contiguous block of the output,
  // GoogLeNet's Inception outputs): every input's producer writes straight into its block of
  // the concat's slot and the concat step disappears (no copy pass, one slot instead of one per
  // branch plus the output). Only when each input is an activation computed by a step of its
  // own (other readers read the block), not the output, and nothing aliases it (no reshape of it, no
  // conv accumulating into it); and no conv accumulates into the concat's result (it would
  // overwrite the blocks that later steps may still read as the branch values). GoogLeNet, 1
  // thread, two sessions interleaved, min of 400 runs (a temporary compile-time switch, 2026-11-25): 11.73 ->
  // 11.50 ms and 11.74 -> 11.45 (a third pair: no difference), 81 -> 72 steps.
  let concatsInPlace = 0;
  const aliased = new Set<number>(); // roots that another value aliases (a reshape, an accumulating conv)
  const accumulatedInto = new Set<number>();
  for (const n of live) {
    if (rootOf(n.output) !== n.output) aliased.add(rootOf(n.output));
    if (n.attrs.accumulate === true) accumulatedInto.add(rootOf(n.attrs.accumulateInto as number));
  }
  for (const n of live) {
    if (n.op !== 'concat' || n.attrs.outer !== 1) continue;
    const ins = n.inputs;
    const ok = ins.length > 0 && ins.every((v, k) => v >= 0 && graph.values[v].kind === 'node' && v !== graph.output &&
      !root.has(v) && !aliased.has(v) && !partOffset.has(v) && ins.indexOf(v) === k) &&
      !accumulatedInto.has(n.output) && !root.has(n.output);
    if (!ok) continue;
    const inner = n.attrs.inner as number;
    const sizes = n.attrs.sizes as number[];
    let at = 0;
    ins.forEach((v, k) => {
      root.set(v, n.output);
      partOffset.set(v, at);
      at += sizes[k] * inner;
    });
    aliased.add(n.output);
    concatsInPlace++;
  }
  const inPlace = (n: GraphNode): boolean => n.op === 'concat' && n.inputs.length > 0 && partOffset.has(n.inputs[0]) && rootOf(n.inputs[0]) === n.output;

  // Constants first, each 16-float (64-byte) aligned.
  const align = (x: number): number => Math.ceil(x / 16) * 16;
  const constOffset = new Map<number, number>();
  const constants: { offset: number; data: Float32Array }[] = [];
  let cursor = 0;
  for (const n of live) {
    for (const v of n.inputs) {
      const r = v >= 0 ? rootOf(v) : -1;
      if (r < 0 || graph.values[r].kind !== 'const' || constOffset.has(r)) continue;
      constOffset.set(r, cursor);
      constants.push({ offset: cursor, data: graph.values[r].data! });
      cursor = align(cursor + graph.values[r].data!.length);
    }
  }
  const activationBase = cursor;

  // Live intervals of activation roots (the input is live from the start, the output to the end).
  const steps = live.filter((n) => n.op !== 'reshape' && n.op !== 'channelSlice' && !inPlace(n));
  const lastUse = new Map<number, number>();
  steps.forEach((n, i) => n.inputs.forEach((v) => v >= 0 && lastUse.set(rootOf(v), i)));
  lastUse.set(rootOf(graph.output), steps.length);

  // feedsNext: a 1x1 conv whose only reader is the next step, a 3x3/s2 depthwise conv, through
  // its first input: the native plan may compute both together (MobileNetV2's expansion +
  // depthwise, band by band, native/plan/plan_dwfuse.cc). The 1x1's own inputs then stay live
  // through the depthwise step, whose output must not take their slot.
  const feeds = new Set<number>();
  const isExpansion = (n: GraphNode): boolean => n.op === 'conv2d' && n.attrs.kh === 1 && n.attrs.kw === 1 && n.attrs.groups === 1 &&
    n.attrs.strideH === 1 && n.attrs.strideW === 1 && n.attrs.accumulate !== true;
  const isDepthwise3x3s2 = (n: GraphNode): boolean => n.op === 'conv2d' && n.attrs.kh === 3 && n.attrs.kw === 3 && n.attrs.strideH === 2 &&
    n.attrs.strideW === 2 && n.attrs.groups === n.attrs.cin && n.attrs.cout === n.attrs.cin && n.attrs.accumulate !== true;
  steps.forEach((n, i) => {
    const out = rootOf(n.output);
    const next = steps[i + 1];
    if (next && isExpansion(n) && isDepthwise3x3s2(next) && out !== rootOf(graph.output) &&
        lastUse.get(out) === i + 1 && rootOf(next.inputs[0]) === out && next.inputs.slice(1).every((v) => v < 0 || rootOf(v) !== out) &&
        steps.every((m, j) => j <= i || rootOf(m.output) !== out)) { // no later residual add reads it through its slot
      feeds.add(i);
      for (const v of n.inputs) if (v >= 0 && (lastUse.get(rootOf(v)) ?? 0) < i + 1) lastUse.set(rootOf(v), i + 1);
    }
  });

  const slot = new Map<number, number>();
  const free: { offset: number; size: number }[] = [];
  let arenaEnd = activationBase;
  let withoutReuse = 0;
  const allocate = (v: number): void => {
    const floats = align(size(graph.values[v].shape));
    withoutReuse += floats;
    const fit = free.findIndex((f) => f.size >= floats);
    if (fit >= 0) {
      const f = free[fit];
      slot.set(v, f.offset);
      if (f.size === floats) free.splice(fit, 1);
      else free[fit] = { offset: f.offset + floats, size: f.size - floats };
      return;
    }
    slot.set(v, arenaEnd);
    arenaEnd += floats;
  };
  const release = (v: number): void => {
    free.push({ offset: slot.get(v)!, size: align(size(graph.values[v].shape)) });
    free.sort((a, b) => a.offset - b.offset);
    for (let i = 0; i + 1 < free.length; ) {
      if (free[i].offset + free[i].size === free[i + 1].offset) {
        free[i].size += free[i + 1].size;
        free.splice(i + 1, 1);
      } else i++;
    }
  };
  allocate(graph.input);
  // The output's region is its value's alone from the start, as the input's is to the end:
  // runs write the result straight into the array they return (native/plan/plan.h, ArenaView).
  // An output that is the input, a constant, or only part of its value's region (a channel
  // slice of a merged conv) is copied into a region of its own at the end instead.
  const outRoot = rootOf(graph.output);
  const outputOwnSlot = outRoot !== rootOf(graph.input) && graph.values[outRoot].kind !== 'const' &&
    (partOffset.get(graph.output) ?? 0) === 0 && size(graph.values[graph.output].shape) === size(graph.values[outRoot].shape);
  if (outputOwnSlot) allocate(outRoot);
  const offsetOf = (v: number): number => {
    const r = rootOf(v);
    return (constOffset.get(r) ?? slot.get(r)!) + (partOffset.get(v) ?? 0);
  };

  // Roots whose last use is each step: a step's own inputs, and the inputs of a fused expansion
  // kept live through the next step (which does not read them).
  const dyingAt = new Map<number, number[]>();
  lastUse.forEach((i, v) => dyingAt.set(i, [...(dyingAt.get(i) ?? []), v]));
  const descs: PlanStepDesc[] = [];
  steps.forEach((n, i) => {
    const out = rootOf(n.output);
    if (!slot.has(out)) allocate(out); // before the inputs are released: never overlapping them
    descs.push(lowerStep(graph, n, offsetOf));
    if (feeds.has(i)) descs[descs.length - 1].params.feedsNext = true;
    for (const v of dyingAt.get(i) ?? []) {
      // The input's and the output's regions are never reused: runs read the caller's array
      // and write the returned one in their place (native/plan/plan.h, ArenaView).
      if (graph.values[v].kind !== 'const' && slot.has(v) && v !== rootOf(graph.input) && v !== outRoot) release(v);
    }
  });

  let outputOffset = offsetOf(graph.output);
  const outputSize = size(graph.values[graph.output].shape);
  if (!outputOwnSlot) {
    // The model returns its input, a constant or part of a value: copy into a slot of its own.
    const copyTo = arenaEnd;
    arenaEnd += align(outputSize);
    descs.push({ op: 'copy', inputs: [outputOffset], output: copyTo, params: { count: outputSize } });
    outputOffset = copyTo;
  }
  return {
    plan: {
      arenaFloats: Math.max(arenaEnd, 16),
      inputOffset: slot.get(graph.input)!,
      inputSize: size(graph.values[graph.input].shape),
      outputOffset,
      outputSize,
      constants,
      steps: descs,
    },
    report: { foldedBatchNorms, fusedRelus, fusedAdds, mergedSiblings, concatsInPlace, activationFloats: arenaEnd - activationBase, activationFloatsWithoutReuse: withoutReuse },
    outputShape: [...graph.values[graph.output].shape],
  };
}

function lowerStep(graph: Graph, n: GraphNode, offsetOf: (v: number) => number): PlanStepDesc {
  const a = n.attrs;
  const relu = a.fusedRelu === true;
  const clampMax = typeof a.clampMax === 'number' ? a.clampMax : null;
  const ins = n.inputs.filter((v) => v >= 0).map(offsetOf);
  const output = offsetOf(n.output);
  const count = size(graph.values[n.output].shape);
  const pick = (keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, a[k]]));
  switch (n.op) {
    case 'conv2d':
      return { op: 'conv2d', inputs: ins, output, params: { ...pick(['n', 'cin', 'h', 'w', 'cout', 'kh', 'kw', 'strideH', 'strideW', 'padTop', 'padBottom', 'padLeft', 'padRight', 'dilationH', 'dilationW', 'groups']), relu, clampMax, accumulate: a.accumulate === true, constWeight: graph.values[n.inputs[1]].kind === 'const' } };
    case 'maxPool2d':
    case 'avgPool2d':
    case 'lpPool2d':
      return { op: n.op, inputs: ins, output, params: { ...a } };
    case 'adaptiveAvgPool2d':
    case 'adaptiveMaxPool2d':
    case 'globalAvgPool2d':
    case 'globalMaxPool2d':
      return { op: a.max ? 'adaptiveMaxPool2d' : 'adaptiveAvgPool2d', inputs: ins, output, params: pick(['n', 'c', 'h', 'w', 'outH', 'outW']) };
    case 'linear':
      return { op: 'linear', inputs: ins, output, params: { ...pick(['rows', 'inFeatures', 'outFeatures']), relu, clampMax } };
    case 'relu':
    case 'relu6':
    case 'leakyRelu':
    case 'sigmoid':
    case 'tanh':
      return { op: 'unary', inputs: ins, output, params: { fn: n.op, alpha: (a.negativeSlope as number | undefined) ?? 0, count } };
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return { op: 'binary', inputs: ins, output, params: { fn: n.op, ...pick(['outShape', 'stridesA', 'stridesB']), relu } };
    case 'softmax':
    case 'logSoftmax':
      return { op: n.op, inputs: ins, output, params: pick(['outer', 'dim', 'inner']) };
    case 'lrn':
      return { op: 'lrn', inputs: ins, output, params: { ...a } };
    case 'batchNorm2d': {
      // Traced as [x, weight, bias, runningMean, runningVar]; the plan wants [x, mean, var, weight?, bias?].
      const [x, gamma, beta, mean, variance] = n.inputs;
      const affine = gamma >= 0 && beta >= 0;
      const inputs = [x, mean, variance, ...(affine ? [gamma, beta] : [])].map(offsetOf);
      return { op: 'batchNorm2d', inputs, output, params: { ...pick(['n', 'c', 'inner', 'eps']), relu } };
    }
    case 'concat':
      return { op: 'concat', inputs: ins, output, params: pick(['sizes', 'outer', 'inner']) };
    default:
      throw rangeError('InferenceSession', 'model', 'supported ops', `${n.op} with output ${formatShape(graph.values[n.output].shape)}`);
  }
}

export type { GraphValue };
