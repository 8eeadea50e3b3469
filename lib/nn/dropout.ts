/** Dropout layer (torch.nn.Dropout). */
import { num } from '../ops/args.js';
import { dropout } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { generatorFrom, type InitOptions } from './init.js';
import { Module } from './module.js';
import { reshaped, type TraceState } from './trace.js';
import type { Generator } from '../random.js';

/**
 * In training mode zeroes each element with probability p and scales the rest by 1/(1-p);
 * in eval mode it is the identity. Masks come from the layer's seeded generator.
 * @example const drop = new cn.nn.Dropout(0.5, { seed: 1 }); model.eval(); // now a no-op
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator;

  constructor(p = 0.5, options: InitOptions = {}) {
    super();
    this.p = num('Dropout', 'p', p, 0, 1);
    this.generator = generatorFrom('Dropout', options);
  }

  forward(x: Tensor): Tensor {
    if (!this.training) return dropout(x, { p: this.p, training: false });
    return dropout(x, { p: this.p, training: true, seed: this.generator.integer(2 ** 31) });
  }

  protected override inferTrace(input: TraceState): TraceState {
    return reshaped(input, input.shape);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
