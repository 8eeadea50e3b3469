/** ResNet (He et al. 2015), torchvision layout (v1.5: the stride sits on the 3x3 conv of a bottleneck). */
import { flatten } from '../ops/shape.js';
import { add } from '../ops/binary.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { kaimingNormal, skipInit } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import { expectSameShape, joinTraces, type TraceRecorder, type TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, initWeights, modelOptions, type ModelOptions } from './common.js';

function conv3x3(inPlanes: number, outPlanes: number, stride: number, gen?: Generator): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false, generator: gen });
}

function conv1x1(inPlanes: number, outPlanes: number, stride: number, gen?: Generator): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false, generator: gen });
}

/** Residual join shared by both blocks: relu(main + shortcut). */
abstract class ResidualBlock extends Module {
  get downsample(): Module | undefined {
    return this.getModule('downsample');
  }

  get relu(): Module {
    return this.getModule('relu')!;
  }

  protected join(out: Tensor, x: Tensor): Tensor {
    const identity = this.downsample ? this.downsample.call(x) : x;
    return this.relu.call(add(out, identity));
  }

  protected joinTrace(out: TraceState, x: TraceState, recorder?: TraceRecorder): TraceState {
    const identity = this.downsample ? this.downsample.traceShape(x, recorder) : x;
    expectSameShape(this.typeName, out, identity, 'shortcut');
    return this.relu.traceShape(joinTraces([out, identity], out.shape), recorder);
  }
}

/**
 * Two 3x3 convs with a shortcut (ResNet-18/34): conv1, bn1, relu, conv2, bn2, [downsample].
 * @example new BasicBlock(64, 128, 2, new cn.nn.Sequential(conv1x1, bn))
 */
export class BasicBlock extends ResidualBlock {
  static readonly expansion = 1;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Module | null = null, gen?: Generator) {
    super();
    this.addModule('conv1', conv3x3(inPlanes, planes, stride, gen));
    this.addModule('bn1', new BatchNorm2d(planes));
    this.addModule('relu', new ReLU());
    this.addModule('conv2', conv3x3(planes, planes, 1, gen));
    this.addModule('bn2', new BatchNorm2d(planes));
    if (downsample) this.addModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    const m = (k: string): Module => this.getModule(k)!;
    let out = this.relu.call(m('bn1').call(m('conv1').call(x)));
    out = m('bn2').call(m('conv2').call(out));
    return this.join(out, x);
  }

  protected override inferTrace(x: TraceState, r?: TraceRecorder): TraceState {
    const m = (k: string): Module => this.getModule(k)!;
    let out = this.relu.traceShape(m('bn1').traceShape(m('conv1').traceShape(x, r), r), r);
    out = m('bn2').traceShape(m('conv2').traceShape(out, r), r);
    return this.joinTrace(out, x, r);
  }
}

/**
 * 1x1 reduce, 3x3 (strided), 1x1 expand by 4, with a shortcut (ResNet-50/101/152):
 * conv1, bn1, conv2, bn2, conv3, bn3, relu, [downsample].
 */
export class Bottleneck extends ResidualBlock {
  static readonly expansion = 4;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Module | null = null, gen?: Generator) {
    super();
    const width = planes;
    this.addModule('conv1', conv1x1(inPlanes, width, 1, gen));
    this.addModule('bn1', new BatchNorm2d(width));
    this.addModule('conv2', conv3x3(width, width, stride, gen));
    this.addModule('bn2', new BatchNorm2d(width));
    this.addModule('conv3', conv1x1(width, planes * Bottleneck.expansion, 1, gen));
    this.addModule('bn3', new BatchNorm2d(planes * Bottleneck.expansion));
    this.addModule('relu', new ReLU());
    if (downsample) this.addModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    const m = (k: string): Module => this.getModule(k)!;
    let out = this.relu.call(m('bn1').call(m('conv1').call(x)));
    out = this.relu.call(m('bn2').call(m('conv2').call(out)));
    out = m('bn3').call(m('conv3').call(out));
    return this.join(out, x);
  }

  protected override inferTrace(x: TraceState, r?: TraceRecorder): TraceState {
    const m = (k: string): Module => this.getModule(k)!;
    let out = this.relu.traceShape(m('bn1').traceShape(m('conv1').traceShape(x, r), r), r);
    out = this.relu.traceShape(m('bn2').traceShape(m('conv2').traceShape(out, r), r), r);
    out = m('bn3').traceShape(m('conv3').traceShape(out, r), r);
    return this.joinTrace(out, x, r);
  }
}

