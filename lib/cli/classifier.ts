/**
 * An image classifier for the CLI: an ONNX model in an InferenceSession, the preprocessing its
 * input size implies, labels, and top-k. `classify` and `serve` both use it.
 */
import { readFileSync } from 'node:fs';
import { loadImage, type ImageOptions } from '../io/image.js';
import { InferenceSession } from '../session/inference-session.js';

export interface ClassifierOptions {
  model: string;
  /** A text file with one label per line (line i names class i). */
  labels?: string;
  /** Preprocessing; the crop defaults to the model's input size (else 224), resize to crop * 256/224. */
  image?: ImageOptions;
}

export interface Prediction {
  rank: number;
  index: number;
  label: string;
  probability: number;
}

export interface Classifier {
  session: InferenceSession;
  labels: string[] | null;
  image: ImageOptions;
  /** Top-k classes of one image (path or bytes). */
  classify(source: string | Uint8Array, top: number): Promise<Prediction[]>;
}

/** Softmax unless the output already is a distribution (a model ending in Softmax). */
export function probabilities(out: Float32Array): Float64Array {
  let sum = 0;
  let nonNegative = true;
  for (const v of out) {
    sum += v;
    if (!(v >= 0)) nonNegative = false;
  }
  if (nonNegative && Math.abs(sum - 1) < 1e-3) return Float64Array.from(out);
  const max = out.reduce((m, v) => Math.max(m, v), -Infinity);
  const e = Float64Array.from(out, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** The k most probable classes, best first (ties by index). */
export function topK(probs: Float64Array, k: number, labels: string[] | null): Prediction[] {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  return order.slice(0, Math.min(k, probs.length)).map((index, i) => ({ rank: i + 1, index, label: labels?.[index] ?? `class ${index}`, probability: probs[index] }));
}

function readLabels(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`classify: --labels: cannot read ${file}: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((l) => l.trim());
}

/**
 * Loads the model (and labels) once; classify() then runs one image at a time.
 * @example const c = await createClassifier({ model: 'resnet18.onnx' }); console.log(await c.classify('cat.jpg', 5));
 */
export async function createClassifier(options: ClassifierOptions): Promise<Classifier> {
  const session = await InferenceSession.create(options.model);
  const dims = session.inputMetadata[0].shape;
  if (dims.length !== 4 || (typeof dims[1] === 'number' && dims[1] !== 3)) {
    throw new Error(`classify: --model: expected an image classifier with input [N, 3, H, W], got input ${session.inputNames[0]} [${dims.join(', ')}]`);
  }
  const side = typeof dims[2] === 'number' && dims[2] === dims[3] ? dims[2] : 224;
  const image: ImageOptions = { crop: side, resize: Math.round((side * 256) / 224), ...options.image };
  // Compile the batch-1 plan now, so that the first image (or request) does not pay for it.
  if ((dims[0] === 1 || typeof dims[0] === 'string') && typeof dims[1] === 'number' && image.crop) session.describe([1, dims[1], image.crop, image.crop]);
  const labels = options.labels ? readLabels(options.labels) : null;
  const outDims = session.outputMetadata[0].shape;
  const classes = outDims[outDims.length - 1];
  if (labels && typeof classes === 'number' && labels.length !== classes) {
    throw new Error(`classify: --labels: expected ${classes} lines (one per class of the model), got ${labels.length} in ${options.labels}`);
  }
  return {
    session,
    labels,
    image,
    async classify(source, top) {
      const x = await loadImage(source, image);
      const y = await session.run(x);
      return topK(probabilities(y.data), top, labels);
    },
  };
}
