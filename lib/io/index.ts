/**
 * cn.io: safetensors files (read and written here) and atomic writes.
 * @example cn.io.saveSafetensors('w.safetensors', { w: cn.ones([2]) });
 */
export {
  serializeSafetensors, parseSafetensors, saveSafetensors, loadSafetensors, writeFileAtomic, toFloat32Tensor, DTYPE_SIZES,
  type Dtype, type RawTensor, type SafetensorsContent,
} from './safetensors.js';
export { save, load } from './checkpoint.js';
