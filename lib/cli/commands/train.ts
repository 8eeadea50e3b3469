/** `convnode train` (what `npm start` runs): trains a CNN on Fashion-MNIST; see ../train/run.ts. */
import { type Command, Option } from 'commander';
import { trainModelNames } from '../../train/models.js';
import { AUGMENTATIONS, DEFAULTS, OPTIMIZERS, SCHEDULERS, parseIntAtLeast, parseInteger, parseNumberAtLeast, type TrainCommandOptions } from '../train/options.js';
import { runTrain } from '../train/run.js';

/** Adds `train` to the program. @example registerTrain(new Command('convnode')) */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a CNN on Fashion-MNIST (default: LeNet-5 on the shipped subset): progress, curves (SVG, PNG), checkpoint, predictions')
    .addOption(new Option('-m, --model <name>', 'model').choices(trainModelNames()).default(DEFAULTS.model))
    .option('-e, --epochs <n>', 'total epochs (a resumed run counts the checkpoint\'s)', parseIntAtLeast(1), DEFAULTS.epochs)
    .option('-b, --batch-size <n>', 'training batch size', parseIntAtLeast(1), DEFAULTS.batchSize)
    .option('--lr <x>', 'learning rate (default 0.01 for sgd, 0.001 for adam/adamw)', parseNumberAtLeast(0, true))
    .option('--momentum <x>', 'SGD momentum (default 0.9)', parseNumberAtLeast(0))
    .option('--weight-decay <x>', 'weight decay (L2 for sgd/adam, decoupled for adamw)', parseNumberAtLeast(0), DEFAULTS.weightDecay)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default(DEFAULTS.optimizer))
    .addOption(new Option('--scheduler <name>', 'LR schedule: step (x0.1 at 1/3 and 2/3), cosine (to 0), plateau (x0.1 after 2 epochs without gain)').choices(SCHEDULERS).default(DEFAULTS.scheduler))
    .addOption(new Option('--augment [kind]', 'augmentation: flip (horizontal), crop (random, padding 2) or both (a bare --augment)').choices(AUGMENTATIONS).preset('both').default(DEFAULTS.augment))
    .option('-t, --threads <n>', 'native threads', parseIntAtLeast(1), DEFAULTS.threads)
    .option('--seed <n>', 'seed of the weights, the shuffling and the augmentation', parseInteger, DEFAULTS.seed)
    .option('-o, --out <dir>', 'where the checkpoint, curves and history go', DEFAULTS.out)
    .option('-d, --data <dir>', 'a folder with the four Fashion-MNIST IDX files (e.g. /usr/share/datasets/fashion-mnist); default: the shipped subset')
    .option('--resume <checkpoint>', 'continue the run saved in this checkpoint (same flags; --epochs is the total)')
    .option('--json', 'print one JSON line per epoch { epoch, trainLoss, testAccuracy, imagesPerSecond } and nothing else on stdout', DEFAULTS.json)
    .option('--stop-after <epoch>', 'stop after this epoch, the schedule still planned for --epochs (continue with --resume)', parseIntAtLeast(1))
    .option('--limit <n>', 'use only the first n training and test images', parseIntAtLeast(1))
    .option('--predictions <n>', 'test images to classify at the end', parseIntAtLeast(0), DEFAULTS.predictions)
    .action(async (opts: TrainCommandOptions) => {
      await runTrain(opts);
    });
}
