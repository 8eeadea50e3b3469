#!/usr/bin/python3
"""Makes data/fashion-mnist-subset: the class-balanced Fashion-MNIST subset that convnode ships
as the training CLI's default data (IDX .gz, like the originals), from Debian's package
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).

The budget is 5 MB for the four files; a Fashion-MNIST image costs about 430 bytes gzipped, so
the subset holds 900 training images per class (9,000, from the 60,000) and 200 test images
per class (2,000, from the 10,000), drawn at random with a fixed seed and kept in file order.
It also writes test/fixtures/data/fashion-subset-manifest.json: the chosen indices and, as read
here, the label histogram and pixel sums, which test/data checks convnode's reading against.

    /usr/bin/python3 scripts/make-fashion-subset.py
"""
import gzip
import json
import os
import random
import struct

SRC = '/usr/share/datasets/fashion-mnist'
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'data', 'fashion-mnist-subset')
MANIFEST = os.path.join(ROOT, 'test', 'fixtures', 'data', 'fashion-subset-manifest.json')
PER_CLASS = {'train': 900, 't10k': 200}
SEED = 20261124
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']


def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    shape = list(struct.unpack('>%dI' % ndim, raw[4:4 + 4 * ndim]))
    return raw[:4], shape, raw[4 + 4 * ndim:]


def write_idx_gz(path, magic, shape, data):
    with open(path, 'wb') as f:
        with gzip.GzipFile(fileobj=f, mode='wb', compresslevel=9, mtime=0) as g:
            g.write(magic + struct.pack('>%dI' % len(shape), *shape) + data)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(SEED)
    manifest = {'generator': 'scripts/make-fashion-subset.py', 'seed': SEED, 'classes': CLASSES, 'splits': {}}
    for split, k in PER_CLASS.items():
        imagic, ishape, images = read_idx(os.path.join(SRC, '%s-images-idx3-ubyte.gz' % split))
        lmagic, lshape, labels = read_idx(os.path.join(SRC, '%s-labels-idx1-ubyte.gz' % split))
        chosen = []
        for c in range(10):
            members = [i for i, y in enumerate(labels) if y == c]
            chosen += rng.sample(members, k)
        chosen.sort()
        size = ishape[1] * ishape[2]
        sub_images = b''.join(images[i * size:(i + 1) * size] for i in chosen)
        sub_labels = bytes(labels[i] for i in chosen)
        n = len(chosen)
        write_idx_gz(os.path.join(OUT, '%s-images-idx3-ubyte.gz' % split), imagic, [n] + ishape[1:], sub_images)
        write_idx_gz(os.path.join(OUT, '%s-labels-idx1-ubyte.gz' % split), lmagic, [n], sub_labels)
        manifest['splits'][split] = {
            'n': n,
            'indices': chosen,
            'histogram': [sub_labels.count(bytes([c])) for c in range(10)],
            'firstLabels': list(sub_labels[:32]),
            'firstSums': [sum(sub_images[i * size:(i + 1) * size]) for i in range(32)],
            'total': sum(sub_images),
        }
    with open(os.path.join(OUT, 'classes.json'), 'w') as f:
        json.dump(CLASSES, f, indent=1)
        f.write('\n')
    with open(MANIFEST, 'w') as f:
        json.dump(manifest, f, separators=(',', ':'))
    total = 0
    for p in sorted(os.listdir(OUT)):
        s = os.path.getsize(os.path.join(OUT, p))
        total += s
        print(os.path.join(OUT, p), s, 'bytes')
    print('total', total, 'bytes')


if __name__ == '__main__':
    main()
