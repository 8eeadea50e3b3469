"""An independent safetensors reader and writer in plain Python (struct + json, no numpy, no
safetensors package), written from the format's description in huggingface/safetensors'
README, to cross-check convnode's TypeScript implementation: Debian has no python3-safetensors
and this machine reaches no other registry.

Format: u64 little-endian header length N; N bytes of UTF-8 JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}; then the
byte buffer (offsets relative to its start, little-endian, row-major).
"""
import json
import struct

# dtype -> (struct code, size in bytes)
DTYPES = {
    'F64': ('d', 8), 'I64': ('q', 8), 'U64': ('Q', 8),
    'F32': ('f', 4), 'I32': ('i', 4), 'U32': ('I', 4),
    'F16': ('H', 2), 'BF16': ('H', 2), 'I16': ('h', 2), 'U16': ('H', 2),
    'I8': ('b', 1), 'U8': ('B', 1), 'BOOL': ('B', 1),
}


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def write(path, tensors, metadata=None, pad=True, order=None):
    """tensors: {name: (dtype, shape, flat list of values)}. Writes widest dtypes first, then
    by name (as the reference implementation orders them), unless `order` lists the names."""
    names = order or sorted(tensors, key=lambda k: (-DTYPES[tensors[k][0]][1], k))
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    chunks = []
    offset = 0
    for name in names:
        dtype, shape, values = tensors[name]
        code, size = DTYPES[dtype]
        assert len(values) == numel(shape)
        data = struct.pack('<%d%s' % (len(values), code), *values)
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    if pad:
        text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def read(path):
    """Returns ({name: (dtype, shape, values)}, metadata), checking what the format requires."""
    with open(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError('file shorter than 8 bytes')
    (n,) = struct.unpack('<Q', raw[:8])
    if 8 + n > len(raw):
        raise ValueError('header length %d beyond the file (%d bytes)' % (n, len(raw)))
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    buf = raw[8 + n:]
    metadata = header.pop('__metadata__', {})
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise ValueError('metadata %r is not a string' % k)
    out = {}
    spans = []
    for name, info in header.items():
        dtype, shape, (begin, end) = info['dtype'], info['shape'], info['data_offsets']
        code, size = DTYPES[dtype]
        count = numel(shape)
        if end - begin != count * size or end > len(buf):
            raise ValueError('tensor %r: offsets %r do not fit %s %r' % (name, (begin, end), dtype, shape))
        out[name] = (dtype, shape, list(struct.unpack('<%d%s' % (count, code), buf[begin:end])))
        spans.append((begin, end))
    at = 0
    for begin, end in sorted(spans):
        if begin != at:
            raise ValueError('gap or overlap at byte %d' % at)
        at = end
    if at != len(buf):
        raise ValueError('data buffer is %d bytes, header covers %d' % (len(buf), at))
    return out, metadata
