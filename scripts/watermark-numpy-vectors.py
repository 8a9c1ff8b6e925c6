"""Writes test/model/watermark/fixtures/numpy-vectors.json: reference values from numpy and Python's
hashlib/hmac/math for the watermark tests (the tests themselves never need Python).

Run: python3 scripts/watermark-numpy-vectors.py   (needs numpy >= 1.17; produced with numpy 2.4.6)
"""
import hashlib
import hmac
import json
import math
import os

import numpy as np

GAMMA = 0.25
HASH_KEY = 15485863  # jwkirchenbauer/lm-watermarking simple_1


def perm_sha(a):
    return hashlib.sha256(np.asarray(a, dtype='<u4').tobytes()).hexdigest()


def poetru_seed(prev, V):
    d = hashlib.sha256(f"kirchenbauer_soft:{prev}:{V}".encode()).digest()
    return int.from_bytes(d[:8], 'little')


def keyed_seed(key, ctx, V):
    msg = f"keyed:{V}:{','.join(str(i) for i in ctx)}".encode()
    return int.from_bytes(hmac.new(key.encode(), msg, hashlib.sha256).digest()[:8], 'little')


def green(seed, V):
    return np.random.default_rng(seed).permutation(V)[: int(GAMMA * V)]


out = {"numpy": np.__version__}

ents = [0, 1, 42, 2**32, 2**32 + 5, 2**64 - 1, 9195847125392385889, 2**128 + 12345, 2**200 + 7]
out["seedSequence"] = [
    {
        "entropy": str(e),
        "pool": [int(x) for x in np.random.SeedSequence(e).pool],
        "state32": [int(x) for x in np.random.SeedSequence(e).generate_state(8, np.uint32)],
        "state64": [str(int(x)) for x in np.random.SeedSequence(e).generate_state(4, np.uint64)],
    }
    for e in ents
]

out["pcg64"] = []
for e in [0, 1, 42, 9195847125392385889, 2**100 + 3]:
    bg = np.random.PCG64(e)
    st = bg.state["state"]
    out["pcg64"].append(
        {"seed": str(e), "state": str(st["state"]), "inc": str(st["inc"]), "raw": [str(int(x)) for x in bg.random_raw(6)]}
    )


out["smallPermutations"] = [
    {"n": n, "seed": str(s), "perm": [int(x) for x in np.random.default_rng(s).permutation(n)]}
    for n, s in [(1, 3), (2, 3), (3, 5), (10, 0), (17, 2**40 + 1), (100, 42), (1000, 9195847125392385889)]
]

out["poetru"] = []
for V in [24000, 32000, 50257]:
    for prev in [0, 1, 126, 500, V - 1]:
        s = poetru_seed(prev, V)
        p = np.random.default_rng(s).permutation(V)
        gl = p[: int(GAMMA * V)]
        out["poetru"].append(
            {"prev": prev, "V": V, "seed": str(s), "permHead": [int(x) for x in p[:16]], "permSha": perm_sha(p),
             "greenSize": int(len(gl)), "greenSortedHead": [int(x) for x in np.sort(gl)[:10]]}
        )

out["lefthash"] = [
    {"prev": prev, "V": 24000, "seed": str(HASH_KEY * prev), "greenSha": perm_sha(green(HASH_KEY * prev, 24000))}
    for prev in [0, 1, 126, 5000]
]

KEY = "versiflow-test-key"
out["keyed"] = {
    "key": KEY,
    "cases": [
        {"ctx": ctx, "V": 24000, "seed": str(keyed_seed(KEY, ctx, 24000)),
         "greenSha": perm_sha(green(keyed_seed(KEY, ctx, 24000), 24000))}
        for ctx in [[126], [0], [1, 2, 3], [23999, 5]]
    ],
}

out["erfc"] = [[x, math.erfc(x)] for x in [-3.0, -1.0, -0.25, 0.0, 1e-8, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.5, 10.0, 20.0, 27.0]]

path = os.path.join(os.path.dirname(__file__), "..", "test", "model", "watermark", "fixtures", "numpy-vectors.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
