/**
 * cn.onnx: write models as ONNX files (import goes through cn.InferenceSession.create(path)).
 * @example cn.onnx.save(cn.models.resnet18(), 'resnet18.onnx', { inputShape: [1, 3, 224, 224] });
 */
export { save, toBytes, type OnnxExportOptions } from './export.js';
export { loadOnnx, type OnnxProgram } from './import/index.js';
