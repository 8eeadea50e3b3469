/**
 * cn.train: a reusable training loop (fit / evaluate), the models `convnode train` builds, and
 * the loss / accuracy curves as SVG and PNG.
 * @example
 * const history = await cn.train.fit(model, { trainLoader, testLoader, optimizer, epochs: 5 });
 * fs.writeFileSync('curves.svg', cn.train.curvesSvg(history));
 */
export { fit, type FitOptions, type EpochResult, type BatchProgress, type Scheduler } from './fit.js';
export { evaluate, argmaxRows, type Evaluation, type EvaluateOptions } from './evaluate.js';
export { lenet5Train, lenet5Bn, trainModel, trainModelNames, FeatureClassifier, type TrainModelEntry, type TrainModelOptions } from './models.js';
export { datasetStats } from './stats.js';
export { curvesLayout, niceTicks, type CurvePoint, type Figure } from './plot/layout.js';
export { curvesSvg } from './plot/svg.js';
export { curvesPng } from './plot/png.js';
