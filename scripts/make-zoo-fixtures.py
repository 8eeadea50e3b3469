#!/usr/bin/env python3
"""Writes the model-zoo test fixtures (test/fixtures/zoo/) from PyTorch/torchvision.

Run with Debian's torch (apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 scripts/make-zoo-fixtures.py

The tests never import torch: they read what this script wrote.
- <model>.json: per-leaf-module rows in call order (name, type, output shape, params, MACs)
  at the model's input size, from forward hooks on the torchvision module, plus totals.
  MACs count conv and linear multiply-accumulates only (no bias, BN or activations).
- forward/<case>.json + .bin: a small module's state dict, an input and torch's output
  (float32 little-endian, concatenated; the JSON gives each tensor's name, shape, offset),
  so the tests can load the weights by name and compare outputs.
- formula/<model>.json: whole torchvision models with every state-dict entry filled by a
  closed formula (formula_values below, re-implemented in the test), and torch's eval output
  for a formula input: end-to-end checks of whole models with no weight files.
"""
import importlib
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.models import resnet as tv_resnet
from torchvision.models import mobilenetv2 as tv_mobilenetv2
from torchvision.models import squeezenet as tv_squeezenet

# torchvision.models.googlenet is shadowed by the builder function of the same name.
tv_googlenet = importlib.import_module('torchvision.models.googlenet')

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'zoo')



class LeNet5(nn.Module):
    def __init__(self, padding=0):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class AlexNetOriginal(nn.Module):
    # The lecture's AlexNet (227x227, 96 11x11/4, pool then LRN after conv1 and conv2).
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(9216, 4096), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def models():
    m = torchvision.models
    return [
        ('lenet5', lambda: LeNet5(), [1, 1, 32, 32]),
        ('lenet5_28', lambda: LeNet5(padding=2), [1, 1, 28, 28]),
        ('alexnet_original', AlexNetOriginal, [1, 3, 227, 227]),
        ('alexnet', lambda: m.alexnet(), [1, 3, 224, 224]),
        ('vgg11', lambda: m.vgg11(), [1, 3, 224, 224]),
        ('vgg13', lambda: m.vgg13(), [1, 3, 224, 224]),
        ('vgg16', lambda: m.vgg16(), [1, 3, 224, 224]),
        ('vgg19', lambda: m.vgg19(), [1, 3, 224, 224]),
        ('vgg16_bn', lambda: m.vgg16_bn(), [1, 3, 224, 224]),
        ('googlenet', lambda: m.googlenet(aux_logits=False, init_weights=True), [1, 3, 224, 224]),
        ('resnet18', lambda: m.resnet18(), [1, 3, 224, 224]),
        ('resnet34', lambda: m.resnet34(), [1, 3, 224, 224]),
        ('resnet50', lambda: m.resnet50(), [1, 3, 224, 224]),
        ('resnet101', lambda: m.resnet101(), [1, 3, 224, 224]),
        ('resnet152', lambda: m.resnet152(), [1, 3, 224, 224]),
        ('mobilenet_v2', lambda: m.mobilenet_v2(), [1, 3, 224, 224]),
        ('squeezenet1_1', lambda: m.squeezenet1_1(), [1, 3, 224, 224]),
    ]


def leaf_rows(model, shape):
    names = {mod: name for name, mod in model.named_modules()}
    rows = []

    def hook(mod, inputs, output):
        params = sum(p.numel() for p in mod.parameters(recurse=False))
        macs = 0
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
            macs = output.numel() * k
        elif isinstance(mod, nn.Linear):
            macs = output.numel() * mod.in_features
        rows.append({'name': names[mod], 'type': type(mod).__name__, 'outputShape': list(output.shape),
                     'params': params, 'macs': macs})

    handles = [mod.register_forward_hook(hook) for mod in model.modules() if len(list(mod.children())) == 0]
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(shape))
    for h in handles:
        h.remove()
    return rows, list(out.shape)


def write_model_fixtures():
    for name, build, shape in models():
        torch.manual_seed(0)
        model = build()
        rows, out_shape = leaf_rows(model, shape)
        state = model.state_dict()
        doc = {
            'model': name,
            'source': f'torch {torch.__version__}, torchvision {torchvision.__version__}',
            'inputShape': shape,
            'outputShape': out_shape,
            'params': sum(p.numel() for p in model.parameters()),
            'macs': sum(r['macs'] for r in rows),
            'stateDict': [[k, list(v.shape)] for k, v in state.items()],
            'rows': rows,
        }
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
        print(f'{name}: {doc["params"]:,} params, {doc["macs"]:,} MACs, {len(rows)} rows', file=sys.stderr)


def randomize_bn(module, gen):
    # Non-trivial running statistics, so eval-mode BN is really exercised.
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


