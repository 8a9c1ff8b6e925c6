#!/usr/bin/python3
"""Checks a `versiflow export --format hf` folder against plain PyTorch code that follows Transformers'
LlamaForCausalLM and GPT2LMHeadModel (transformers 4.57 modeling_llama.py / modeling_gpt2.py, eager
attention), without the transformers package (not installable offline here): it reads config.json and
model.safetensors, runs the forward pass in float32 as Transformers does, and compares the logits with
Versiflow's.

    /usr/bin/python3 scripts/hf_reference_check.py --model DIR --logits versiflow.json [--tol 1e-4]
    /usr/bin/python3 scripts/hf_reference_check.py --model DIR --ids 1,2,3 --print

versiflow.json: {"ids": [...], "logits": [T·V floats, row-major]}. Prints one JSON line per model
{"model", "family", "T", "V", "max_abs_diff", "max_abs_diff_f64", "torch_f32_error", "max_abs_logit",
"argmax_agree"} (max_abs_diff: against PyTorch in float32, as Transformers runs; _f64: against the same
forward in float64; torch_f32_error: PyTorch float32 against float64, the rounding floor); --model/--logits may
repeat (one torch start for several checks); exit 0 when every max_abs_diff <= tol, 1 otherwise.
Needs torch (Debian: apt-get install python3-torch).
"""
import argparse
import json
import math
import struct
import sys

import torch

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F64': torch.float64}


def load_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        b, e = info['data_offsets']
        t = torch.frombuffer(bytearray(raw[base + b:base + e]), dtype=DTYPES[info['dtype']])
        out[name] = t.reshape(info['shape']).float()
    return out


def causal_mask(T, dtype):
    m = torch.full((T, T), torch.finfo(dtype).min, dtype=dtype)
    return torch.triu(m, diagonal=1)  # 0 on and below the diagonal


# --- Llama (modeling_llama.py) ---

