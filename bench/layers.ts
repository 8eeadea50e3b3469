/**
 * The convolution and pooling layers the suite measures, as data.
 *
 * Provenance: the torchvision (0.14) definitions of each model at 224x224 input, which is what
 * the zoo (cn.models) mirrors and what the anchors' ONNX exports were made from:
 * - VGG-16: Simonyan & Zisserman 2014, configuration D (torchvision `vgg16`, no batch norm).
 * - AlexNet: torchvision's `alexnet` (the single-GPU variant of Krizhevsky 2014 "One weird
 *   trick": 64-192-384-256-256 channels, 11x11/s4/p2 first layer on 224x224).
 * - ResNet-50: He et al. 2015, torchvision `resnet50` (v1.5: the stride-2 sits on the 3x3).
 * - MobileNetV2: Sandler et al. 2018, torchvision `mobilenet_v2`, width 1.0.
 * Each row is one distinct shape; `at` lists every module (state-dict name) with that shape, so
 * `count` weights the row when summing a whole model. The FLOP totals (see the test) match the
 * anchors' per-model counts: VGG-16 30.693, AlexNet 1.311, ResNet-50 8.174, MobileNetV2 0.599
 * GFLOP of convolution per image.
 */

export type ModelName = 'vgg16' | 'alexnet' | 'resnet50' | 'mobilenet_v2';

/** [module names, Cin, input H = W, Cout, kernel (square), stride, padding (all sides), groups] */
type Row = [readonly string[], number, number, number, number, number, number, number];

export interface ConvLayer {
  model: ModelName;
  /** Short shape label, e.g. "3x3 64>64 @56" or "3x3/s2 dw 96 @112". */
  label: string;
  /** Unique id: model + first module name. */
  id: string;
  at: readonly string[];
  count: number;
  cin: number; h: number; w: number;
  cout: number; k: number; stride: number; pad: number; groups: number;
  outH: number; outW: number;
}

