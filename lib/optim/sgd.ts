/**
 * Stochastic gradient descent with momentum, as PyTorch's torch.optim.SGD (1.13 semantics):
 *
 *   g = grad (negated when maximize) + weightDecay * p
 *   b = g at a parameter's first step, else momentum * b + (1 - dampening) * g
 *   g = nesterov ? g + momentum * b : b          (when momentum != 0)
 *   p = p - lr * g
 *
 * The lecture's AlexNet recipe: `new SGD(params, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 })`.
 */
import { rangeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { boolean, nonNegative, Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate (required: PyTorch has no default either). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Dampening of the gradient added to the momentum buffer (default 0). */
  dampening: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  /**
   * @example
   * const opt = new cn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
   * opt.zeroGrad(); loss.backward(); opt.step();
   */
  constructor(params: ParamsArg<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    if (options === null || typeof options !== 'object' || options.lr === undefined) {
      throw rangeError('SGD', 'options.lr', 'a learning rate (a finite number >= 0)', options === null || typeof options !== 'object' ? String(options) : 'no lr');
    }
    super('SGD', params, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, ...options }, {
      lr: nonNegative,
      momentum: nonNegative,
      dampening: nonNegative,
      nesterov: boolean,
      weightDecay: nonNegative,
      maximize: boolean,
    });
  }

  protected override validateGroup(group: ParamGroup<SGDOptions>, where: string): void {
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw rangeError('SGD', `${where}.nesterov`, 'momentum > 0 and dampening 0 with nesterov', `momentum ${group.momentum}, dampening ${group.dampening}`);
    }
  }

  /** @example opt.step(); // after loss.backward() */
  step(): void {
    this.paramGroups.forEach((group, gi) => {
      const { lr, momentum, dampening, nesterov, weightDecay, maximize } = group;
      group.params.forEach((p, pi) => {
        const grad = this.gradOf(p, `paramGroups[${gi}].params[${pi}]`);
        if (!grad) return;
        const w = p.data;
        const n = w.length;
        const sign = maximize ? -1 : 1;
        // One fused pass per parameter, no temporary arrays (this runs every step). d is the
        // effective gradient, rounded to float32 as PyTorch's float tensors are.
        if (momentum === 0) {
          for (let i = 0; i < n; i++) w[i] = w[i] - lr * Math.fround(weightDecay !== 0 ? sign * grad[i] + weightDecay * w[i] : sign * grad[i]);
          return;
        }
        const state = this.stateOf(p);
        const first = state.momentumBuffer === undefined;
        if (first) state.momentumBuffer = new Tensor(new Float32Array(n), p.shape);
        const b = (state.momentumBuffer as Tensor).data;
        const keep = 1 - dampening;
        for (let i = 0; i < n; i++) {
          const d = Math.fround(weightDecay !== 0 ? sign * grad[i] + weightDecay * w[i] : sign * grad[i]);
          // PyTorch initializes the buffer to the first gradient (no dampening on that step).
          b[i] = first ? d : Math.fround(b[i] * momentum) + keep * d;
          w[i] = w[i] - lr * (nesterov ? Math.fround(d + momentum * b[i]) : b[i]);
        }
      });
    });
  }
}