type BlockClass = typeof BasicBlock | typeof Bottleneck;

export class ResNet extends Module {
  readonly inChannels: number;
  private readonly modelName: string;

  constructor(name: string, block: BlockClass, layers: readonly number[], options: ModelOptions = {}) {
    super();
    const o = modelOptions(name, options);
    this.modelName = name;
    this.inChannels = o.inChannels;
    const gen = o.generator;
    skipInit(() => {
      this.addModule('conv1', new Conv2d(o.inChannels, 64, 7, { stride: 2, padding: 3, bias: false, generator: gen }));
      this.addModule('bn1', new BatchNorm2d(64));
      this.addModule('relu', new ReLU());
      this.addModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
      let inPlanes = 64;
      const makeLayer = (planes: number, blocks: number, stride: number): Sequential => {
        let downsample: Module | null = null;
        if (stride !== 1 || inPlanes !== planes * block.expansion) {
          downsample = new Sequential(conv1x1(inPlanes, planes * block.expansion, stride, gen), new BatchNorm2d(planes * block.expansion));
        }
        const seq = new Sequential(new block(inPlanes, planes, stride, downsample, gen));
        inPlanes = planes * block.expansion;
        for (let i = 1; i < blocks; i++) seq.append(new block(inPlanes, planes, 1, null, gen));
        return seq;
      };
      this.addModule('layer1', makeLayer(64, layers[0], 1));
      this.addModule('layer2', makeLayer(128, layers[1], 2));
      this.addModule('layer3', makeLayer(256, layers[2], 2));
      this.addModule('layer4', makeLayer(512, layers[3], 2));
      this.addModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
      this.addModule('fc', new Linear(512 * block.expansion, o.numClasses, { generator: gen }));
    });
    // torchvision: conv He-normal (fan_out, relu), BN 1/0, fc keeps PyTorch's default.
    initWeights(this, gen, { conv: (m, g) => kaimingNormal(m.weight, g, { mode: 'fanOut', nonlinearity: 'relu' }) });
  }

  override get typeName(): string {
    return 'ResNet';
  }

  private stem(): Module[] {
    return ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool'].map((k) => this.getModule(k)!);
  }

  get fc(): Module {
    return this.getModule('fc')!;
  }

  forward(x: Tensor): Tensor {
    checkModelInput(this.modelName, x, { inChannels: this.inChannels });
    let y = x;
    for (const m of this.stem()) y = m.call(y);
    return this.fc.call(flatten(y, 1));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape(this.modelName, input.shape, { inChannels: this.inChannels });
    let t = input;
    for (const m of this.stem()) t = m.traceShape(t, recorder);
    return this.fc.traceShape(flattenTrace(t, 1), recorder);
  }
}

/** ResNet-18: 11,689,512 parameters, 1.81 GMACs at 224. Any input from 1x1 works. @example cn.models.resnet18({ numClasses: 10 }) */
export function resnet18(options: ModelOptions = {}): ResNet {
  return new ResNet('resnet18', BasicBlock, [2, 2, 2, 2], options);
}

/** ResNet-34: 21,797,672 parameters. @example cn.models.resnet34() */
export function resnet34(options: ModelOptions = {}): ResNet {
  return new ResNet('resnet34', BasicBlock, [3, 4, 6, 3], options);
}

/** ResNet-50: 25,557,032 parameters, 4.09 GMACs at 224. @example cn.models.resnet50() */
export function resnet50(options: ModelOptions = {}): ResNet {
  return new ResNet('resnet50', Bottleneck, [3, 4, 6, 3], options);
}

/** ResNet-101: 44,549,160 parameters. @example cn.models.resnet101() */
export function resnet101(options: ModelOptions = {}): ResNet {
  return new ResNet('resnet101', Bottleneck, [3, 4, 23, 3], options);
}

/** ResNet-152: 60,192,808 parameters. @example cn.models.resnet152() */
export function resnet152(options: ModelOptions = {}): ResNet {
  return new ResNet('resnet152', Bottleneck, [3, 8, 36, 3], options);
}
