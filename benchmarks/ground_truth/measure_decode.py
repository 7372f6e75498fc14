#!/usr/bin/env python3
"""Measure LLM serving speed on one GPU: what the serving model in lifecycle/serving.py predicts.

Writes one JSON line per measurement (random bf16 weights; nothing downloaded):
- ``bandwidth``: achieved HBM read bandwidth of a bf16 matrix-vector product and of a copy.
- ``decode``: one decode step of a LLaMA-shaped network (my own minimal implementation: RMSNorm,
  fused QKV, grouped-query SDPA over a KV cache of ``ctx`` tokens, SwiGLU MLP, LM head, argmax),
  captured in a CUDA graph as serving engines do (vLLM, TensorRT-LLM), timed over many replays.
- ``prefill``: one forward pass over ``b × p`` prompt tokens (causal flash SDPA), no graph.
- ``hf_generate``: Hugging Face ``generate(do_sample=False)`` as in shared/ground-truth/measure.py,
  run warm (after a short warm-up call), plus an ``n = 1`` call to split prefill from decode.

usage: python3 benchmarks/ground_truth/measure_decode.py OUT.jsonl [--set=heldout]
(--set=heldout: other models and shapes than the default set, to test a model fitted on the default set)
"""
import gc
import json
import sys
import time
import traceback

import torch
import torch.nn.functional as F

OUT = sys.argv[1]
DEV, DT = "cuda", torch.bfloat16
LLAMA = {  # hidden, layers, ffn, heads, kv heads, vocab (as shared/ground-truth/measure.py)
    "llama-7b": (4096, 32, 11008, 32, 32, 32000),
    "llama3-8b": (4096, 32, 14336, 32, 8, 128256),
    "llama-13b": (5120, 40, 13824, 40, 40, 32000),
    "tinyllama-1.1b": (2048, 22, 5632, 32, 4, 32000),
}
HELDOUT = "--set=heldout" in sys.argv


