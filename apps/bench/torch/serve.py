"""
PyTorch as a benchmark system: the child process of the `torch-1` and `torch-2` systems of
`pnpm bench`, speaking the JSON-line protocol of the Node children (apps/bench/src/bench.ts):

    -> {"ready": true}                          once torch has loaded
    <- {"info": true}                           -> {"info": {...}}
    <- {"case": NAME, "def": CASE}              -> {"samples": [ms, ...], "loss": [first, last, steps]}
                                                   or {"unsupported": why} or {"error": message}

`def` is the case as cases.ts defines it (its work, sample counts and time budgets), so this file
holds no case list of its own; a case is prepared and warmed up on its first request, as in Node.

    /usr/bin/python3 serve.py --torch-threads 1 --blas-threads 1

The thread settings must come before torch is imported (OpenBLAS reads its variable as it loads),
so they are arguments, put into the environment here. Weights and batches come from tgdata.py,
the same float32 values as the Node systems' (data.ts).
"""
import argparse
import json
import math
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument('--torch-threads', type=int, default=1)
parser.add_argument('--blas-threads', type=int, default=1)
parser.add_argument('--name', default='torch')
args = parser.parse_args()
os.environ['OPENBLAS_NUM_THREADS'] = str(args.blas_threads)
os.environ['OMP_NUM_THREADS'] = str(args.torch_threads)

# OpenBLAS picks its kernels for the processor it detects as it loads. 0.3.21 (Debian 12's) does
# not know every recent one: on a 2-vCPU Sapphire-Rapids-class Xeon it took the processor for a
# Prescott (SSE3) and ran a 512 matmul at 43 GFLOP/s instead of ~190 with its AVX-512 kernels.
# So ask a throwaway process which core it picks, and when that core lacks the vector units this
# processor reports, name the right family in OPENBLAS_CORETYPE (as a user who knew would); one
# set by the caller is left alone. The system's info says which core ran and why.
GENERIC_CORES = {'prescott', 'core2', 'penryn', 'dunnington', 'nehalem', 'atom', 'katmai', 'coppermine', 'northwood', 'banias', 'unknown'}


def cpu_flags():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return set(line.split(':', 1)[1].split())
    except OSError:
        pass
    return set()


def openblas_core(env):
    """The core OpenBLAS picks under env, from a throwaway process (None when it will not load)."""
    import subprocess
    code = ("import ctypes; l = ctypes.CDLL('libopenblas.so.0'); l.openblas_get_corename.restype = ctypes.c_char_p; "
            "print(l.openblas_get_corename().decode())")
    try:
        r = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return (r.stdout.strip() or None) if r.returncode == 0 else None


def choose_coretype():
    """(OPENBLAS_CORETYPE to set or None, why) for this processor."""
    if 'OPENBLAS_CORETYPE' in os.environ:
        return None, 'OPENBLAS_CORETYPE=%s from the caller' % os.environ['OPENBLAS_CORETYPE']
    detected = openblas_core(dict(os.environ))
    if detected is None or detected.lower() not in GENERIC_CORES:
        return None, 'detected by OpenBLAS'
    flags = cpu_flags()
    if {'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'} <= flags:
        want = 'SkylakeX'
    elif {'avx2', 'fma'} <= flags:
        want = 'Haswell'
    else:
        return None, 'detected by OpenBLAS'
    return want, 'OPENBLAS_CORETYPE=%s set by serve.py: OpenBLAS detected %s, a core without the %s this processor has' % (
        want, detected, 'AVX-512' if want == 'SkylakeX' else 'AVX2 and FMA')


CORETYPE, CORETYPE_WHY = choose_coretype()
if CORETYPE is not None:
    os.environ['OPENBLAS_CORETYPE'] = CORETYPE

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tgdata  # noqa: E402

try:
    import torch  # noqa: E402
    import torch.nn as nn  # noqa: E402
    import torch.nn.functional as F  # noqa: E402
except ImportError as e:  # the bench probes for torch first; this is for running the file by hand
    sys.stdout.write(json.dumps({'ready': False, 'error': 'no torch in %s: %s' % (sys.executable, e)}) + '\n')
    sys.exit(0)

torch.set_num_threads(args.torch_threads)
torch.manual_seed(0)


def now_ms():
    return time.perf_counter() * 1000


