#!/usr/bin/python3
"""Writes the PyTorch fixtures of test/fixtures/torch/ (a few KB each), once, with Debian's python3-torch.

    apt-get install -y python3-torch && /usr/bin/python3 scripts/make_torch_fixtures.py

- nanogpt/ckpt.pt, nanogpt/meta.pkl, nanogpt/reference.json: a tiny nanoGPT char model (1 layer,
  width 8, 2 heads, block 8, 10 characters, bias=True) saved as nanoGPT's train.py saves it, with the
  `_orig_mod.` prefixes torch.compile adds, an AdamW state after one step, and the logits of nanoGPT's
  forward (exact erf GELU) and of the same model with the tanh GELU, in float64, for one input.
- nanogpt-nobias/: the same with bias=False and two layers, saved with optimizer None (every storage
  is a zip entry of 64-byte-aligned records: AdamW's state triples the file).
- tensors.pt / tensors.json: views with storage offsets and strides, shared storage, and every dtype
  the reader decodes; tensors-big.pt: the same archive rewritten big-endian (byteorder "big").
- evil.pt: a checkpoint whose pickle calls os.system (never load it with torch.load).

The model code follows karpathy/nanoGPT model.py (GPT, Block, CausalSelfAttention, MLP, LayerNorm).
"""
import io
import json
import math
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'torch')


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
        self.c_attn = nn.Linear(c['n_embd'], 3 * c['n_embd'], bias=c['bias'])
        self.c_proj = nn.Linear(c['n_embd'], c['n_embd'], bias=c['bias'])
        self.n_head, self.n_embd = c['n_head'], c['n_embd']

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = att.masked_fill(~mask, float('-inf')).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c['n_embd'], 4 * c['n_embd'], bias=c['bias'])
        self.c_proj = nn.Linear(4 * c['n_embd'], c['n_embd'], bias=c['bias'])
        self.approximate = 'none'  # nanoGPT: nn.GELU()

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate=self.approximate))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c['n_embd'], c['bias'])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c['n_embd'], c['bias'])
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c['vocab_size'], c['n_embd']),
            wpe=nn.Embedding(c['block_size'], c['n_embd']),
            h=nn.ModuleList([Block(c) for _ in range(c['n_layer'])]),
            ln_f=LayerNorm(c['n_embd'], c['bias']),
        ))
        self.lm_head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT

    def forward(self, idx):
        pos = torch.arange(idx.size(1))
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for b in self.transformer.h:
            x = b(x)
        return self.lm_head(self.transformer.ln_f(x))


CHARS = ['\n', ' ', '!', 'a', 'b', 'c', 'd', 'e', 'f', 'g']


def nanogpt(name, n_layer, bias, with_optimizer):
    torch.manual_seed(1234 + n_layer)
    args = dict(n_layer=n_layer, n_head=2, n_embd=8, block_size=8, bias=bias, vocab_size=len(CHARS), dropout=0.0)
    model = GPT(args)
    with torch.no_grad():  # weights large enough that every block matters
        for n, p in model.named_parameters():
            p.copy_(torch.randn_like(p) * (0.2 if n.endswith('bias') else 0.5) + (1.0 if 'ln' in n and n.endswith('weight') else 0.0))
    idx = torch.tensor([[3, 4, 1, 5, 6, 0, 7, 2]])
    # reference logits before the optimizer step changes the weights: float64 copies
    ref = {'ids': idx[0].tolist()}
    m64 = GPT(args).double()
    m64.load_state_dict(model.state_dict())
    with torch.no_grad():
        ref['logits_erf'] = m64(idx)[0].flatten().tolist()
        for blk in m64.transformer.h:
            blk.mlp.approximate = 'tanh'
        ref['logits_tanh'] = m64(idx)[0].flatten().tolist()
    state = OrderedDict(('_orig_mod.' + k, v) for k, v in model.state_dict().items())  # as a torch.compile'd model saves
    # one AdamW step on a copy, so the checkpoint carries a real optimizer state without changing the weights saved
    clone = GPT(args)
    clone.load_state_dict(model.state_dict())
    opt = torch.optim.AdamW(clone.parameters(), lr=1e-3)
    F.cross_entropy(clone(idx).view(-1, len(CHARS)), idx.view(-1)).backward()
    opt.step()
    config = dict(dataset='shakespeare_char', learning_rate=1e-3, min_lr=1e-4, max_iters=5000, warmup_iters=100, weight_decay=0.1,
                  beta1=0.9, beta2=0.99, grad_clip=1.0, batch_size=64, eval_interval=250, eval_iters=200, decay_lr=True, compile=True,
                  dtype='float32', device='cpu')
    ckpt = {'model': state, 'optimizer': opt.state_dict() if with_optimizer else None, 'model_args': args, 'iter_num': 5, 'best_val_loss': torch.tensor(2.25), 'config': config}
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    torch.save(ckpt, os.path.join(d, 'ckpt.pt'))
    meta = {'vocab_size': len(CHARS), 'itos': {i: c for i, c in enumerate(CHARS)}, 'stoi': {c: i for i, c in enumerate(CHARS)}}
    with open(os.path.join(d, 'meta.pkl'), 'wb') as f:
        pickle.dump(meta, f)
    with open(os.path.join(d, 'reference.json'), 'w') as f:
        json.dump(ref, f)


