"""Reads and writes safetensors files with numpy alone (no torch, no safetensors package): enough for the
conformance tools beside it. BF16 reads as float32."""
import json
import struct

import numpy as np

DT = {'F64': np.float64, 'F32': np.float32, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32, 'U8': np.uint8}
def read(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n]); meta = h.pop('__metadata__', {})
    out = {}
    for k, v in h.items():
        s, e = v['data_offsets']; raw = b[8 + n + s:8 + n + e]
        if v['dtype'] == 'BF16':
            a = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, DT[v['dtype']])
        out[k] = a.reshape(v['shape'])
    return out, meta
def write(path, tensors, meta):
    h, blobs, off = {}, [], 0
    names = {np.dtype(np.float64): 'F64', np.dtype(np.float32): 'F32', np.dtype(np.int64): 'I64'}
    for k, a in tensors.items():
        a = np.ascontiguousarray(a); raw = a.tobytes()
        h[k] = {'dtype': names[a.dtype], 'shape': list(a.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw); off += len(raw)
    h['__metadata__'] = meta
    js = json.dumps(h).encode(); js += b' ' * (-len(js) % 8)
    open(path, 'wb').write(struct.pack('<Q', len(js)) + js + b''.join(blobs))
