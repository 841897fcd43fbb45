"""
The bench's inputs in Python, bit for bit as apps/bench/src/data.ts makes them: the seeded
xorshift `uniform` (rounded to float32), token ids, class labels, per-parameter seeds and the
deterministic initialisation schemes. Pure Python (no torch, no numpy), so that the bench's
tests can compare it with data.ts wherever a python3 exists:

    python3 tgdata.py uniform N SEED LO HI     # prints the N float32 values as a JSON list
    python3 tgdata.py init SCHEME_JSON KEY PARAMS_JSON   # the first 4 values of each parameter
"""
import array
import json
import math
import sys

_M32 = 0xFFFFFFFF


def uniform(n, seed, lo=-1.0, hi=1.0):
    """`n` float32 values in [lo, hi) from `seed`: data.ts's `uniform`, the same bits."""
    out = array.array('f', bytes(4 * n))
    # JavaScript: (seed * 0x9e3779b1) >>> 0 || 1, a double product (exact for the bench's seeds) taken mod 2^32
    s = int(seed * 0x9E3779B1) & _M32 or 1
    scale = (hi - lo) / 4294967296
    for i in range(n):
        s ^= (s << 13) & _M32
        s ^= s >> 17
        s ^= (s << 5) & _M32
        out[i] = lo + s * scale  # a double, rounded to float32 on the store as a Float32Array does
    return out


def tokens(n, seed, vocab):
    """`n` token ids in [0, vocab): the floor of float32 uniforms in [0, vocab), as data.ts's `tokens`."""
    return [min(vocab - 1, int(math.floor(v))) for v in uniform(n, seed, 0, vocab)]


def labels(batch):
    """Class labels 0..9 of a batch, as data.ts's `labels`."""
    return [(i * 7) % 10 for i in range(batch)]


def fnv1a(text):
    """32-bit FNV-1a of a string's UTF-16 code units (the bench's names are ASCII)."""
    h = 2166136261
    for ch in text:
        h = ((h ^ ord(ch)) * 16777619) & _M32
    return h


def param_seed(key, name):
    """The seed of parameter `name` of the model `key`: depends on the names only, not on their order."""
    return fnv1a(key + '/' + name) % 999983 + 1


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def init_bounds(scheme, params):
    """
    Per parameter, ('uniform', bound) or ('ones', None), as data.ts's `initBounds`.
    scheme 'fan-in': a matrix or kernel gets 1/sqrt(fan-in), a bias its weight's bound.
    scheme {'kind': 'gpt', 'nLayer': L}: vectors (layer-norm gains) are ones, matrices uniform with
    nanoGPT's std (0.02, residual projections 0.02/sqrt(2L)), i.e. bound std*sqrt(3).
    """
    shapes = dict(params)
    out = []
    for name, shape in params:
        if isinstance(scheme, dict) and scheme.get('kind') == 'gpt':
            if len(shape) < 2:
                out.append(('ones', None))
                continue
            std = 0.02 / math.sqrt(2 * scheme['nLayer']) if name.endswith('c_proj.weight') else 0.02
            out.append(('uniform', std * math.sqrt(3)))
            continue
        if scheme != 'fan-in':
            raise ValueError('unknown init scheme %r' % (scheme,))
        if len(shape) >= 2:
            out.append(('uniform', 1 / math.sqrt(_prod(shape[1:]))))
            continue
        head, _, last = name.rpartition('.')
        if not last.startswith('bias'):
            raise ValueError('fan-in init: no rule for the vector %s' % name)
        weight = (head + '.' if head else '') + 'weight' + last[4:]
        if weight not in shapes:
            raise ValueError('fan-in init: %s has no %s' % (name, weight))
        out.append(('uniform', 1 / math.sqrt(_prod(shapes[weight][1:]))))
    return out


def init_values(scheme, key, params):
    """Each parameter's initial float32 values, in the order of `params` ([name, shape] pairs)."""
    values = []
    for (name, shape), (kind, bound) in zip(params, init_bounds(scheme, params)):
        n = _prod(shape)
        values.append(array.array('f', [1.0] * n) if kind == 'ones' else uniform(n, param_seed(key, name), -bound, bound))
    return values


if __name__ == '__main__':
    if sys.argv[1] == 'uniform':
        n, seed, lo, hi = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(list(uniform(n, seed, lo, hi))))
    elif sys.argv[1] == 'tokens':
        print(json.dumps(tokens(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    elif sys.argv[1] == 'init':
        scheme, key, params = json.loads(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
        print(json.dumps([list(v[:4]) for v in init_values(scheme, key, [(n, s) for n, s in params])]))
    else:
        raise SystemExit('usage: tgdata.py uniform N SEED LO HI | tokens N SEED VOCAB | init SCHEME KEY PARAMS')
