/**
 * cn.data: IDX files (MNIST / Fashion-MNIST), datasets, a seeded DataLoader and augmentation.
 * @example
 * const { train } = cn.data.loadFashionMnist();
 * const loader = new cn.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
 */
export { readIdx, type IdxArray, type IdxType, type IdxData } from './idx.js';
export { TensorDataset, ImageDataset, type Dataset, type Sample } from './dataset.js';
export { loadIdxDataset, loadFashionMnist, defaultFashionMnistDir, FASHION_MNIST_CLASSES } from './idx-dataset.js';
export { DataLoader, type DataLoaderOptions, type Batch } from './dataloader.js';
export * as transforms from './transforms.js';
