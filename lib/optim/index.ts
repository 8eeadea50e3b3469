/**
 * cn.optim: optimizers with PyTorch's update rules, and LR schedulers (cn.optim.lrScheduler).
 * @example
 * const opt = new cn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * const sched = new cn.optim.lrScheduler.StepLR(opt, { stepSize: 10, gamma: 0.1 });
 */
export { Optimizer, type ParamGroup, type ParamsArg, type OptimizerStateDict, type StateValue } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export * as lrScheduler from './lr-scheduler.js';
