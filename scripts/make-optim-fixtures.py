#!/usr/bin/python3
"""Writes test/fixtures/optim/*.json: what PyTorch's optimizers and LR schedulers do, step by
step, for the option sets that test/optim checks convnode against.

Run with Debian's torch (1.13, python3-torch), which imports only from /usr/bin/python3:
    /usr/bin/python3 scripts/make-optim-fixtures.py
Tests read the JSON and never import torch.

optimizers.json: one case per option set, each with the initial parameters, a fixed sequence of
gradients, the parameters after every step, and the optimizer's per-parameter state after the
last step (momentum buffers, exp_avg, ...). Values are float32 written as exact decimals.
schedulers.json: the learning rate of every param group after construction and after every
scheduler step.
"""
import json
import math
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'optim')
STEPS = 5
SHAPES = [[3, 2], [4]]

torch.manual_seed(1234)
torch.set_num_threads(1)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_data():
    params = [torch.randn(s) for s in SHAPES]
    grads = [[torch.randn(s) for s in SHAPES] for _ in range(STEPS)]
    # One step leaves the second parameter without a gradient (PyTorch skips it: no update, its
    # state does not advance).
    grads[2][1] = None
    return params, grads


# (name, optimizer class, groups as (param indices, group options) or None, default options)
CASES = [
    ('sgd-plain', 'SGD', None, {'lr': 0.1}),
    ('sgd-momentum', 'SGD', None, {'lr': 0.05, 'momentum': 0.9}),
    ('sgd-momentum-dampening', 'SGD', None, {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3}),
    ('sgd-nesterov-wd', 'SGD', None, {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 5e-4}),
    ('sgd-alexnet-recipe', 'SGD', None, {'lr': 0.01, 'momentum': 0.9, 'weight_decay': 5e-4}),
    ('sgd-maximize', 'SGD', None, {'lr': 0.1, 'momentum': 0.5, 'weight_decay': 0.1, 'maximize': True}),
    ('sgd-groups', 'SGD', [([0], {'lr': 0.2, 'momentum': 0.5}), ([1], {'weight_decay': 0.01})], {'lr': 0.05, 'momentum': 0.9}),
    ('adam-default', 'Adam', None, {}),
    ('adam-lr-betas', 'Adam', None, {'lr': 0.05, 'betas': (0.8, 0.99), 'eps': 1e-6}),
    ('adam-wd', 'Adam', None, {'lr': 0.01, 'weight_decay': 0.1}),
    ('adam-amsgrad', 'Adam', None, {'lr': 0.02, 'amsgrad': True}),
    ('adam-maximize', 'Adam', None, {'lr': 0.02, 'maximize': True}),
    ('adam-groups', 'Adam', [([0], {'lr': 0.1}), ([1], {'betas': (0.5, 0.9), 'amsgrad': True})], {'lr': 0.01}),
    ('adamw-default', 'AdamW', None, {}),
    ('adamw-wd-amsgrad', 'AdamW', None, {'lr': 0.05, 'weight_decay': 0.1, 'amsgrad': True}),
    ('adamw-groups', 'AdamW', [([0], {'weight_decay': 0.0}), ([1], {'lr': 0.1})], {'lr': 0.01, 'weight_decay': 0.05}),
]

CAMEL = {'weight_decay': 'weightDecay'}


def camel(options):
    return {CAMEL.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}


def run_optimizer_case(name, kind, groups, defaults):
    params0, grads = make_data()
    params = [p.clone().requires_grad_(True) for p in params0]
    cls = getattr(torch.optim, kind)
    if groups is None:
        opt = cls(params, **defaults)
    else:
        opt = cls([dict(params=[params[i] for i in idx], **opts) for idx, opts in groups], **defaults)
    after = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = None if g is None else g.clone()
        opt.step()
        after.append([flat(p) for p in params])
    sd = opt.state_dict()
    # state_dict indexes parameters in group order; map back to our parameter numbering.
    order = [i for idx, _ in (groups or [(list(range(len(params))), {})]) for i in idx]
    state = {}
    for k, s in sd['state'].items():
        entry = {}
        for key, v in s.items():
            if key == 'step':
                entry['step'] = float(v)
            elif v is not None:
                entry[key] = flat(v)
        if entry:  # plain SGD keeps {'momentum_buffer': None}: no state worth the name
            state[str(order[k])] = entry
    return {
        'name': name,
        'optimizer': kind,
        'defaults': camel(defaults),
        'groups': None if groups is None else [{'params': idx, 'options': camel(opts)} for idx, opts in groups],
        'shapes': SHAPES,
        'initial': [flat(p) for p in params0],
        'grads': [[None if g is None else flat(g) for g in gs] for gs in grads],
        'after': after,
        'state': state,
    }


