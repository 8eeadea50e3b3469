#!/usr/bin/python3
"""Fixtures for test/data from Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist),
read here with plain Python (gzip + struct), independently of convnode's IDX reader:

- fashion-mnist-python.json: for each of the four files: the shape, the first 32 labels or the
  pixel sums of the first 32 images, the label histogram and the sum of all pixels. test/data
  compares convnode's reading of /usr/share/datasets/fashion-mnist with it when that is installed.
- fashion-t10k-head16-{images-idx3,labels-idx1}-ubyte.gz: the first 16 test images and labels,
  so that the same check runs on a machine without the package.

    /usr/bin/python3 scripts/make-data-fixtures.py
"""
import gzip
import json
import os
import struct

SRC = '/usr/share/datasets/fashion-mnist'
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'data')
HEAD = 32


def read_idx(path):
    raw = gzip.open(path).read()
    magic, = struct.unpack('>I', raw[:4])
    ndim = raw[3]
    shape = list(struct.unpack('>%dI' % ndim, raw[4:4 + 4 * ndim]))
    return magic, shape, raw[4 + 4 * ndim:]


def describe(path):
    magic, shape, data = read_idx(path)
    out = {'file': os.path.basename(path), 'magic': magic, 'shape': shape}
    if len(shape) == 1:
        out['head'] = list(data[:HEAD])
        out['histogram'] = [data.count(bytes([c])) for c in range(10)]
    else:
        size = shape[1] * shape[2]
        out['headSums'] = [sum(data[i * size:(i + 1) * size]) for i in range(HEAD)]
        out['total'] = sum(data)
    return out


def write_idx_gz(path, magic, shape, data):
    with open(path, 'wb') as f:
        # mtime=0: the same bytes on every run.
        with gzip.GzipFile(fileobj=f, mode='wb', compresslevel=9, mtime=0) as g:
            g.write(struct.pack('>I', magic) + struct.pack('>%dI' % len(shape), *shape) + data)


def main():
    os.makedirs(OUT, exist_ok=True)
    files = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
    report = {name: describe(os.path.join(SRC, name)) for name in files}
    with open(os.path.join(OUT, 'fashion-mnist-python.json'), 'w') as f:
        json.dump({'generator': 'scripts/make-data-fixtures.py', 'source': SRC, 'files': report}, f, indent=1)
    magic, shape, data = read_idx(os.path.join(SRC, 't10k-images-idx3-ubyte.gz'))
    write_idx_gz(os.path.join(OUT, 'fashion-t10k-head16-images-idx3-ubyte.gz'), magic, [16] + shape[1:], data[:16 * 784])
    magic, shape, data = read_idx(os.path.join(SRC, 't10k-labels-idx1-ubyte.gz'))
    write_idx_gz(os.path.join(OUT, 'fashion-t10k-head16-labels-idx1-ubyte.gz'), magic, [16], data[:16])
    for p in sorted(os.listdir(OUT)):
        print(os.path.join(OUT, p), os.path.getsize(os.path.join(OUT, p)), 'bytes')


if __name__ == '__main__':
    main()