def tensors():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4 - 1
    t = {
        'base': base,
        'transposed': base.t(),                  # strides (1, 4), same storage
        'rows': base[1:],                        # storage offset 4
        'column': base[:, 2],                    # offset 2, stride 4
        'f16': torch.tensor([1.5, -2.25, 65504.0, 6e-8], dtype=torch.float16),
        'bf16': torch.tensor([1.5, -2.25, 3.0e38, 1e-3], dtype=torch.bfloat16),
        'f64': torch.tensor([[1 / 3, -2.5]], dtype=torch.float64),
        'i64': torch.tensor([-3, 2 ** 40, 7], dtype=torch.int64),
        'i32': torch.tensor([-5, 6], dtype=torch.int32),
        'u8': torch.tensor([0, 255], dtype=torch.uint8),
        'flag': torch.tensor([True, False, True]),
        'scalar': torch.tensor(0.125),
    }
    sd = OrderedDict(t)
    sd['nested'] = {'list': [1, 2.5, 'x', None, True], 'tuple': (3, 'y'), 'bytes': b'\x00\xffab', 'big': 2 ** 70, 'neg': -2 ** 33}
    buf = io.BytesIO()
    torch.save(sd, buf)
    raw = buf.getvalue()
    with open(os.path.join(OUT, 'tensors.pt'), 'wb') as f:
        f.write(raw)
    expected = {k: {'shape': list(v.shape), 'values': v.double().flatten().tolist(), 'dtype': str(v.dtype).replace('torch.', '')} for k, v in t.items()}
    with open(os.path.join(OUT, 'tensors.json'), 'w') as f:
        json.dump(expected, f)
    # the same archive, big-endian: swap each storage's bytes by its element size, byteorder "big"
    src = zipfile.ZipFile(io.BytesIO(raw))
    # map storage keys to element sizes by reading the pickle's persistent ids
    keys = {}

    class Finder(pickle.Unpickler):
        def find_class(self, mod, name):
            if mod == 'torch' and name.endswith('Storage'):
                return getattr(torch, name)
            if mod == 'torch._utils':
                return lambda *a: None
            if mod == 'collections':
                return OrderedDict
            if mod == '_codecs':
                return lambda s, enc: s.encode(enc)
            raise pickle.UnpicklingError(mod + '.' + name)

        def persistent_load(self, pid):
            _, typ, key, _, _ = pid
            keys[key] = typ(0).element_size()
            return None

    prefix = [n for n in src.namelist() if n.endswith('data.pkl')][0][:-len('data.pkl')]
    Finder(io.BytesIO(src.read(prefix + 'data.pkl'))).load()
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as z:
        for n in src.namelist():
            data = src.read(n)
            if n == prefix + 'byteorder':
                data = b'big'
            elif n.startswith(prefix + 'data/'):
                size = keys[n[len(prefix + 'data/'):]]
                data = b''.join(data[i:i + size][::-1] for i in range(0, len(data), size))
            z.writestr(n, data)
        if prefix + 'byteorder' not in src.namelist():
            z.writestr(prefix + 'byteorder', b'big')
    with open(os.path.join(OUT, 'tensors-big.pt'), 'wb') as f:
        f.write(out.getvalue())


class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned > /tmp/versiflow-pwned',))


def evil():
    torch.save({'model': OrderedDict(w=torch.zeros(2)), 'x': Evil()}, os.path.join(OUT, 'evil.pt'))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    nanogpt('nanogpt', 1, True, True)
    nanogpt('nanogpt-nobias', 2, False, False)
    tensors()
    evil()
    print('torch', torch.__version__, '->', os.path.relpath(OUT), file=sys.stderr)
