/**
 * ONNX import: a parsed, validated model becomes a forward function of one tensor that
 * interprets the graph with convnode's eager ops, folding everything constant on the way.
 * InferenceSession traces that function once per input shape, so a dynamic batch dim costs one
 * compilation per batch size and the compiled plan never sees an ONNX node.
 */
import { Tensor } from '../../../tensor.js';
import { FOLDABLE, foldNode } from './fold.js';
import { LOWERINGS, isConst, isPadded, materialize, type OpContext, type Value } from './ops.js';
import { parseModel, readModelFile, type ConstTensor, type ParsedModel, type ValueMeta } from './parse.js';
import { validateModel } from './validate.js';

export interface OnnxProgram {
  source: string;
  opset: number;
  input: ValueMeta;
  output: ValueMeta;
  forward(x: Tensor): Tensor;
}

/** Interprets the graph on `x`; errors name the node they come from. */
function run(model: ParsedModel, source: string, x: Tensor): Tensor {
  const env = new Map<string, Value>([[model.inputs[0].name, x]]);
  const wrapped = new Map<ConstTensor, Tensor>();
  const asTensor = (v: Value): Tensor => {
    if (v instanceof Tensor) return v;
    if (isPadded(v)) return materialize(v);
    let t = wrapped.get(v);
    if (!t) {
      t = new Tensor(v.data instanceof Float32Array ? v.data : Float32Array.from(v.data), v.dims);
      wrapped.set(v, t);
    }
    return t;
  };
  const lookup = (name: string): Value | undefined => (name === '' ? undefined : env.get(name) ?? model.initializers.get(name));
  for (const node of model.nodes) {
    const where = `onnx: ${source}: node ${node.name} (${node.opType})`;
    const inputs = node.inputs.map((name) => {
      const v = lookup(name);
      if (name !== '' && v === undefined) throw new Error(`${where}: input "${name}": expected a value computed earlier, got none (the graph is not topologically sorted or is incomplete)`);
      return v;
    });
    let outputs: Value[];
    try {
      const allConst = inputs.every((v) => v === undefined || isConst(v));
      if (FOLDABLE.has(node.opType) && allConst) {
        outputs = foldNode(node.opType, inputs as (ConstTensor | undefined)[], (k) => node.attrs.get(k), model.opset);
      } else {
        const lower = LOWERINGS[node.opType];
        if (!lower) throw new RangeError('expected constant inputs (this operator is only folded), got a computed tensor');
        const ctx: OpContext = {
          node,
          opset: model.opset,
          attr: (k) => node.attrs.get(k),
          value: (i) => inputs[i],
          tensor: (i) => {
            const v = inputs[i];
            if (v === undefined) throw new RangeError(`input ${i}: expected a tensor, got none`);
            return asTensor(v);
          },
          constant: (i, what) => {
            const v = inputs[i];
            if (!isConst(v)) throw new RangeError(what);
            return v;
          },
        };
        outputs = lower(ctx);
      }
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    outputs.forEach((v, i) => node.outputs[i] && env.set(node.outputs[i], v));
  }
  const out = lookup(model.outputs[0].name);
  if (out === undefined) throw new Error(`onnx: ${source}: output "${model.outputs[0].name}": expected a value computed by the graph, got none`);
  return asTensor(out);
}

/** Builds the program of a validated model. */
export function programOf(model: ParsedModel, source: string): OnnxProgram {
  validateModel(model, source);
  return { source, opset: model.opset, input: model.inputs[0], output: model.outputs[0], forward: (x) => run(model, source, x) };
}

/**
 * Loads an ONNX model from a path or bytes (external data is resolved next to the path, or
 * under `baseDir` for bytes).
 * @example const program = loadOnnx('model.onnx'); program.input.dims // ['batch', 3, 224, 224]
 */
export function loadOnnx(source: string | Uint8Array, baseDir?: string): OnnxProgram {
  if (typeof source === 'string') return programOf(readModelFile(source), source);
  return programOf(parseModel(source, `<${source.length} bytes>`, baseDir), `<${source.length} bytes>`);
}

export type { ValueMeta } from './parse.js';
