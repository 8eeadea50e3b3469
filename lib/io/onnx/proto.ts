/**
 * The ONNX protobuf schema (onnx-proto's generated protobufjs code), loaded once. onnx-proto is
 * CommonJS, so it is required rather than imported; its types come with it.
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';

const require = createRequire(import.meta.url);

/** onnx.ModelProto, onnx.GraphProto, ... with encode/decode. */
export const onnx: typeof OnnxNamespace = (require('onnx-proto') as { onnx: typeof OnnxNamespace }).onnx;
export type { OnnxNamespace };