def lrs(opt):
    return [g['lr'] for g in opt.param_groups]


def two_group_opt(lr0=0.1, lr1=0.02):
    a = torch.zeros(2, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    return torch.optim.SGD([{'params': [a], 'lr': lr0}, {'params': [b], 'lr': lr1}], lr=lr0, momentum=0.9)


def run_scheduler(name, make, options, steps, metrics=None):
    opt = two_group_opt()
    sched = make(opt)
    seq = [lrs(opt)]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append(lrs(opt))
    return {'name': name, 'options': options, 'initialLrs': [0.1, 0.02], 'metrics': metrics, 'lrs': seq}


def scheduler_cases():
    S = torch.optim.lr_scheduler
    val_acc = [0.50, 0.60, 0.65, 0.65, 0.649, 0.66, 0.66, 0.66, 0.66, 0.70, 0.70, 0.70, 0.70, 0.70, 0.70, 0.71, 0.71, 0.71, 0.71, 0.71]
    val_loss = [1.0, 0.9, 0.95, 0.9, 0.89995, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    return [
        {'kind': 'StepLR', **run_scheduler('steplr', lambda o: S.StepLR(o, step_size=3, gamma=0.5), {'stepSize': 3, 'gamma': 0.5}, 10)},
        {'kind': 'StepLR', **run_scheduler('steplr-default-gamma', lambda o: S.StepLR(o, step_size=2), {'stepSize': 2}, 7)},
        {'kind': 'CosineAnnealingLR', **run_scheduler('cosine', lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001), {'tMax': 5, 'etaMin': 0.001}, 16)},
        {'kind': 'CosineAnnealingLR', **run_scheduler('cosine-default-etamin', lambda o: S.CosineAnnealingLR(o, T_max=4), {'tMax': 4}, 9)},
        {'kind': 'ReduceLROnPlateau', **run_scheduler(
            'plateau-max-lecture', lambda o: S.ReduceLROnPlateau(o, mode='max', factor=0.1, patience=2),
            {'mode': 'max', 'factor': 0.1, 'patience': 2}, len(val_acc), val_acc)},
        {'kind': 'ReduceLROnPlateau', **run_scheduler(
            'plateau-min-cooldown-minlr', lambda o: S.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=1, cooldown=2, min_lr=[0.005, 0.0001]),
            {'mode': 'min', 'factor': 0.5, 'patience': 1, 'cooldown': 2, 'minLr': [0.005, 0.0001]}, len(val_loss), val_loss)},
        {'kind': 'ReduceLROnPlateau', **run_scheduler(
            'plateau-min-abs-threshold', lambda o: S.ReduceLROnPlateau(o, mode='min', factor=0.2, patience=0, threshold=0.03, threshold_mode='abs', min_lr=0.001),
            {'mode': 'min', 'factor': 0.2, 'patience': 0, 'threshold': 0.03, 'thresholdMode': 'abs', 'minLr': 0.001}, len(val_loss), val_loss)},
        {'kind': 'ReduceLROnPlateau', **run_scheduler(
            'plateau-max-rel-threshold', lambda o: S.ReduceLROnPlateau(o, mode='max', factor=0.5, patience=1, threshold=0.05),
            {'mode': 'max', 'factor': 0.5, 'patience': 1, 'threshold': 0.05}, len(val_acc), val_acc)},
    ]


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump({'generator': 'scripts/make-optim-fixtures.py', 'torch': torch.__version__, 'cases': obj}, f, separators=(',', ':'))
        f.write('\n')
    print(path, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    write('optimizers.json', [run_optimizer_case(*c) for c in CASES])
    write('schedulers.json', scheduler_cases())
