#!/usr/bin/python3
"""Safetensors interop fixtures for test/io, both ways, with scripts/safetensors_ref.py (an
independent Python reader/writer written from the format's description):

1. python-made.safetensors (+ python-made.json, the values written): a file as Python's
   safetensors lays it out (widest dtypes first, header padded with spaces), with every dtype
   convnode reads, a scalar, an empty tensor, unicode names and metadata; and
   python-unaligned.safetensors: the same tensors in name order with an unpadded header (as some
   writers make them), so F32 data starts at odd offsets.
2. convnode-made.python.json: what Python reads from convnode-made.safetensors, which
   `node scripts/make-convnode-safetensors.mjs` writes with convnode (run that first, after
   `npm run build:ts`). test/io checks that convnode still writes that file byte for byte.

    npm run build:ts && node scripts/make-convnode-safetensors.mjs && /usr/bin/python3 scripts/make-safetensors-fixtures.py
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'io')


def f32(values):
    # Round to float32 so that the JSON holds exactly the stored values.
    return [struct.unpack('<f', struct.pack('<f', v))[0] for v in values]


def jsonable(tensors):
    out = {}
    for name, (dtype, shape, values) in tensors.items():
        if dtype in ('I64', 'U64'):
            values = [str(v) for v in values]  # beyond 2^53: exact as strings
        out[name] = {'dtype': dtype, 'shape': shape, 'values': values}
    return out


TENSORS = {
    'conv1.weight': ('F32', [2, 1, 2, 2], f32([0.1 * i - 0.35 for i in range(8)])),
    'conv1.bias': ('F32', [2], f32([1e-7, -3.25])),
    'bn.num_batches_tracked': ('I64', [], [123456789012345]),
    'step.i64': ('I64', [3], [-1, 0, 2 ** 62]),
    'scale.f64': ('F64', [2], [1.0 / 3.0, -2.5e-300]),
    'counts.i32': ('I32', [2, 2], [1, -2, 3, -(2 ** 31)]),
    'half.f16': ('F16', [2], [0x3C00, 0xC000]),  # bit patterns of 1.0 and -2.0
    'pixels.u8': ('U8', [5], [0, 1, 127, 128, 255]),
    'mask.bool': ('BOOL', [3], [1, 0, 1]),
    'empty': ('F32', [0, 3], []),
    'scalar': ('F32', [], f32([42.5])),
    'ünïcode.名前': ('F32', [1], f32([-0.0])),
}
METADATA = {'format': 'pt', 'note': 'made by scripts/make-safetensors-fixtures.py', 'unicode': 'é✓'}


def main():
    os.makedirs(OUT, exist_ok=True)
    safetensors_ref.write(os.path.join(OUT, 'python-made.safetensors'), TENSORS, METADATA)
    safetensors_ref.write(os.path.join(OUT, 'python-unaligned.safetensors'), TENSORS, METADATA, pad=False, order=sorted(TENSORS))
    # Our own reader must read back what it wrote (a check of the writer above).
    for name in ('python-made.safetensors', 'python-unaligned.safetensors'):
        back, meta = safetensors_ref.read(os.path.join(OUT, name))
        assert back == TENSORS and meta == METADATA, name
    with open(os.path.join(OUT, 'python-made.json'), 'w') as f:
        json.dump({'tensors': jsonable(TENSORS), 'metadata': METADATA}, f, ensure_ascii=False, indent=1)

    ours = os.path.join(OUT, 'convnode-made.safetensors')
    if not os.path.exists(ours):
        sys.exit('missing %s: run node scripts/make-convnode-safetensors.mjs first' % ours)
    tensors, metadata = safetensors_ref.read(ours)
    with open(ours, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    report = {
        'tensors': jsonable(tensors),
        'metadata': metadata,
        'headerLength': n,
        'headerPaddedTo8': (8 + n) % 8 == 0,
        # Where each tensor's data starts in the file, to check element alignment.
        'fileOffsets': {k: 8 + n + v['data_offsets'][0] for k, v in json.loads(raw[8:8 + n]).items() if k != '__metadata__'},
    }
    with open(os.path.join(OUT, 'convnode-made.python.json'), 'w') as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
    for p in sorted(os.listdir(OUT)):
        print(os.path.join(OUT, p), os.path.getsize(os.path.join(OUT, p)), 'bytes')


if __name__ == '__main__':
    main()