def forward_cases():
    return [
        ('lenet5', lambda: LeNet5(), [2, 1, 32, 32]),
        ('resnet_basic_block', lambda: tv_resnet.BasicBlock(
            8, 16, stride=2, downsample=nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))),
         [2, 8, 9, 9]),
        ('resnet_bottleneck', lambda: tv_resnet.Bottleneck(
            16, 8, stride=1, downsample=nn.Sequential(nn.Conv2d(16, 32, 1, bias=False), nn.BatchNorm2d(32))),
         [1, 16, 6, 6]),
        ('googlenet_inception', lambda: tv_googlenet.Inception(12, 4, 6, 8, 2, 4, 4), [1, 12, 7, 7]),
        ('mobilenet_inverted_residual', lambda: tv_mobilenetv2.InvertedResidual(8, 8, 1, 6), [2, 8, 6, 6]),
        ('squeezenet_fire', lambda: tv_squeezenet.Fire(8, 4, 6, 6), [1, 8, 5, 5]),
    ]


def write_forward_fixtures():
    os.makedirs(os.path.join(OUT, 'forward'), exist_ok=True)
    for name, build, shape in forward_cases():
        gen = torch.Generator().manual_seed(1)
        torch.manual_seed(1)
        module = build()
        randomize_bn(module, gen)
        module.eval()
        x = torch.randn(shape, generator=gen)
        with torch.no_grad():
            y = module(x)
        tensors = [(k, v) for k, v in module.state_dict().items()] + [('input', x), ('output', y)]
        entries, blobs, offset = [], [], 0
        for k, v in tensors:
            flat = v.detach().to(torch.float32).contiguous().reshape(-1)
            entries.append({'name': k, 'shape': list(v.shape), 'offset': offset, 'length': flat.numel()})
            blobs.append(flat.numpy().astype('<f4').tobytes())
            offset += flat.numel()
        with open(os.path.join(OUT, 'forward', f'{name}.bin'), 'wb') as f:
            f.write(b''.join(blobs))
        with open(os.path.join(OUT, 'forward', f'{name}.json'), 'w') as f:
            json.dump({'case': name, 'source': f'torch {torch.__version__}', 'tensors': entries}, f, indent=1)
        print(f'forward/{name}: {offset} floats', file=sys.stderr)


def formula_values(name, shape, k):
    """The k-th state-dict tensor's entries: u_i = ((7919 i + 104729 k) mod 2003)/1001 - 1 in
    [-1, 1] (exact integer arithmetic, so JS computes the same doubles), scaled to keep the
    activations O(1). Returned as float64, cast to float32 by the caller (as JS does)."""
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.int64)
    u = ((i * 7919 + k * 104729) % 2003).to(torch.float64) / 1001 - 1
    if name.endswith('num_batches_tracked'):
        return torch.zeros(n, dtype=torch.float64)
    if name.endswith('running_mean'):
        return 0.1 * u
    if name.endswith('running_var'):
        return 0.75 + 0.25 * u
    if name.endswith('bias'):
        return 0.1 * u
    if len(shape) == 1:  # BN weight
        return 1.0 + 0.2 * u
    fan_in = 1
    for d in shape[1:]:
        fan_in *= d
    return u * math.sqrt(3.0 / fan_in)


def formula_input(shape):
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.int64)
    return (((i * 3571) % 1999).to(torch.float64) / 999 - 1).to(torch.float32).reshape(shape)


def formula_cases():
    m = torchvision.models
    return [
        ('resnet18', lambda: m.resnet18(), [2, 3, 32, 32]),
        ('resnet50', lambda: m.resnet50(num_classes=10), [1, 3, 32, 32]),
        ('googlenet', lambda: m.googlenet(aux_logits=False, init_weights=True, num_classes=10), [1, 3, 32, 32]),
        ('mobilenet_v2', lambda: m.mobilenet_v2(num_classes=10), [2, 3, 32, 32]),
        ('squeezenet1_1', lambda: m.squeezenet1_1(num_classes=10), [1, 3, 48, 48]),
        ('alexnet_original', lambda: AlexNetOriginal(), [1, 3, 67, 67]),
    ]


def write_formula_fixtures():
    os.makedirs(os.path.join(OUT, 'formula'), exist_ok=True)
    for name, build, shape in formula_cases():
        model = build().eval()
        state = model.state_dict()
        with torch.no_grad():
            for k, (key, t) in enumerate(state.items()):
                t.copy_(formula_values(key, list(t.shape), k).to(torch.float32).reshape(t.shape).to(t.dtype))
            y = model(formula_input(shape))
        doc = {'model': name, 'source': f'torch {torch.__version__}, torchvision {torchvision.__version__}',
               'inputShape': shape, 'outputShape': list(y.shape), 'output': [float(v) for v in y.reshape(-1)]}
        with open(os.path.join(OUT, 'formula', f'{name}.json'), 'w') as f:
            json.dump(doc, f)
        print(f'formula/{name}: output {list(y.shape)}, max |y| {y.abs().max().item():.3g}', file=sys.stderr)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    write_model_fixtures()
    write_forward_fixtures()
    write_formula_fixtures()
