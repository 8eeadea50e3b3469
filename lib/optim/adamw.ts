/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, as PyTorch's torch.optim.AdamW
 * (default weightDecay 0.01): `p = p * (1 - lr * weightDecay)` before the Adam step, instead of
 * adding `weightDecay * p` to the gradient. The update itself lives in adam.ts.
 */
import { AdamBase, type AdamOptions } from './adam.js';
import type { ParamsArg } from './optimizer.js';

export class AdamW extends AdamBase {
  /**
   * @example const opt = new cn.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
   */
  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, options, 0.01, true);
  }
}
