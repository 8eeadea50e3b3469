/**
 * Adam (Kingma & Ba), as PyTorch's torch.optim.Adam (1.13 semantics), with its L2 weight decay
 * added to the gradient; AdamW (adamw.ts) shares this update with decoupled decay instead:
 *
 *   g = grad (negated when maximize) [+ weightDecay * p, Adam only]
 *   p = p * (1 - lr * weightDecay)                               [AdamW only]
 *   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g^2     (m, v start at 0)
 *   vmax = max(vmax, v)                                          [amsgrad]
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
 */
import { rangeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { betasSpec, boolean, nonNegative, Optimizer, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 0.01). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

const SPECS = { lr: nonNegative, betas: betasSpec, eps: nonNegative, weightDecay: nonNegative, amsgrad: boolean, maximize: boolean };

/** The update Adam and AdamW share; they differ in the default and the kind of weight decay. */
export abstract class AdamBase extends Optimizer<AdamOptions> {
  protected constructor(
    name: string,
    params: ParamsArg<AdamOptions>,
    options: Partial<AdamOptions>,
    defaultDecay: number,
    /** True for AdamW: decay the weights directly instead of adding decay to the gradient. */
    private readonly decoupledDecay: boolean,
  ) {
    if (options === null || typeof options !== 'object') throw rangeError(name, 'options', 'an object', String(options));
    super(name, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: defaultDecay, amsgrad: false, maximize: false, ...options }, SPECS);
    for (const g of this.paramGroups) g.betas = [...g.betas] as [number, number];
  }

  /** @example opt.step(); // after loss.backward() */
  step(): void {
    this.paramGroups.forEach((group, gi) => {
      const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
      const [beta1, beta2] = betas;
      group.params.forEach((p, pi) => {
        const grad = this.gradOf(p, `paramGroups[${gi}].params[${pi}]`);
        if (!grad) return;
        const w = p.data;
        const n = w.length;
        const state = this.stateOf(p);
        if (state.step === undefined) {
          state.step = 0;
          state.expAvg = new Tensor(new Float32Array(n), p.shape);
          state.expAvgSq = new Tensor(new Float32Array(n), p.shape);
          if (amsgrad) state.maxExpAvgSq = new Tensor(new Float32Array(n), p.shape);
        }
        if (amsgrad && !state.maxExpAvgSq) state.maxExpAvgSq = new Tensor(new Float32Array(n), p.shape);
        const t = (state.step as number) + 1;
        state.step = t;
        const m = (state.expAvg as Tensor).data;
        const v = (state.expAvgSq as Tensor).data;
        const vmax = amsgrad ? (state.maxExpAvgSq as Tensor).data : null;
        const sign = maximize ? -1 : 1;
        const decayToGrad = !this.decoupledDecay && weightDecay !== 0;
        if (this.decoupledDecay && weightDecay !== 0) {
          const scale = 1 - lr * weightDecay;
          for (let i = 0; i < n; i++) w[i] = w[i] * scale;
        }
        const stepSize = lr / (1 - beta1 ** t);
        const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
        for (let i = 0; i < n; i++) {
          const g = Math.fround(decayToGrad ? sign * grad[i] + weightDecay * w[i] : sign * grad[i]);
          m[i] = Math.fround(m[i] * beta1) + (1 - beta1) * g;
          v[i] = Math.fround(v[i] * beta2) + Math.fround((1 - beta2) * Math.fround(g * g));
          let second = v[i];
          if (vmax) {
            if (v[i] > vmax[i]) vmax[i] = v[i];
            second = vmax[i];
          }
          const denom = Math.fround(Math.fround(Math.sqrt(second)) / bc2Sqrt) + eps;
          w[i] = w[i] - stepSize * Math.fround(m[i] / Math.fround(denom));
        }
      });
    });
  }
}

export class Adam extends AdamBase {
  /**
   * @example const opt = new cn.optim.Adam(model.parameters(), { lr: 1e-3 });
   */
  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, options, 0, false);
  }
}