const ROWS: Record<ModelName, Row[]> = {
  vgg16: [
    [['features.0'], 3, 224, 64, 3, 1, 1, 1],
    [['features.2'], 64, 224, 64, 3, 1, 1, 1],
    [['features.5'], 64, 112, 128, 3, 1, 1, 1],
    [['features.7'], 128, 112, 128, 3, 1, 1, 1],
    [['features.10'], 128, 56, 256, 3, 1, 1, 1],
    [['features.12', 'features.14'], 256, 56, 256, 3, 1, 1, 1],
    [['features.17'], 256, 28, 512, 3, 1, 1, 1],
    [['features.19', 'features.21'], 512, 28, 512, 3, 1, 1, 1],
    [['features.24', 'features.26', 'features.28'], 512, 14, 512, 3, 1, 1, 1],
  ],
  alexnet: [
    [['features.0'], 3, 224, 64, 11, 4, 2, 1],
    [['features.3'], 64, 27, 192, 5, 1, 2, 1],
    [['features.6'], 192, 13, 384, 3, 1, 1, 1],
    [['features.8'], 384, 13, 256, 3, 1, 1, 1],
    [['features.10'], 256, 13, 256, 3, 1, 1, 1],
  ],
  resnet50: [
    [['conv1'], 3, 224, 64, 7, 2, 3, 1],
    [['layer1.0.conv1'], 64, 56, 64, 1, 1, 0, 1],
    [['layer1.0.conv2', 'layer1.1.conv2', 'layer1.2.conv2'], 64, 56, 64, 3, 1, 1, 1],
    [['layer1.0.conv3', 'layer1.0.downsample.0', 'layer1.1.conv3', 'layer1.2.conv3'], 64, 56, 256, 1, 1, 0, 1],
    [['layer1.1.conv1', 'layer1.2.conv1'], 256, 56, 64, 1, 1, 0, 1],
    [['layer2.0.conv1'], 256, 56, 128, 1, 1, 0, 1],
    [['layer2.0.conv2'], 128, 56, 128, 3, 2, 1, 1],
    [['layer2.0.conv3', 'layer2.1.conv3', 'layer2.2.conv3', 'layer2.3.conv3'], 128, 28, 512, 1, 1, 0, 1],
    [['layer2.0.downsample.0'], 256, 56, 512, 1, 2, 0, 1],
    [['layer2.1.conv1', 'layer2.2.conv1', 'layer2.3.conv1'], 512, 28, 128, 1, 1, 0, 1],
    [['layer2.1.conv2', 'layer2.2.conv2', 'layer2.3.conv2'], 128, 28, 128, 3, 1, 1, 1],
    [['layer3.0.conv1'], 512, 28, 256, 1, 1, 0, 1],
    [['layer3.0.conv2'], 256, 28, 256, 3, 2, 1, 1],
    [['layer3.0.conv3', 'layer3.1.conv3', 'layer3.2.conv3', 'layer3.3.conv3', 'layer3.4.conv3', 'layer3.5.conv3'], 256, 14, 1024, 1, 1, 0, 1],
    [['layer3.0.downsample.0'], 512, 28, 1024, 1, 2, 0, 1],
    [['layer3.1.conv1', 'layer3.2.conv1', 'layer3.3.conv1', 'layer3.4.conv1', 'layer3.5.conv1'], 1024, 14, 256, 1, 1, 0, 1],
    [['layer3.1.conv2', 'layer3.2.conv2', 'layer3.3.conv2', 'layer3.4.conv2', 'layer3.5.conv2'], 256, 14, 256, 3, 1, 1, 1],
    [['layer4.0.conv1'], 1024, 14, 512, 1, 1, 0, 1],
    [['layer4.0.conv2'], 512, 14, 512, 3, 2, 1, 1],
    [['layer4.0.conv3', 'layer4.1.conv3', 'layer4.2.conv3'], 512, 7, 2048, 1, 1, 0, 1],
    [['layer4.0.downsample.0'], 1024, 14, 2048, 1, 2, 0, 1],
    [['layer4.1.conv1', 'layer4.2.conv1'], 2048, 7, 512, 1, 1, 0, 1],
    [['layer4.1.conv2', 'layer4.2.conv2'], 512, 7, 512, 3, 1, 1, 1],
  ],
  mobilenet_v2: [
    [['features.0.0'], 3, 224, 32, 3, 2, 1, 1],
    [['features.1.conv.0.0'], 32, 112, 32, 3, 1, 1, 32],
    [['features.1.conv.1'], 32, 112, 16, 1, 1, 0, 1],
    [['features.2.conv.0.0'], 16, 112, 96, 1, 1, 0, 1],
    [['features.2.conv.1.0'], 96, 112, 96, 3, 2, 1, 96],
    [['features.2.conv.2'], 96, 56, 24, 1, 1, 0, 1],
    [['features.3.conv.0.0', 'features.4.conv.0.0'], 24, 56, 144, 1, 1, 0, 1],
    [['features.3.conv.1.0'], 144, 56, 144, 3, 1, 1, 144],
    [['features.3.conv.2'], 144, 56, 24, 1, 1, 0, 1],
    [['features.4.conv.1.0'], 144, 56, 144, 3, 2, 1, 144],
    [['features.4.conv.2'], 144, 28, 32, 1, 1, 0, 1],
    [['features.5.conv.0.0', 'features.6.conv.0.0', 'features.7.conv.0.0'], 32, 28, 192, 1, 1, 0, 1],
    [['features.5.conv.1.0', 'features.6.conv.1.0'], 192, 28, 192, 3, 1, 1, 192],
    [['features.5.conv.2', 'features.6.conv.2'], 192, 28, 32, 1, 1, 0, 1],
    [['features.7.conv.1.0'], 192, 28, 192, 3, 2, 1, 192],
    [['features.7.conv.2'], 192, 14, 64, 1, 1, 0, 1],
    [['features.8.conv.0.0', 'features.9.conv.0.0', 'features.10.conv.0.0', 'features.11.conv.0.0'], 64, 14, 384, 1, 1, 0, 1],
    [['features.8.conv.1.0', 'features.9.conv.1.0', 'features.10.conv.1.0', 'features.11.conv.1.0'], 384, 14, 384, 3, 1, 1, 384],
    [['features.8.conv.2', 'features.9.conv.2', 'features.10.conv.2'], 384, 14, 64, 1, 1, 0, 1],
    [['features.11.conv.2'], 384, 14, 96, 1, 1, 0, 1],
    [['features.12.conv.0.0', 'features.13.conv.0.0', 'features.14.conv.0.0'], 96, 14, 576, 1, 1, 0, 1],
    [['features.12.conv.1.0', 'features.13.conv.1.0'], 576, 14, 576, 3, 1, 1, 576],
    [['features.12.conv.2', 'features.13.conv.2'], 576, 14, 96, 1, 1, 0, 1],
    [['features.14.conv.1.0'], 576, 14, 576, 3, 2, 1, 576],
    [['features.14.conv.2'], 576, 7, 160, 1, 1, 0, 1],
    [['features.15.conv.0.0', 'features.16.conv.0.0', 'features.17.conv.0.0'], 160, 7, 960, 1, 1, 0, 1],
    [['features.15.conv.1.0', 'features.16.conv.1.0', 'features.17.conv.1.0'], 960, 7, 960, 3, 1, 1, 960],
    [['features.15.conv.2', 'features.16.conv.2'], 960, 7, 160, 1, 1, 0, 1],
    [['features.17.conv.2'], 960, 7, 320, 1, 1, 0, 1],
    [['features.18.0'], 320, 7, 1280, 1, 1, 0, 1],
  ],
};

function shapeLabel(cin: number, h: number, cout: number, k: number, stride: number, groups: number): string {
  const s = stride > 1 ? `/s${stride}` : '';
  if (groups === cin && groups === cout && groups > 1) return `${k}x${k}${s} dw ${cin} @${h}`;
  const g = groups > 1 ? ` g${groups}` : '';
  return `${k}x${k}${s}${g} ${cin}>${cout} @${h}`;
}