def emit(rec):
    with open(OUT, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(json.dumps(rec), flush=True)


def guarded(fn, **kw):
    try:
        fn(**kw)
    except Exception as e:  # noqa: BLE001  (record and go on: one failure must not lose the rest)
        emit({"kind": "error", "fn": fn.__name__, "args": {k: str(v) for k, v in kw.items()},
              "error": f"{type(e).__name__}: {e}"[:400], "tb": traceback.format_exc()[-600:]})
    gc.collect()
    torch.cuda.empty_cache()


def timed(fn, reps):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1e3 / reps


def bandwidth():
    w = torch.randn(16384, 262144, device=DEV, dtype=DT)  # 8.6 GB
    x = torch.randn(1, 16384, device=DEV, dtype=DT)
    for _ in range(3):
        x @ w
    s = timed(lambda: x @ w, 10)
    emit({"kind": "bandwidth", "op": "gemv_bf16", "bytes": w.numel() * 2, "s": s, "bytes_per_s": w.numel() * 2 / s})
    y = torch.empty_like(w)
    y.copy_(w)
    s = timed(lambda: y.copy_(w), 10)
    emit({"kind": "bandwidth", "op": "copy", "bytes": 2 * w.numel() * 2, "s": s, "bytes_per_s": 2 * w.numel() * 2 / s})


class Llama:
    def __init__(self, name):
        d, L, ff, h, kv, V = LLAMA[name]
        self.d, self.L, self.h, self.kv, self.hd, self.V = d, L, h, kv, d // h, V
        r = lambda *s: torch.randn(*s, device=DEV, dtype=DT) * 0.02
        self.layers = [{"qkv": r(d, (h + 2 * kv) * self.hd), "o": r(d, d), "gu": r(d, 2 * ff), "down": r(ff, d),
                        "n1": torch.ones(d, device=DEV, dtype=DT), "n2": torch.ones(d, device=DEV, dtype=DT)}
                       for _ in range(L)]
        self.emb, self.head, self.nf = r(V, d), r(d, V), torch.ones(d, device=DEV, dtype=DT)
        self.weight_bytes = sum(t.numel() * 2 for l in self.layers for t in l.values()) + 2 * V * d * 2 + d * 2

    @staticmethod
    def rms(x, w):
        return (x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-6)).to(x.dtype) * w

    def mlp(self, x, l):
        g, u = (self.rms(x, l["n2"]) @ l["gu"]).chunk(2, -1)
        return x + (F.silu(g) * u) @ l["down"]

    def decode_step(self, tok, kc, vc):
        """tok [b]; kc/vc: per-layer [b, kv, ctx, hd]; the new token is written at position ctx-1."""
        b, h, kv, hd = tok.shape[0], self.h, self.kv, self.hd
        x = self.emb[tok]
        for i, l in enumerate(self.layers):
            q, k, v = (self.rms(x, l["n1"]) @ l["qkv"]).split([h * hd, kv * hd, kv * hd], -1)
            kc[i][:, :, -1] = k.view(b, kv, hd)
            vc[i][:, :, -1] = v.view(b, kv, hd)
            # grouped-query attention: the g = h/kv query heads of a group act as g query positions
            a = F.scaled_dot_product_attention(q.view(b, kv, h // kv, hd), kc[i], vc[i])
            x = self.mlp(x + a.reshape(b, h * hd) @ l["o"], l)
        return (self.rms(x, self.nf) @ self.head).argmax(-1)

    def prefill(self, ids):
        b, p = ids.shape
        h, kv, hd = self.h, self.kv, self.hd
        x = self.emb[ids].view(b * p, self.d)
        for l in self.layers:
            q, k, v = (self.rms(x, l["n1"]) @ l["qkv"]).split([h * hd, kv * hd, kv * hd], -1)
            q = q.view(b, p, h, hd).transpose(1, 2)
            k = k.view(b, p, kv, hd).transpose(1, 2).repeat_interleave(h // kv, 1)
            v = v.view(b, p, kv, hd).transpose(1, 2).repeat_interleave(h // kv, 1)
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b * p, h * hd)
            x = self.mlp(x + a @ l["o"], l)
        return (self.rms(x.view(b, p, self.d)[:, -1], self.nf) @ self.head).argmax(-1)


def decode(model, name, b, ctx, reps=30):
    kc = [torch.randn(b, model.kv, ctx, model.hd, device=DEV, dtype=DT) for _ in range(model.L)]
    vc = [torch.randn(b, model.kv, ctx, model.hd, device=DEV, dtype=DT) for _ in range(model.L)]
    tok = torch.randint(0, model.V, (b,), device=DEV)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s), torch.no_grad():
        for _ in range(3):
            model.decode_step(tok, kc, vc)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g), torch.no_grad():
        model.decode_step(tok, kc, vc)
    g.replay()
    step_s = timed(g.replay, reps)
    kv_bytes = 2 * model.L * b * model.kv * ctx * model.hd * 2
    emit({"kind": "decode", "name": name, "b": b, "ctx": ctx, "graph": True, "step_s": step_s,
          "tokens_per_s": b / step_s, "weight_bytes": model.weight_bytes, "kv_bytes": kv_bytes,
          "bytes_per_s": (model.weight_bytes + kv_bytes) / step_s})
    del g, kc, vc


def prefill(model, name, b, p):
    ids = torch.randint(0, model.V, (b, p), device=DEV)
    with torch.no_grad():
        model.prefill(ids)
        s = timed(lambda: model.prefill(ids), 3)
    n_params = model.weight_bytes // 2
    emit({"kind": "prefill", "name": name, "b": b, "p": p, "s": s, "tokens_per_s": b * p / s,
          "flops_2N": 2 * n_params * b * p, "tflops_2N": 2 * n_params * b * p / s / 1e12})


def hf_generate(name, b, p, n):
    import transformers as tf

    if name == "gpt2-medium":
        cls, c = tf.GPT2LMHeadModel, tf.GPT2Config(n_layer=24, n_embd=1024, n_head=16, vocab_size=50257, n_positions=2048)
    else:
        d, L, ff, h, kv, V = LLAMA[name]
        cls, c = tf.LlamaForCausalLM, tf.LlamaConfig(hidden_size=d, num_hidden_layers=L, intermediate_size=ff,
                                                     num_attention_heads=h, num_key_value_heads=kv, vocab_size=V,
                                                     tie_word_embeddings=False, max_position_embeddings=8192)
    with torch.device(DEV):
        m = cls._from_config(c, dtype=DT).to(DT).eval()
    ids = torch.randint(0, c.vocab_size, (b, p), device=DEV)

    def gen(k):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.no_grad():
            m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=k, min_new_tokens=k, do_sample=False)
        torch.cuda.synchronize()
        return time.perf_counter() - t0

    gen(4)  # warm-up: kernels loaded, allocator primed
    full, first = gen(n), gen(1)
    emit({"kind": "hf_generate", "name": name, "b": b, "p": p, "n": n, "warm_wall_s": full, "n1_wall_s": first,
          "decode_step_s": (full - first) / (n - 1), "decode_tokens_per_s": b * (n - 1) / (full - first),
          "transformers": tf.__version__})


def main():
    emit({"kind": "env", "torch": torch.__version__, "gpu": torch.cuda.get_device_name(),
          "total": torch.cuda.mem_get_info()[1]})
    if HELDOUT:
        decode_cases = (("llama-13b", [(1, 1024), (8, 2048), (32, 3072)], [(4, 1024)]),
                        ("tinyllama-1.1b", [(1, 512), (64, 1024), (256, 2048)], [(8, 2048)]))
        hf_cases = (("tinyllama-1.1b", 8, 256, 64), ("llama-13b", 4, 512, 64))
    else:
        guarded(bandwidth)
        decode_cases = (("llama-7b", [(1, 640), (16, 1152), (16, 2112), (64, 1152)], [(1, 2048), (16, 1024)]),
                        ("llama3-8b", [(1, 640), (16, 1152), (32, 2112), (64, 4160)], [(1, 2048), (16, 1024)]))
        hf_cases = (("llama-7b", 1, 512, 128), ("llama-7b", 16, 1024, 256), ("llama3-8b", 16, 1024, 256),
                    ("llama3-8b", 32, 2048, 128), ("gpt2-medium", 16, 512, 128))
    for name, cases, prefills in decode_cases:
        model = Llama(name)
        for b, ctx in cases:
            guarded(decode, model=model, name=name, b=b, ctx=ctx)
        for b, p in prefills:
            guarded(prefill, model=model, name=name, b=b, p=p)
        del model
        gc.collect()
        torch.cuda.empty_cache()
    for name, b, p, n in hf_cases:
        guarded(hf_generate, name=name, b=b, p=p, n=n)

if __name__ == "__main__":
    main()
