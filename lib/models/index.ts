/**
 * cn.models: the lecture's networks and their successors, built from cn.nn with torchvision's
 * layer names (so torchvision state dicts load by name) and initialization schemes.
 * @example
 * const net = cn.models.resnet18({ numClasses: 10, seed: 1 }).eval();
 * const logits = net.forward(cn.randn([1, 3, 64, 64], { seed: 0 }));
 */
export { type ModelOptions } from './common.js';
export { lenet5, LeNet5, type LeNet5Options } from './lenet.js';
export { alexnet, AlexNet, type AlexNetOptions } from './alexnet.js';
export { vgg11, vgg13, vgg16, vgg19, VGG, type VggOptions } from './vgg.js';
export { googlenet, GoogLeNet, Inception, BasicConv2d, type GoogLeNetOptions } from './googlenet.js';
export { resnet18, resnet34, resnet50, resnet101, resnet152, ResNet, BasicBlock, Bottleneck } from './resnet.js';
export { mobilenetV2, MobileNetV2, InvertedResidual, Conv2dNormActivation, type MobileNetV2Options } from './mobilenet.js';
export { squeezenet1_1, SqueezeNet, Fire } from './squeezenet.js';
export { zooNames, zooEntry, type ZooEntry } from './registry.js';