def sample_for(fn, max_runs, budget_ms):
    """measure.ts's sampleFor: up to max_runs calls, none started after budget_ms (at least one)."""
    out = []
    start = now_ms()
    while len(out) < max(1, max_runs) and (not out or now_ms() - start < budget_ms):
        t0 = now_ms()
        fn()
        out.append(now_ms() - t0)
    return out


def warm_up(fn, min_runs, min_ms):
    """measure.ts's warmUp: at least min_runs untimed calls (one at least), and on until min_ms have passed."""
    start = now_ms()
    runs = 0
    while True:
        fn()
        runs += 1
        if now_ms() - start >= min_ms and runs >= min_runs:
            return runs


def floats(values, shape):
    """A float32 tensor of tgdata's values (an array('f'))."""
    return torch.frombuffer(bytearray(values.tobytes()), dtype=torch.float32).reshape(shape)


def longs(values, shape):
    return torch.tensor(values, dtype=torch.long).reshape(shape)


def initialise(model, scheme, key):
    """Every parameter from tgdata.init_values, in named_parameters() order (each tensor once)."""
    named = list(model.named_parameters())
    values = tgdata.init_values(scheme, key, [(n, list(p.shape)) for n, p in named])
    with torch.no_grad():
        for (_, p), v in zip(named, values):
            p.copy_(floats(v, p.shape))


def stepper(optimizer, loss_fn, params=None, clip=None):
    """forward, zero the gradients, backward, (clip), step, the loss read back: one training step."""

    def step():
        loss = loss_fn()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        return loss.item()

    return step


# ---- nanoGPT's model (model.py's shape, written out here; torch 1.13 has no scaled_dot_product_attention)

class LayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c['nEmbd'], 3 * c['nEmbd'], bias=c['bias'])
        self.c_proj = nn.Linear(c['nEmbd'], c['nEmbd'], bias=c['bias'])
        self.attn_dropout = nn.Dropout(c['dropout'])
        self.resid_dropout = nn.Dropout(c['dropout'])
        self.n_head = c['nHead']
        self.n_embd = c['nEmbd']
        T = c['blockSize']
        self.register_buffer('bias', torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x, cache=None):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        heads = lambda t: t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # noqa: E731
        q, k, v = heads(q), heads(k), heads(v)
        if cache is not None:  # the key/value cache of generate: earlier positions' keys and values, then these
            if cache:
                k, v = torch.cat((cache[0], k), dim=2), torch.cat((cache[1], v), dim=2)
            cache[:] = [k, v]
        S = k.size(2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, S - T:S, :S] == 0, float('-inf'))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c['nEmbd'], 4 * c['nEmbd'], bias=c['bias'])
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * c['nEmbd'], c['nEmbd'], bias=c['bias'])
        self.dropout = nn.Dropout(c['dropout'])

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c['nEmbd'], c['bias'])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c['nEmbd'], c['bias'])
        self.mlp = MLP(c)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.block_size = c['blockSize']
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c['vocabSize'], c['nEmbd']),
            wpe=nn.Embedding(c['blockSize'], c['nEmbd']),
            drop=nn.Dropout(c['dropout']),
            h=nn.ModuleList([Block(c) for _ in range(c['nLayer'])]),
            ln_f=LayerNorm(c['nEmbd'], c['bias']),
        ))
        self.lm_head = nn.Linear(c['nEmbd'], c['vocabSize'], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT

    def forward(self, idx, targets=None, caches=None):
        b, t = idx.size()
        past = caches[0][0].size(2) if caches and caches[0] else 0
        pos = torch.arange(past, past + t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for i, block in enumerate(self.transformer.h):
            x = block(x, caches[i] if caches is not None else None)
        x = self.transformer.ln_f(x)
        if targets is not None:
            logits = self.lm_head(x)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
            return logits, loss
        return self.lm_head(x[:, [-1], :]), None

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        params = [p for p in self.parameters() if p.requires_grad]
        groups = [
            {'params': [p for p in params if p.dim() >= 2], 'weight_decay': weight_decay},
            {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0},
        ]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        """nanoGPT's generate over a key/value cache, as apps/gpt's: one new token per forward while the
        sequence fits the block (the first fills the caches from the prompt), the cropped window past it."""
        caches = [[] for _ in self.transformer.h]
        for _ in range(max_new_tokens):
            T = idx.size(1)
            if T <= self.block_size:
                logits, _ = self(idx if not caches[0] else idx[:, T - 1:], caches=caches)
            else:
                logits, _ = self(idx[:, -self.block_size:])
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float('Inf')
            probs = F.softmax(logits, dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
        return idx


def gpt_batch(w):
    T, V = w['config']['blockSize'], w['config']['vocabSize']
    ids = longs(tgdata.tokens(w['batch'] * (T + 1), w['seed'], V), [w['batch'], T + 1])
    return ids[:, :T].contiguous(), ids[:, 1:].contiguous()


# ---- the other models

class Makemore(nn.Module):
    """makemore part 2 (Bengio 2003): embed a 3-character context, tanh hidden layer, logits."""

    def __init__(self, w):
        super().__init__()
        self.C = nn.Embedding(w['vocab'], w['embed'])
        self.l1 = nn.Linear(w['context'] * w['embed'], w['hidden'])
        self.l2 = nn.Linear(w['hidden'], w['vocab'])

    def forward(self, x):
        return self.l2(torch.tanh(self.l1(self.C(x).view(x.shape[0], -1))))


class Sequence(nn.Module):
    """pytorch/examples time_sequence_prediction's model, in float32, without its `future` steps."""

    def __init__(self, hidden):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden)
        c_t = torch.zeros(input.size(0), self.hidden)
        h_t2 = torch.zeros(input.size(0), self.hidden)
        c_t2 = torch.zeros(input.size(0), self.hidden)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            outputs += [self.linear(h_t2)]
        return torch.cat(outputs, dim=1)


class Net(nn.Module):
    """pytorch/examples mnist's Net."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


MLP_SIZES = (784, 256, 128, 10)  # data.ts's MLP_SIZES, MLP_LR, CNN_LR, CNN_MOMENTUM
MLP_LR = 0.01
CNN_LR = 0.05
CNN_MOMENTUM = 0.9


def prepare(w):
    """A function running the case's work once (returning the loss for training steps)."""
    kind = w['kind']
    if kind == 'matmul':
        n = w['n']
        a, b = floats(tgdata.uniform(n * n, 1), [n, n]), floats(tgdata.uniform(n * n, 2), [n, n])
        return lambda: torch.matmul(a, b)
    if kind == 'elementwise':
        n = w['n']
        # tgdata's generator is pure Python (~1 s per million values): torch's own uniforms above 1M
        make = (lambda seed: floats(tgdata.uniform(n, seed, -4, 4), [n])) if n <= 1 << 20 else (lambda seed: torch.empty(n).uniform_(-4, 4))
        a = make(11)
        if w['op'] == 'add':
            b = make(12)
            return lambda: torch.add(a, b)
        return (lambda: torch.relu(a)) if w['op'] == 'relu' else (lambda: torch.exp(a))
    if kind == 'mlp':
        i, h1, h2, o = MLP_SIZES
        model = nn.Sequential(nn.Linear(i, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, o))
        initialise(model, 'fan-in', 'mlp')
        x = floats(tgdata.uniform(w['batch'] * i, 3, 0, 1), [w['batch'], i])
        y = longs(tgdata.labels(w['batch']), [w['batch']])
        return stepper(torch.optim.SGD(model.parameters(), lr=MLP_LR), lambda: F.cross_entropy(model(x), y))
    if kind == 'cnn':
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(16 * 7 * 7, 10))
        x = floats(tgdata.uniform(w['batch'] * 28 * 28, 4, 0, 1), [w['batch'], 1, 28, 28])
        y = longs(tgdata.labels(w['batch']), [w['batch']])
        opt = torch.optim.SGD(model.parameters(), lr=CNN_LR, momentum=CNN_MOMENTUM)
        return stepper(opt, lambda: F.cross_entropy(model(x), y))
    if kind == 'gpt-train':
        c = w['config']
        model = GPT(c)
        initialise(model, {'kind': 'gpt', 'nLayer': c['nLayer']}, 'gpt')
        model.train()
        opt = model.configure_optimizers(w['weightDecay'], w['lr'], tuple(w['betas']))
        x, y = gpt_batch(w)
        return stepper(opt, lambda: model(x, y)[1], list(model.parameters()), w['clip'])
    if kind == 'gpt-generate':
        c = w['config']
        model = GPT(c)
        initialise(model, {'kind': 'gpt', 'nLayer': c['nLayer']}, 'gpt')
        model.eval()
        idx = torch.zeros(1, w['prompt'], dtype=torch.long)
        return lambda: model.generate(idx, w['tokens'], temperature=w['temperature'], top_k=w['topK'])
    if kind == 'makemore':
        model = Makemore(w)
        initialise(model, 'fan-in', 'makemore')
        x = longs(tgdata.tokens(w['batch'] * w['context'], w['seed'], w['vocab']), [w['batch'], w['context']])
        y = longs(tgdata.tokens(w['batch'], w['seed'] + 1, w['vocab']), [w['batch']])
        return stepper(torch.optim.SGD(model.parameters(), lr=w['lr']), lambda: F.cross_entropy(model(x), y))
    if kind == 'lstm':
        model = Sequence(w['hidden'])
        initialise(model, 'fan-in', 'lstm')
        n = w['steps'] + 1
        seq = floats(tgdata.uniform(w['batch'] * n, w['seed']), [w['batch'], n])
        x, y = seq[:, :-1].contiguous(), seq[:, 1:].contiguous()
        return stepper(torch.optim.Adam(model.parameters(), lr=w['lr']), lambda: F.mse_loss(model(x), y))
    if kind == 'mnist-net':
        model = Net()
        initialise(model, 'fan-in', 'mnist-net')
        model.train()
        x = floats(tgdata.uniform(w['batch'] * 28 * 28, w['seed'], 0, 1), [w['batch'], 1, 28, 28])
        y = longs(tgdata.labels(w['batch']), [w['batch']])
        return stepper(torch.optim.Adadelta(model.parameters(), lr=w['lr']), lambda: F.nll_loss(model(x), y))
    return None


def blas_facts():
    """Which BLAS this process loaded (from its memory map) and a matmul's speed with it."""
    n = 512
    a, b = torch.rand(n, n), torch.rand(n, n)
    for _ in range(3):
        a @ b
    runs, t0 = 10, now_ms()
    for _ in range(runs):
        a @ b
    gflops = 2 * n ** 3 * runs / ((now_ms() - t0) * 1e6)
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ''
            if 'blas' in os.path.basename(path).lower() or 'lapack' in os.path.basename(path).lower():
                libs.add(os.path.basename(path))
    openblas = any('openblas' in lib for lib in libs)
    core = 'unknown'
    if openblas:
        import ctypes
        try:
            lib = ctypes.CDLL('libopenblas.so.0')  # the copy torch loaded: the same soname
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            pass
    if not openblas:
        sys.stderr.write('%s: OpenBLAS is not loaded (%s): torch is on the reference BLAS; install libopenblas0-pthread\n' % (args.name, ', '.join(sorted(libs)) or 'no BLAS library mapped'))
    return {
        'blas': '%s%s' % (', '.join(sorted(libs)) or 'none found', '' if openblas else ' (NOT OpenBLAS: reference BLAS is ~6 GFLOP/s; install libopenblas0-pthread)'),
        'openblas': str(openblas).lower(),
        'openblas core': '%s (%s)' % (core, CORETYPE_WHY),
        'matmul512': '%.0f GFLOP/s at start-up' % gflops,
    }


def main():
    facts = blas_facts()
    info = {
        'library': 'PyTorch %s (%s)' % (torch.__version__, sys.executable),
        'backend': 'CPU, torch.set_num_threads(%d), OPENBLAS_NUM_THREADS=%d' % (args.torch_threads, args.blas_threads),
        **facts,
    }
    out = lambda x: (sys.stdout.write(json.dumps(x) + '\n'), sys.stdout.flush())  # noqa: E731
    out({'ready': True})
    prepared = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get('info'):
            out({'info': info})
            continue
        name, c = req.get('case'), req.get('def')
        try:
            entry = prepared.get(name)
            if entry is None:
                run = prepare(c['work'])
                if run is None:
                    out({'unsupported': 'no PyTorch version of %s work' % c['work']['kind']})
                    continue
                entry = {'run': run, 'loss': None}

                def timed(entry=entry):
                    v = entry['run']()
                    if isinstance(v, float):
                        l = entry['loss']
                        entry['loss'] = [v, v, 1] if l is None else [l[0], v, l[2] + 1]

                entry['timed'] = timed
                prepared[name] = entry
                warm_up(timed, c['warmupRuns'], c['warmupMs'])
            samples = sample_for(entry['timed'], c['maxRuns'], c['budgetMs'])
            out({'samples': samples, 'loss': entry['loss']} if entry['loss'] is not None else {'samples': samples})
        except Exception as e:  # noqa: BLE001 -- one case's failure is reported, the others go on
            out({'error': ('%s: %s' % (type(e).__name__, e)).split('\n')[0]})


main()
