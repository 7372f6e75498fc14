"""Small Llama- and GPT-2-style decoders in plain PyTorch, built from a ``ModelShape`` (random weights, nothing
downloaded), for the distributed-memory check (``tests/support/dist_tracker.py``).

Each module does the ops the Hugging Face implementation does, so autograd saves the same tensors the
activation model (``lifecycle/memory/activations.py``) counts: LlamaRMSNorm (fp32 upcast, ``pow``, ``rsqrt``,
``weight *``), rotary embeddings, SwiGLU (``down(silu(gate(x)) * up(x))``); GPT-2's fused ``c_attn``, learned
positions, tied LM head, ``gelu_new`` written out in Python and dropout 0.1 on embeddings and residuals.
Heads are viewed with ``-1`` so a tensor-parallel shard sees its local heads. GPT-2's attention dropout is
left to the kernel's RNG state (``dropout_p`` = 0 here): on a GPU the fused sdpa kernels keep no mask, and the
CPU math path with dropout would keep s x s scores no GPU run keeps.

Imports torch: only the benchmark and the slow test load this module, never ``lifecycle``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from lifecycle.models.architecture import ModelShape


class RMSNorm(nn.Module):
    """LlamaRMSNorm (transformers ``modeling_llama.py``)."""

    def __init__(self, hidden: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.eps)
        return self.weight * x.to(dtype)


def _rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, shape: ModelShape):
        super().__init__()
        h, q, kv = shape.hidden, shape.attention_dim, shape.kv_dim
        self.head_dim, self.rotary, self.fused = shape.head_dim, shape.positional == "rotary", shape.arch == "gpt2"
        if self.fused:
            self.c_attn = nn.Linear(h, q + 2 * kv, bias=shape.qkv_bias)
        else:
            self.q_proj = nn.Linear(h, q, bias=shape.qkv_bias)
            self.k_proj = nn.Linear(h, kv, bias=shape.qkv_bias)
            self.v_proj = nn.Linear(h, kv, bias=shape.qkv_bias)
        self.o_proj = nn.Linear(q, h, bias=shape.out_bias)
        self.dropout = nn.Dropout(0.1 if shape.arch == "gpt2" else 0.0)

    def forward(self, x, cos, sin):
        b, s, _ = x.shape
        if self.fused:
            q, k, v = self.c_attn(x).chunk(3, dim=-1)
        else:
            q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        q, k, v = (t.view(b, s, -1, self.head_dim).transpose(1, 2) for t in (q, k, v))
        if self.rotary:
            q = q * cos + _rotate_half(q) * sin
            k = k * cos + _rotate_half(k) * sin
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out = out.transpose(1, 2).reshape(b, s, -1)
        return self.dropout(self.o_proj(out))


class MLP(nn.Module):
    def __init__(self, shape: ModelShape):
        super().__init__()
        h, f = shape.hidden, shape.ffn
        self.gated = shape.gated_mlp
        if self.gated:
            self.gate_proj = nn.Linear(h, f, bias=shape.mlp_bias)
        self.up_proj = nn.Linear(h, f, bias=shape.mlp_bias)
        self.down_proj = nn.Linear(f, h, bias=shape.mlp_bias)
        self.dropout = nn.Dropout(0.1 if shape.arch == "gpt2" else 0.0)

    def forward(self, x):
        if self.gated:
            return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))
        y = self.up_proj(x)  # transformers NewGELUActivation, written out as GPT-2 does
        y = 0.5 * y * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (y + 0.044715 * torch.pow(y, 3.0))))
        return self.dropout(self.down_proj(y))


def _norm(shape: ModelShape) -> nn.Module:
    return RMSNorm(shape.hidden) if shape.norm == "rmsnorm" else nn.LayerNorm(shape.hidden)


class Block(nn.Module):
    def __init__(self, shape: ModelShape):
        super().__init__()
        self.input_norm, self.attn = _norm(shape), Attention(shape)
        self.post_norm, self.mlp = _norm(shape), MLP(shape)

    def forward(self, x, cos, sin):
        x = x + self.attn(self.input_norm(x), cos, sin)
        return x + self.mlp(self.post_norm(x))


class Decoder(nn.Module):
    """Embeddings, ``shape.layers`` blocks, final norm and LM head; ``forward(ids, labels)`` returns the loss."""

    def __init__(self, shape: ModelShape):
        super().__init__()
        self.shape = shape
        self.embed = nn.Embedding(shape.vocab, shape.hidden)
        self.pos = nn.Embedding(shape.position_embeddings, shape.hidden) if shape.position_embeddings else None
        self.drop = nn.Dropout(0.1 if shape.arch == "gpt2" else 0.0)
        self.layers = nn.ModuleList(Block(shape) for _ in range(shape.layers))
        self.norm = _norm(shape)
        self.lm_head = nn.Linear(shape.hidden, shape.vocab, bias=shape.lm_head_bias)
        if shape.tied_embeddings:
            self.lm_head.weight = self.embed.weight

    def rope(self, seq: int, device):
        """cos/sin of rotary embeddings (Su et al. 2021, RoFormer eq. 34), shape (1, 1, seq, head_dim)."""
        if self.shape.positional != "rotary":
            return None, None
        d = self.shape.head_dim
        inv_freq = 1.0 / (10000 ** (torch.arange(0, d, 2, device=device, dtype=torch.float32) / d))
        angles = torch.outer(torch.arange(seq, device=device, dtype=torch.float32), inv_freq)
        emb = torch.cat((angles, angles), dim=-1)
        return emb.cos()[None, None], emb.sin()[None, None]

    def forward(self, ids, labels):
        x = self.embed(ids)
        if self.pos is not None:
            x = x + self.pos(torch.arange(ids.shape[1], device=ids.device))
        x = self.drop(x)
        cos, sin = self.rope(ids.shape[1], ids.device)
        if cos is not None:  # LlamaRotaryEmbedding returns cos/sin in the hidden states' dtype
            cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        for block in self.layers:
            x = block(x, cos, sin)
        logits = self.lm_head(self.norm(x)).float()  # transformers ForCausalLMLoss upcasts the logits
        return F.cross_entropy(logits.flatten(0, 1), labels.flatten(0, 1))


def build_model(shape: ModelShape) -> Decoder:
    if shape.family != "decoder" or shape.head != "lm" or shape.arch not in ("llama", "gpt2"):
        raise ValueError("only Llama- and GPT-2-style decoders with an LM head are built here")
    return Decoder(shape)


# Two shapes with the proportions of real models (few layers, so the run takes seconds, not minutes)
LLAMA = ModelShape(arch="llama", layers=8, hidden=2048, heads=16, ffn=5632, gated_mlp=True, vocab=32000)
GPT2 = ModelShape(arch="gpt2", layers=12, hidden=768, heads=12, ffn=3072, vocab=50257, norm="layernorm",
                  positional="learned", position_embeddings=1024, qkv_bias=True, out_bias=True, mlp_bias=True,
                  tied_embeddings=True)
SHAPES = {"llama": LLAMA, "gpt2": GPT2}
