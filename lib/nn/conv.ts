/** Conv2d: torch.nn.Conv2d's arguments, defaults, parameter names and initialization. */
import { formatShape, rangeError } from '../errors.js';
import { checkOptions, int, pair, bool } from '../ops/args.js';
import { conv2d, convOutputSize, resolveConvPadding, type Padding } from '../ops/conv.js';
import type { Generator } from '../random.js';
import { Tensor, checkTensor, zeros } from '../tensor.js';
import { fans, generatorFrom, kaimingUniform, uniform, type InitOptions } from './init.js';
import { Module } from './module.js';
import { advance, expectRank, type TraceState } from './trace.js';

export interface Conv2dModuleOptions extends InitOptions {
  stride?: number | readonly [number, number];
  /** number, [ph, pw], [top, bottom, left, right], 'same' or 'valid' (default 0). */
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution layer. Weight [out, in/groups, kH, kW] drawn as PyTorch does:
 * kaiming_uniform(a = sqrt(5)), i.e. U(+-1/sqrt(fan_in)); bias U(+-1/sqrt(fan_in)).
 * @example
 * const conv = new cn.nn.Conv2d(3, 64, 3, { padding: 1, bias: false, seed: 0 });
 * const y = conv.forward(x); // [N, 3, H, W] -> [N, 64, H, W]
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;
  readonly dilation: [number, number];
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options: Conv2dModuleOptions = {}) {
    super();
    const op = 'Conv2d';
    const o = checkOptions(op, options, ['stride', 'padding', 'dilation', 'groups', 'bias', 'generator', 'seed']);
    this.inChannels = int(op, 'inChannels', inChannels, 1);
    this.outChannels = int(op, 'outChannels', outChannels, 1);
    this.kernelSize = pair(op, 'kernelSize', kernelSize, 1);
    this.stride = pair(op, 'stride', o.stride ?? 1, 1);
    this.dilation = pair(op, 'dilation', o.dilation ?? 1, 1);
    this.groups = int(op, 'groups', o.groups ?? 1, 1);
    this.padding = (o.padding ?? 0) as Padding;
    // Validates the padding form once, here, rather than at the first forward.
    resolveConvPadding(op, this.padding, 1, 1, this.kernelSize[0], this.kernelSize[1], this.stride, this.dilation);
    if (this.inChannels % this.groups !== 0) throw rangeError(op, 'groups', `a divisor of inChannels (${this.inChannels})`, String(this.groups));
    if (this.outChannels % this.groups !== 0) throw rangeError(op, 'groups', `a divisor of outChannels (${this.outChannels})`, String(this.groups));
    const hasBias = bool(op, 'bias', o.bias ?? true);
    this.weight = this.registerParameter('weight', zeros([this.outChannels, this.inChannels / this.groups, ...this.kernelSize]))!;
    this.bias = this.registerParameter('bias', hasBias ? zeros([this.outChannels]) : null);
    this.resetParameters(generatorFrom(op, options));
  }

  /** PyTorch's reset_parameters: weight kaiming_uniform(a = sqrt(5)), bias U(+-1/sqrt(fan_in)). */
  resetParameters(gen: Generator): void {
    kaimingUniform(this.weight, gen, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = 1 / Math.sqrt(fans(this.weight)[0]);
      uniform(this.bias, gen, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    checkTensor(this.typeName, 'input', x);
    this.checkInput(x.shape);
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  protected override inferTrace(input: TraceState): TraceState {
    expectRank(this.typeName, input, 4, '[N, C, H, W]');
    this.checkInput(input.shape);
    const [n, , h, w] = input.shape;
    const [kh, kw] = this.kernelSize;
    const pad = resolveConvPadding(this.typeName, this.padding, h, w, kh, kw, this.stride, this.dilation);
    const oh = convOutputSize(h, kh, this.stride[0], pad[0], pad[1], this.dilation[0]);
    const ow = convOutputSize(w, kw, this.stride[1], pad[2], pad[3], this.dilation[1]);
    if (oh < 1 || ow < 1) {
      throw rangeError(this.typeName, 'input', `a map of at least the kernel's extent after padding`, `shape ${formatShape(input.shape)} (output ${oh}x${ow})`);
    }
    return advance(input, [n, this.outChannels, oh, ow], kh, this.stride[0], this.dilation[0]);
  }

  /** out elements x (in/groups x kH x kW) multiply-accumulates (bias adds not counted). */
  override macs(_input: readonly number[], output: readonly number[]): number {
    const perOutput = (this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    return output.reduce((a, b) => a * b, 1) * perOutput;
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`];
    if (this.stride.some((s) => s !== 1)) parts.push(`stride=[${this.stride}]`);
    if (this.padding !== 0) parts.push(`padding=${JSON.stringify(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=[${this.dilation}]`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    return parts.join(', ');
  }

  private checkInput(shape: readonly number[]): void {
    if (shape.length !== 4 || shape[1] !== this.inChannels) {
      throw rangeError(
        this.typeName,
        'input',
        `[N, ${this.inChannels}, H, W] (inChannels = ${this.inChannels})`,
        `shape ${formatShape(shape)}`,
      );
    }
  }
}