def rms_norm(x, w, eps):
    x32 = x.to(torch.float32)
    var = x32.pow(2).mean(-1, keepdim=True)
    return w * (x32 * torch.rsqrt(var + eps)).to(x.dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def llama_forward(cfg, w, ids):
    C = cfg['hidden_size']
    H = cfg['num_attention_heads']
    KV = cfg.get('num_key_value_heads') or H
    d = cfg.get('head_dim') or C // H
    eps = cfg.get('rms_norm_eps', 1e-6)
    theta = cfg.get('rope_theta', 10000.0)
    T = ids.shape[1]
    lin = lambda x, name, bias: torch.nn.functional.linear(x, w[name + '.weight'], w.get(name + '.bias') if bias else None)
    # LlamaRotaryEmbedding, default rope_type
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    pos = torch.arange(T)[None, :].float()
    freqs = (inv_freq[None, :, None].float() @ pos[:, None, :]).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [1, 1, T, d]
    x = w['model.embed_tokens.weight'][ids]
    ab = cfg.get('attention_bias', False)
    mb = cfg.get('mlp_bias', False)
    mask = causal_mask(T, x.dtype)
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        h = rms_norm(x, w[p + 'input_layernorm.weight'], eps)
        q = lin(h, p + 'self_attn.q_proj', ab).view(1, T, H, d).transpose(1, 2)
        k = lin(h, p + 'self_attn.k_proj', ab).view(1, T, KV, d).transpose(1, 2)
        v = lin(h, p + 'self_attn.v_proj', ab).view(1, T, KV, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)  # repeat_kv
        v = v.repeat_interleave(H // KV, dim=1)
        att = torch.matmul(q, k.transpose(2, 3)) * d ** -0.5 + mask
        att = torch.nn.functional.softmax(att, dim=-1, dtype=torch.float32).to(q.dtype)
        o = torch.matmul(att, v).transpose(1, 2).reshape(1, T, H * d)
        x = x + lin(o, p + 'self_attn.o_proj', ab)
        h = rms_norm(x, w[p + 'post_attention_layernorm.weight'], eps)
        g = lin(h, p + 'mlp.gate_proj', mb)
        x = x + lin(torch.nn.functional.silu(g) * lin(h, p + 'mlp.up_proj', mb), p + 'mlp.down_proj', mb)
    x = rms_norm(x, w['model.norm.weight'], eps)
    head = w['model.embed_tokens.weight'] if cfg.get('tie_word_embeddings', False) else w['lm_head.weight']
    return torch.nn.functional.linear(x, head)[0]


# --- GPT-2 (modeling_gpt2.py) ---

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2_forward(cfg, w, ids):
    C = cfg['n_embd']
    H = cfg['n_head']
    d = C // H
    eps = cfg.get('layer_norm_epsilon', 1e-5)
    T = ids.shape[1]
    pre = 'transformer.' if 'transformer.wte.weight' in w else ''
    conv1d = lambda x, name: torch.addmm(w[name + '.bias'], x.view(-1, x.size(-1)), w[name + '.weight']).view(x.shape[:-1] + (-1,))
    ln = lambda x, name: torch.nn.functional.layer_norm(x, (C,), w[name + '.weight'], w[name + '.bias'], eps)
    x = w[pre + 'wte.weight'][ids] + w[pre + 'wpe.weight'][torch.arange(T)][None]
    mask = causal_mask(T, x.dtype)
    for i in range(cfg['n_layer']):
        p = f'{pre}h.{i}.'
        h = ln(x, p + 'ln_1')
        q, k, v = conv1d(h, p + 'attn.c_attn').split(C, dim=2)
        q, k, v = (t.view(1, T, H, d).transpose(1, 2) for t in (q, k, v))
        att = torch.matmul(q, k.transpose(-1, -2))
        if cfg.get('scale_attn_weights', True):
            att = att / torch.full([], v.size(-1) ** 0.5, dtype=att.dtype)
        att = torch.nn.functional.softmax(att + mask, dim=-1)
        o = torch.matmul(att, v).transpose(1, 2).reshape(1, T, C)
        x = x + conv1d(o, p + 'attn.c_proj')
        h = ln(x, p + 'ln_2')
        act = cfg.get('activation_function', 'gelu_new')
        f = gelu_new if act in ('gelu_new', 'gelu_pytorch_tanh') else torch.nn.functional.gelu
        x = x + conv1d(f(conv1d(h, p + 'mlp.c_fc')), p + 'mlp.c_proj')
    x = ln(x, pre + 'ln_f')
    head = w[pre + 'wte.weight'] if cfg.get('tie_word_embeddings', True) else w['lm_head.weight']
    return torch.nn.functional.linear(x, head)[0]


def check(model, logits_file, ids_arg, tol, print_logits):
    with open(model + '/config.json') as f:
        cfg = json.load(f)
    w = load_safetensors(model + '/model.safetensors')
    theirs = None
    if logits_file:
        with open(logits_file) as f:
            theirs = json.load(f)
        ids = theirs['ids']
    else:
        ids = [int(x) for x in ids_arg.split(',')]
    family = cfg['model_type']
    fwd = {'llama': llama_forward, 'gpt2': gpt2_forward}[family]
    with torch.no_grad():
        logits = fwd(cfg, w, torch.tensor([ids]))
        # the same forward in float64: the exact function of the exported weights, and PyTorch's own float32 error
        logits64 = fwd(cfg, {k: v.double() for k, v in w.items()}, torch.tensor([ids]))
    T, V = logits.shape
    out = {'model': model, 'family': family, 'T': T, 'V': V}
    if print_logits:
        out['logits'] = logits.flatten().tolist()
    ok = True
    if theirs is not None:
        other = torch.tensor(theirs['logits'], dtype=torch.float32).view(T, V)
        diff = (logits - other).abs().max().item()
        out['max_abs_diff'] = diff
        out['max_abs_diff_f64'] = (logits64 - other.double()).abs().max().item()
        out['torch_f32_error'] = (logits64 - logits.double()).abs().max().item()
        out['max_abs_logit'] = logits.abs().max().item()
        out['argmax_agree'] = bool((logits.argmax(-1) == other.argmax(-1)).all().item())
        ok = diff <= tol
    print(json.dumps(out))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, action='append', help='export folder (repeat with --logits for several)')
    ap.add_argument('--logits', action='append', help="Versiflow's logits: JSON {ids, logits}, one per --model")
    ap.add_argument('--ids', help='comma-separated input ids (without --logits)')
    ap.add_argument('--tol', type=float, default=1e-4)
    ap.add_argument('--print', action='store_true', help='print the reference logits as JSON')
    a = ap.parse_args()
    logits = a.logits or [None] * len(a.model)
    if len(logits) != len(a.model):
        ap.error('give one --logits per --model')
    ok = all([check(m, l, a.ids, a.tol, a.print) for m, l in zip(a.model, logits)])
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
