/** `convnode classify --model m.onnx [--labels labels.txt] [--top 5] img...`: top-k classes per image. */
import { type Command, InvalidArgumentError } from 'commander';
import { createClassifier, type Prediction } from '../classifier.js';

export interface ClassifyCommandOptions {
  model: string;
  labels?: string;
  top: number;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, got "${value}"`);
  return n;
}

/** One block: the image name, then one line per class ("  1. tabby cat  0.8123"). */
export function formatBlock(name: string, predictions: readonly Prediction[]): string {
  const width = Math.max(...predictions.map((p) => p.label.length));
  return [name, ...predictions.map((p) => `  ${p.rank}. ${p.label.padEnd(width)}  ${p.probability.toFixed(4)}`)].join('\n');
}

/**
 * Classifies each image; a file that fails is reported in its block (and sets exit code 1)
 * without stopping the others.
 * @example await classifyImages(['cat.jpg'], { model: 'resnet18.onnx', top: 5 }, (s) => process.stdout.write(s));
 */
export async function classifyImages(images: readonly string[], options: ClassifyCommandOptions, write: (s: string) => void): Promise<number> {
  const classifier = await createClassifier({ model: options.model, labels: options.labels });
  let failures = 0;
  for (const [i, image] of images.entries()) {
    let block: string;
    try {
      block = formatBlock(image, await classifier.classify(image, options.top));
    } catch (e) {
      failures++;
      block = `${image}\n  error: ${(e as Error).message}`;
    }
    write(`${i > 0 ? '\n' : ''}${block}\n`);
  }
  classifier.session.release();
  return failures;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('print the top-k classes of each image under an ONNX image classifier')
    .requiredOption('-m, --model <file>', 'ONNX model with input [N, 3, H, W] (e.g. exported from torchvision)')
    .option('-l, --labels <file>', 'class names, one per line')
    .option('-k, --top <k>', 'how many classes to print per image', parsePositiveInt, 5)
    .argument('<images...>', 'JPEG, PNG or WebP files')
    .action(async (images: string[], opts: ClassifyCommandOptions) => {
      const failures = await classifyImages(images, opts, (s) => process.stdout.write(s));
      if (failures > 0) process.exitCode = 1;
    });
}
