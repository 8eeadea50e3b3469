/**
 * Up-front checks of an imported model: every operator, attribute value and dtype we cannot run
 * is collected (with its node's name), so that one Error lists them all instead of the first.
 */
import { FOLDABLE } from './fold.js';
import type { ConstTensor, ParsedModel, ParsedNode } from './parse.js';

/** Operators lowered to convnode ops (besides the constant-folded ones). */
export const LOWERED = new Set([
  'Conv', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'MaxPool',
  'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization', 'LRN', 'Concat', 'Flatten', 'Reshape',
  'Dropout', 'Softmax', 'LogSoftmax', 'Pad', 'Identity', 'Constant', 'Shape', 'Squeeze', 'Unsqueeze',
]);

const AUTO_PADS = new Set(['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);

/** A constant known without running anything: an initializer or a Constant node's value. */
function staticConst(model: ParsedModel, name: string): ConstTensor | undefined {
  const init = model.initializers.get(name);
  if (init) return init;
  const producer = model.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === name);
  const v = producer?.attrs.get('value');
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** Min and max of a Clip node when they are known statically (undefined: unbounded). */
export function clipBounds(model: ParsedModel, node: ParsedNode): { min?: number; max?: number; known: boolean } {
  if (model.opset < 11) return { min: node.attrs.get('min') as number | undefined, max: node.attrs.get('max') as number | undefined, known: true };
  const bound = (i: number): { value?: number; known: boolean } => {
    const name = node.inputs[i];
    if (!name) return { known: true };
    const t = staticConst(model, name);
    return t ? { value: t.data[0], known: true } : { known: false };
  };
  const lo = bound(1);
  const hi = bound(2);
  return { min: lo.value, max: hi.value, known: lo.known && hi.known };
}

function nodeProblems(model: ParsedModel, n: ParsedNode): string[] {
  const out: string[] = [];
  const where = `node ${n.name} (${n.opType})`;
  const attr = (k: string): unknown => n.attrs.get(k);
  const expect = (ok: boolean, what: string, expected: string, got: unknown): void => {
    if (!ok) out.push(`${where}: ${what}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (n.domain && n.domain !== 'ai.onnx') {
    out.push(`${where}: domain: expected the default ONNX domain, got "${n.domain}"`);
    return out;
  }
  if (!LOWERED.has(n.opType) && !FOLDABLE.has(n.opType)) {
    out.push(`${where}: operator not supported`);
    return out;
  }
  const kernel = attr('kernel_shape') as number[] | undefined;
  switch (n.opType) {
    case 'Conv':
    case 'MaxPool':
    case 'AveragePool':
      expect(kernel === undefined || kernel.length === 2, 'kernel_shape', 'a 2-D kernel', kernel);
      expect(AUTO_PADS.has((attr('auto_pad') as string | undefined) ?? 'NOTSET'), 'auto_pad', 'NOTSET, SAME_UPPER, SAME_LOWER or VALID', attr('auto_pad'));
      if (n.opType === 'MaxPool') {
        expect(((attr('storage_order') as number | undefined) ?? 0) === 0, 'storage_order', '0 (row major)', attr('storage_order'));
        expect(n.outputs.length < 2 || n.outputs[1] === '', 'outputs', 'one output (no Indices)', n.outputs.length);
      }
      if (n.opType !== 'Conv') expect(kernel !== undefined, 'kernel_shape', 'a kernel_shape attribute', undefined);
      break;
    case 'Gemm':
      expect(((attr('transA') as number | undefined) ?? 0) === 0, 'transA', '0', attr('transA'));
      break;
    case 'BatchNormalization':
      expect(((attr('training_mode') as number | undefined) ?? 0) === 0, 'training_mode', '0 (inference)', attr('training_mode'));
      expect(((attr('spatial') as number | undefined) ?? 1) === 1, 'spatial', '1', attr('spatial'));
      expect(n.outputs.filter((o) => o !== '').length === 1, 'outputs', 'one output (inference mode)', n.outputs.length);
      break;
    case 'Clip': {
      const b = clipBounds(model, n);
      if (b.known) {
        const relu = b.min === 0 && (b.max === undefined || b.max === Infinity);
        const relu6 = b.min === 0 && b.max === 6;
        expect(relu || relu6, 'min/max', '[0, 6] (ReLU6) or [0, +inf) (ReLU)', [b.min ?? null, b.max ?? null]);
      }
      break;
    }
    case 'Pad': {
      const mode = (attr('mode') as string | undefined) ?? 'constant';
      expect(mode === 'constant', 'mode', '"constant"', mode);
      break;
    }
    case 'Reshape':
      expect(((attr('allowzero') as number | undefined) ?? 0) === 0, 'allowzero', '0', attr('allowzero'));
      break;
    default:
      break;
  }
  return out;
}

/**
 * Throws one Error listing every unsupported operator, attribute, dtype, and input/output
 * layout of the model; returns quietly when it can be imported.
 */
export function validateModel(model: ParsedModel, source: string): void {
  const problems: string[] = [...model.dtypeProblems];
  if (model.inputs.length !== 1) problems.push(`graph inputs: expected exactly one input tensor, got ${model.inputs.length} (${model.inputs.map((i) => i.name).join(', ')})`);
  if (model.outputs.length !== 1) problems.push(`graph outputs: expected exactly one output tensor, got ${model.outputs.length} (${model.outputs.map((o) => o.name).join(', ')})`);
  for (const v of [...model.inputs, ...model.outputs]) {
    if (v.elemType !== 'FLOAT') problems.push(`graph value ${v.name}: dtype: expected FLOAT, got ${v.elemType}`);
  }
  for (const n of model.nodes) problems.push(...nodeProblems(model, n));
  if (problems.length > 0) {
    throw new Error(`onnx: ${source}: cannot import ${problems.length} thing(s):\n  - ${problems.join('\n  - ')}`);
  }
}
