#!/usr/bin/python3
"""Writes test/fixtures/torch-grad/*.json: outputs and gradients computed by PyTorch for a few
op configurations, the independent oracle for convnode's forward and backward.

Needs Debian's python3-torch (import it with /usr/bin/python3). Run:
    /usr/bin/python3 scripts/make-grad-fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'torch-grad')
torch.manual_seed(0)


def t(shape, scale=1.0, positive=False):
    x = (torch.rand(tuple(shape), dtype=torch.float32) * 2 - 1) * scale
    return x.abs() + 0.1 if positive else x


def dump(v):
    return {'shape': list(v.shape), 'data': [float(f) for f in v.detach().reshape(-1).tolist()]}


def case(name, inputs, fn, options, extra=None):
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves)
    upstream = t(out.shape)
    out.backward(upstream)
    record = {
        'name': name,
        'options': options,
        'inputs': {k: dump(v) for k, v in inputs.items()},
        'output': dump(out),
        'upstream': dump(upstream),
        'grads': {k: dump(v.grad) for k, v in leaves.items()},
    }
    if extra:
        record.update(extra())
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(record, f)


os.makedirs(OUT, exist_ok=True)

case('conv2d_grouped_dilated', {'x': t([2, 4, 7, 6]), 'w': t([6, 2, 3, 3]), 'b': t([6])},
     lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
     {'stride': [2, 1], 'padding': [1, 2], 'dilation': [1, 2], 'groups': 2})
case('conv2d_depthwise_5x5_s2', {'x': t([1, 3, 9, 9]), 'w': t([3, 1, 5, 5]), 'b': t([3])},
     lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=2, groups=3),
     {'stride': 2, 'padding': 2, 'groups': 3})
case('max_pool2d_ceil', {'x': t([2, 3, 8, 7])},
     lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
     {'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True})
case('avg_pool2d_exclude_pad', {'x': t([2, 3, 8, 7])},
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     {'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False})
case('lp_pool2d_p2', {'x': t([1, 2, 6, 6], positive=True)},
     lambda x: F.lp_pool2d(x, 2.0, 2, stride=2), {'p': 2, 'kernelSize': 2, 'stride': 2})
case('adaptive_avg_pool2d', {'x': t([2, 2, 7, 5])},
     lambda x: F.adaptive_avg_pool2d(x, (3, 2)), {'outputSize': [3, 2]})
case('local_response_norm', {'x': t([2, 7, 3, 3], scale=3)},
     lambda x: F.local_response_norm(x, 5, alpha=1e-2, beta=0.75, k=2.0),
     {'size': 5, 'alpha': 1e-2, 'beta': 0.75, 'k': 2.0})
case('linear', {'x': t([3, 5]), 'w': t([4, 5]), 'b': t([4])},
     lambda x, w, b: F.linear(x, w, b), {})
case('log_softmax', {'x': t([3, 6], scale=5)}, lambda x: F.log_softmax(x, dim=1), {'dim': 1})

labels = torch.tensor([3, 0, 4, 1, 1])
case('cross_entropy_smoothing', {'z': t([5, 6], scale=3)},
     lambda z: F.cross_entropy(z, labels, label_smoothing=0.1),
     {'labelSmoothing': 0.1, 'labels': labels.tolist()})

rm0, rv0 = t([3]), t([3], positive=True)
rm, rv = rm0.clone(), rv0.clone()
case('batch_norm_train', {'x': t([4, 3, 2, 3]), 'g': t([3]), 'b': t([3])},
     lambda x, g, b: F.batch_norm(x, rm, rv, g, b, training=True, momentum=0.1, eps=1e-5),
     {'momentum': 0.1, 'eps': 1e-5},
     lambda: {'runningMeanBefore': dump(rm0), 'runningVarBefore': dump(rv0),
              'runningMeanAfter': dump(rm), 'runningVarAfter': dump(rv)})
print('wrote', len(os.listdir(OUT)), 'fixtures to', os.path.normpath(OUT))
