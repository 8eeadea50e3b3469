/** Linear: torch.nn.Linear's arguments, defaults, parameter names and initialization. */
import { formatShape, rangeError } from '../errors.js';
import { bool, checkOptions, int } from '../ops/args.js';
import { linear } from '../ops/linear.js';
import type { Generator } from '../random.js';
import { Tensor, checkTensor, zeros } from '../tensor.js';
import { generatorFrom, kaimingUniform, uniform, type InitOptions } from './init.js';
import { Module } from './module.js';
import { reshaped, type TraceState } from './trace.js';

export interface LinearOptions extends InitOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * Fully connected layer y = x W^T + b, weight [out, in] drawn as PyTorch does:
 * U(+-1/sqrt(in)) for weight and bias.
 * @example const fc = new cn.nn.Linear(400, 120, { seed: 0 }); fc.forward(x) // [N, 400] -> [N, 120]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    const op = 'Linear';
    const o = checkOptions(op, options, ['bias', 'generator', 'seed']);
    this.inFeatures = int(op, 'inFeatures', inFeatures, 1);
    this.outFeatures = int(op, 'outFeatures', outFeatures, 1);
    const hasBias = bool(op, 'bias', o.bias ?? true);
    this.weight = this.registerParameter('weight', zeros([this.outFeatures, this.inFeatures]))!;
    this.bias = this.registerParameter('bias', hasBias ? zeros([this.outFeatures]) : null);
    this.resetParameters(generatorFrom(op, options));
  }

  /** PyTorch's reset_parameters: weight kaiming_uniform(a = sqrt(5)), bias U(+-1/sqrt(in)). */
  resetParameters(gen: Generator): void {
    kaimingUniform(this.weight, gen, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      uniform(this.bias, gen, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    checkTensor(this.typeName, 'input', x);
    this.checkInput(x.shape);
    return linear(x, this.weight, this.bias);
  }

  protected override inferTrace(input: TraceState): TraceState {
    this.checkInput(input.shape);
    return reshaped(input, [...input.shape.slice(0, -1), this.outFeatures]);
  }

  override macs(_input: readonly number[], output: readonly number[]): number {
    return output.reduce((a, b) => a * b, 1) * this.inFeatures;
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}${this.bias ? '' : ', bias=false'}`;
  }

  private checkInput(shape: readonly number[]): void {
    if (shape.length < 1 || shape[shape.length - 1] !== this.inFeatures) {
      throw rangeError(this.typeName, 'input', `[..., ${this.inFeatures}] (inFeatures = ${this.inFeatures})`, `shape ${formatShape(shape)}`);
    }
  }
}
