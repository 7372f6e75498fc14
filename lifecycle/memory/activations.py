"""Activation memory of one transformer block, counted from the tensors autograd keeps.

Korthikanti et al. 2022 (arXiv 2205.05198, Table 2) count ``sbh(34 + 5as/h)`` bytes per layer for a
Megatron block in fp16. The Hugging Face implementations keep different tensors: autocast makes a
separate bf16 copy of a fp32 input for every linear layer that reads it, LayerNorm and ``pow`` run in
fp32 under autocast, GPT-2's ``gelu_new`` is written out in Python so each intermediate is saved, LLaMA's
RMSNorm saves a fp32 copy, and a frozen (LoRA) linear keeps no input at all. So we list, per block,
the tensors each op saves for backward (PyTorch ``derivatives.yaml``: ``mm`` keeps its input only when
the weight needs a gradient, ``relu``/``silu``/``gelu`` keep their input or result, dropout keeps a
1-byte mask) with the byte width the precision mode gives them, and sum them per token.

All functions return bytes per token (or per attention-score element); ``estimate.activation_bytes`` multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.models.architecture import FUSED_QKV_ARCHS, ModelShape

# Families whose Hugging Face block has dropout > 0 by default (config defaults: GPT-2 0.1, BERT 0.1, T5 0.1, BART 0.1, OPT 0.1)
DROPOUT_ARCHS = {"gpt2", "bert", "roberta", "xlm-roberta", "electra", "distilbert", "deberta-v2", "t5", "mt5",
                 "umt5", "bart", "mbart", "opt"}
POST_NORM_ARCHS = {"bert", "roberta", "xlm-roberta", "electra", "distilbert", "deberta-v2", "bart", "mbart"}
T5_ARCHS = {"t5", "mt5", "umt5"}
# MLP activation as implemented: "gelu_py" = tanh formula in Python (NewGELUActivation), "act" = one fused op
PY_GELU_ARCHS = {"gpt2", "gptj"}
RELU_ARCHS = {"opt"}
# BLOOM's ALiBi attention has no sdpa path; T5 adds its learned position bias to explicit score matrices
EAGER_ONLY_ARCHS = {"bloom", "t5", "mt5", "umt5"}
ATTENTION_SCORES_FP32 = 4  # softmax runs in fp32 (autocast list, or dtype=torch.float32 in the HF code)


@dataclass(frozen=True)
class Widths:
    """Byte widths of the tensors of one precision mode.

    c: matmul outputs; r: the residual stream; u: outputs of ops autocast runs in fp32 (layer_norm, pow,
    softmax); autocast: fp32 inputs are copied to bf16 per linear; frozen: base weights need no gradient
    (LoRA/QLoRA), so their inputs are not kept.
    """

    c: int
    r: int
    u: int
    autocast: bool
    frozen: bool


def widths(precision: str, method: str, arch: str) -> Widths:
    frozen = method in ("lora", "qlora")
    if precision == "fp32":
        return Widths(c=4, r=4, u=4, autocast=False, frozen=frozen)
    if precision in ("amp_bf16", "amp_fp16") and not frozen:
        return Widths(c=2, r=4, u=4, autocast=True, frozen=False)  # fp32 weights -> fp32 embeddings/residual
    if frozen:
        # peft + Trainer(bf16=True): bf16 base under autocast; LayerNorm outputs are fp32, so post-norm residuals are too
        return Widths(c=2, r=4 if arch in POST_NORM_ARCHS else 2, u=4, autocast=True, frozen=True)
    return Widths(c=2, r=2, u=2, autocast=False, frozen=False)  # pure bf16/fp16


def linear_inputs_bytes(width: int, n_linears: int, in_bytes: int, n_targets: int, w: Widths) -> int:
    """Bytes kept for the inputs of ``n_linears`` linear layers that read the same tensor of ``width`` features."""
    if not w.frozen:
        if w.autocast and in_bytes != 2:
            return n_linears * 2 * width  # autocast casts the fp32 input once per linear; each copy is kept
        return in_bytes * width  # one tensor shared by all of them
    if n_targets == 0:
        return 0  # frozen weights: dX = dY·W needs W only
    # peft casts x to the adapter's fp32 dtype, then autocast copies it to bf16 for lora_A: one copy per adapter
    return n_targets * 2 * width if w.autocast else in_bytes * width


def norm_bytes(shape: ModelShape, w: Widths) -> tuple[int, int]:
    """(bytes kept per token by one norm, byte width of its output)."""
    h = shape.hidden
    if shape.norm == "layernorm":
        return w.u * h, w.u  # F.layer_norm keeps its (fp32 under autocast) input; output has that dtype
    if shape.arch in T5_ARCHS:
        # T5LayerNorm: pow keeps a fp32 copy, x*rsqrt keeps x, weight*hs keeps hs when the weight trains
        kept = 4 + (0 if w.r == 4 else w.r) + (0 if w.frozen else (4 if w.r == 4 else w.c))
        return kept * h, (4 if w.r == 4 and not w.frozen else w.c)
    # LlamaRMSNorm: hidden.to(fp32) kept by pow and mul; normalised (input dtype) kept by weight* when it trains
    return (4 + (0 if w.frozen else w.r)) * h, w.r


def attention_bytes(shape: ModelShape, w: Widths, *, x_bytes: int, targets: set[str], dropout: bool,
                    gqa_math_fallback: bool, fused_kernel: bool = True) -> int:
    """Self-attention of one block: Q/K/V inputs, Q/K/V/out kept by the fused sdpa kernel, out-projection input."""
    h, q, kv = shape.hidden, shape.attention_dim, shape.kv_dim
    if shape.arch in FUSED_QKV_ARCHS:
        n_t = 1 if targets & {"q", "k", "v", "qkv"} else 0
        kept = linear_inputs_bytes(h, 1, x_bytes, n_t, w)
    else:
        kept = linear_inputs_bytes(h, 3, x_bytes, len(targets & {"q", "k", "v"}), w)
    # flash/memory-efficient attention keeps q, k, v and its output; eager matmuls keep q, k, v (scores: per element)
    kept += w.c * (2 * q + 2 * kv) if fused_kernel else w.c * (q + 2 * kv)
    if gqa_math_fallback:
        kept += w.c * 2 * (q - kv)  # the math kernel materialises K and V repeated to every query head
    kept += linear_inputs_bytes(q, 1, w.c, 1 if "o" in targets else 0, w)
    return kept + (h if dropout else 0)


def cross_attention_bytes(shape: ModelShape, w: Widths, *, x_bytes: int, targets: set[str], dropout: bool) -> tuple[int, int]:
    """Cross-attention of a decoder block: (bytes per decoder token, bytes per encoder token)."""
    h, q, kv = shape.hidden, shape.attention_dim, shape.kv_dim
    per_dec = linear_inputs_bytes(h, 1, x_bytes, 1 if "q" in targets else 0, w) + w.c * 2 * q
    per_dec += linear_inputs_bytes(q, 1, w.c, 1 if "o" in targets else 0, w) + (h if dropout else 0)
    # K and V are projected from the encoder output (fp32 under amp, so each projection keeps its own copy)
    per_enc = linear_inputs_bytes(h, 2, x_bytes, len(targets & {"k", "v"}), w) + w.c * 2 * kv
    return per_dec, per_enc


def mlp_bytes(shape: ModelShape, w: Widths, *, x_bytes: int, targets: set[str], dropout: bool) -> int:
    h, f, c, u = shape.hidden, shape.ffn, w.c, w.u
    up_targets = len(targets & {"up", "gate"})
    down_in = linear_inputs_bytes(f, 1, c, 1 if "down" in targets else 0, w)
    if shape.gated_mlp:
        kept = linear_inputs_bytes(h, 2, x_bytes, up_targets, w)
        if shape.arch in T5_ARCHS:  # gelu_new in Python on wi_0, times wi_1, dropout, cast to wo's dtype
            kept += (3 * u + c) * f + u * f + c * f + (f if dropout else 0) + (down_in if not w.frozen else 0)
        else:  # act(gate) keeps gate, mul keeps act(gate) and up, down keeps the product
            kept += 3 * c * f + (down_in if not w.frozen else 0)
    else:
        kept = linear_inputs_bytes(h, 1, x_bytes, up_targets, w)
        if shape.arch in PY_GELU_ARCHS:  # pow (fp32 copy), tanh, 1+tanh, 0.5*x, then the product into c_proj
            kept += (3 * u + c) * f + (0 if w.frozen else c * f)
        elif shape.arch in T5_ARCHS:  # relu keeps its result, dropout its mask, wo its (re-cast) input
            kept += c * f + (f if dropout else 0) + (0 if w.frozen else (c * f if dropout else 0))
        elif shape.arch in RELU_ARCHS:
            kept += c * f  # relu's result is also fc2's input
        else:  # gelu/bloom_gelu keep their input; the output is the down projection's input
            kept += c * f + (0 if w.frozen else c * f)
    return kept + (h if dropout else 0)


def block_bytes_per_token(shape: ModelShape, w: Widths, *, targets: set[str], attention: str,
                          cross: bool = False) -> tuple[int, int]:
    """(bytes per token of this block's own sequence, bytes per encoder token for cross-attention)."""
    dropout = shape.arch in DROPOUT_ARCHS
    norm_kept, x_bytes = norm_bytes(shape, w)
    gqa_math = attention == "sdpa" and w.c == 4 and shape.kv_heads < shape.heads
    kept = shape.norms_per_layer * norm_kept
    fused = attention == "sdpa" and shape.arch not in EAGER_ONLY_ARCHS
    kept += attention_bytes(shape, w, x_bytes=x_bytes, targets=targets, dropout=dropout, gqa_math_fallback=gqa_math,
                            fused_kernel=fused)
    kept += mlp_bytes(shape, w, x_bytes=x_bytes, targets=targets, dropout=dropout)
    per_enc = 0
    if cross:
        per_dec, per_enc = cross_attention_bytes(shape, w, x_bytes=x_bytes, targets=targets, dropout=dropout)
        kept += norm_kept + per_dec
    return kept, per_enc


def score_bytes_per_element(shape: ModelShape, w: Widths, attention: str) -> int:
    """Bytes kept per attention-score element (batch x heads x s_q x s_k) of one layer; 0 for fused kernels."""
    if attention == "sdpa" and shape.arch not in EAGER_ONLY_ARCHS:
        if w.c == 4 and shape.kv_heads < shape.heads:
            return 4  # fp32 + grouped-query attention: no fused kernel takes it, the math path keeps softmax
        return 0
    dropout = shape.arch in DROPOUT_ARCHS
    # fp32 under autocast or fp32 training; LLaMA/BLOOM/T5 code also asks softmax for float32 explicitly
    soft = ATTENTION_SCORES_FP32 if (w.autocast or w.c == 4 or not dropout or shape.arch in T5_ARCHS) else w.c
    # softmax output (fp32), dropout mask, and the probabilities matmul'd with V (cast copy or dropout output)
    return soft + (1 if dropout else 0) + (w.c if (dropout or soft != w.c) else 0)


def checkpoint_bytes_per_token(shape: ModelShape, w: Widths) -> int:
    """Gradient checkpointing keeps only each block's input (the residual stream)."""
    return w.r * shape.hidden


def head_bytes_per_token(shape: ModelShape, w: Widths) -> int:
    """Final norm, BERT's MLM transform and the LM head's input, per output token."""
    norm_kept, x_bytes = norm_bytes(shape, w)
    h = shape.hidden
    kept = norm_kept if shape.final_norm else 0
    if shape.head == "mlm":  # dense -> gelu -> LayerNorm before the decoder
        kept += linear_inputs_bytes(h, 1, w.u, 0, w) + 2 * w.c * h + w.u * h
    return kept + linear_inputs_bytes(h, 1, x_bytes, 0, w)


def embedding_bytes_per_token(shape: ModelShape, w: Widths) -> int:
    """Embedding LayerNorm input and dropout mask of the input embeddings."""
    kept = (w.u * shape.hidden) if shape.embedding_norm else 0
    return kept + (shape.hidden if shape.arch in DROPOUT_ARCHS else 0)


# Models whose LM/MLM loss calls ``nn.CrossEntropyLoss`` on the logits as they are (transformers 5.x
# BertForMaskedLM, DebertaV2ForMaskedLM, T5ForConditionalGeneration, BartForConditionalGeneration ...). The
# others go through ``self.loss_function`` (ForCausalLMLoss / ForMaskedLMLoss), which starts with
# ``logits = logits.float()``: their loss is fp32 whatever the model's dtype.
NO_UPCAST_LOSS_ARCHS = frozenset({"bert", "deberta", "deberta-v2", "distilbert", "albert", "electra", "t5", "mt5",
                                  "bart", "mbart", "pegasus"})


def loss_bytes_per_token(shape: ModelShape, w: Widths) -> int:
    """Cross-entropy over the head's outputs at its peak, during log_softmax's backward, per output position.

    log_softmax keeps its output, the nll backward makes a gradient of the same size and log_softmax's
    backward its result: three logit-sized tensors. They are fp32 (12 bytes per logit) when the loss upcasts
    (``loss_function``), under autocast (log_softmax is on its fp32 list) or in fp32 training; a model in pure
    bf16/fp16 whose loss takes the logits as they are keeps them in 16 bits (6 bytes per logit). An LM or MLM
    head has one logit per vocabulary entry; a classifier ``num_labels`` (BertForSequenceClassification /
    BertForTokenClassification); a bare encoder none.
    """
    per_logit = 6 if (w.u == 2 and not w.autocast and shape.arch in NO_UPCAST_LOSS_ARCHS) else 12
    if shape.head in ("lm", "mlm"):
        return per_logit * shape.vocab
    if shape.head in ("classifier", "token-classifier"):
        return per_logit * shape.num_labels
    return 0