function toLayer(model: ModelName, row: Row): ConvLayer {
  const [at, cin, h, cout, k, stride, pad, groups] = row;
  const out = Math.floor((h + 2 * pad - k) / stride) + 1;
  return {
    model, at, count: at.length, cin, h, w: h, cout, k, stride, pad, groups, outH: out, outW: out,
    label: shapeLabel(cin, h, cout, k, stride, groups),
    id: `${model}/${at[0]}`,
  };
}

/** Every distinct conv layer of VGG-16, AlexNet, ResNet-50 and MobileNetV2, in network order. */
export const CONV_LAYERS: readonly ConvLayer[] = (Object.keys(ROWS) as ModelName[]).flatMap((m) =>
  ROWS[m].map((r) => toLayer(m, r)),
);

/**
 * The --quick subset: the anchors' single-layer set (peers-native.md section 4), one layer of
 * each kind: the four fixed-work 3x3 stride-1 layers, a bottleneck 1x1, the 7x7/s2 and 11x11/s4
 * stems and a depthwise 3x3.
 */
export const QUICK_LAYER_IDS: readonly string[] = [
  'resnet50/layer1.0.conv2', // 3x3 64>64 @56
  'resnet50/layer2.1.conv2', // 3x3 128>128 @28
  'resnet50/layer3.1.conv2', // 3x3 256>256 @14
  'resnet50/layer4.1.conv2', // 3x3 512>512 @7
  'resnet50/layer1.1.conv1', // 1x1 256>64 @56
  'resnet50/conv1', // 7x7/s2 3>64 @224
  'alexnet/features.0', // 11x11/s4 3>64 @224
  'mobilenet_v2/features.1.conv.0.0', // 3x3 dw 32 @112
];

/** Multiply-adds x 2 of one image through the layer (the usual "FLOPs" of a convolution). */
export function convFlops(l: ConvLayer, batch = 1): number {
  return 2 * batch * l.cout * l.outH * l.outW * (l.cin / l.groups) * l.k * l.k;
}

export interface PoolLayer {
  id: string;
  label: string;
  at: string;
  c: number; h: number; k: number; stride: number; pad: number;
  outH: number;
}

function pool(at: string, c: number, h: number, k: number, stride: number, pad: number): PoolLayer {
  const outH = Math.floor((h + 2 * pad - k) / stride) + 1;
  const p = pad ? `/p${pad}` : '';
  return { id: at, label: `max ${k}x${k}/s${stride}${p} ${c} @${h}`, at, c, h, k, stride, pad, outH };
}

/** Max-pool layers of the same models: 3x3/s2 (ResNet, AlexNet) and 2x2/s2 (VGG). */
export const POOL_LAYERS: readonly PoolLayer[] = [
  pool('resnet50/maxpool', 64, 112, 3, 2, 1),
  pool('alexnet/features.2', 64, 55, 3, 2, 0),
  pool('alexnet/features.5', 192, 27, 3, 2, 0),
  pool('alexnet/features.12', 256, 13, 3, 2, 0),
  pool('vgg16/features.4', 64, 224, 2, 2, 0),
  pool('vgg16/features.9', 128, 112, 2, 2, 0),
  pool('vgg16/features.16', 256, 56, 2, 2, 0),
  pool('vgg16/features.23', 512, 28, 2, 2, 0),
  pool('vgg16/features.30', 512, 14, 2, 2, 0),
];

/** The --quick pool subset: one of each window. */
export const QUICK_POOL_IDS: readonly string[] = ['resnet50/maxpool', 'vgg16/features.4'];

/** Comparisons per output element (k*k) x outputs: the "GFLOP/s" of a max pool row. */
export function poolOps(p: PoolLayer, batch = 1): number {
  return batch * p.c * p.outH * p.outH * p.k * p.k;
}

export interface GemmShape {
  label: string;
  m: number; n: number; k: number;
}

/**
 * Square SGEMMs and the conv-shaped GEMMs of the anchors (ResNet's im2col GEMMs:
 * conv2_x 64x3136x576, conv4_x 256x196x2304, conv5_x 512x49x4608).
 */
export const GEMM_SHAPES: readonly GemmShape[] = [
  ...[256, 512, 1024, 2048].map((s) => ({ label: `${s}^3`, m: s, n: s, k: s })),
  { label: '64x3136x576 (conv2_x)', m: 64, n: 3136, k: 576 },
  { label: '256x196x2304 (conv4_x)', m: 256, n: 196, k: 2304 },
  { label: '512x49x4608 (conv5_x)', m: 512, n: 49, k: 4608 },
];

/** The --quick GEMM subset. */
export const QUICK_GEMM_LABELS: readonly string[] = ['256^3', '1024^3', '64x3136x576 (conv2_x)'];
