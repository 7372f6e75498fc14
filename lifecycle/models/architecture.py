"""Transformer shapes and exact parameter counts.

A ``ModelShape`` holds the numbers that decide a model's size and memory: layers, hidden size,
heads, KV heads, FFN size, vocabulary and the small flags (biases, norms, learned positions,
tied embeddings) that make a count exact rather than approximate. ``parameter_count`` sums
the tensors the way PyTorch does for the Hugging Face implementation of each family (tied
embeddings counted once); the counts match every model measured in tests/data and every catalog row.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from lifecycle.errors import InvalidInput

Family = Literal["encoder", "decoder", "encoder-decoder"]
Head = Literal["lm", "mlm", "base", "classifier", "token-classifier"]
MAX_SIZE = 10**7  # no real transformer dimension is near this; it keeps typed numbers sane
# Hugging Face model types whose attention projects q, k and v with ONE linear layer: GPT-2 ``c_attn``, BLOOM,
# GPT-NeoX and Falcon ``query_key_value``, Phi-3 (and Phi-4, model_type "phi3") ``qkv_proj``. Backward keeps one
# input for the three, and one LoRA adapter on that layer covers q, k and v at once. The one list every module
# reads; tests/unit/test_fused_qkv.py checks it against the modules transformers builds for every type we read.
FUSED_QKV_ARCHS = frozenset({"gpt2", "bloom", "gpt_neox", "falcon", "phi3"})


def _shown(value: int) -> str:
    return f"{value:,}" if abs(value) < 10**15 else f"{float(value):.3g}"


class ModelShape(BaseModel):
    """The architecture numbers of one transformer.

    For encoder-decoder models ``layers`` is the total number of blocks and ``encoder_layers`` /
    ``decoder_layers`` split it. ``head_dim`` defaults to ``hidden // heads``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: Family = "decoder"
    arch: str = "llama"  # the Hugging Face model_type it was read from (drives activation terms)
    layers: int
    hidden: int
    heads: int
    kv_heads: int | None = None
    head_dim: int | None = None
    ffn: int
    gated_mlp: bool = False
    vocab: int
    tied_embeddings: bool = False
    encoder_layers: int = 0
    decoder_layers: int = 0
    max_context: int = 2048
    norm: Literal["layernorm", "rmsnorm"] = "rmsnorm"
    norms_per_layer: int = 2
    final_norm: bool = True
    embedding_norm: bool = False  # BLOOM, BART (per stack), BERT-style encoders
    positional: Literal["learned", "rotary", "alibi", "relative", "none"] = "rotary"
    position_embeddings: int = 0  # rows of a learned position table (per stack for BART)
    token_types: int = 0  # BERT segment embeddings
    qkv_bias: bool = False
    out_bias: bool = False
    mlp_bias: bool = False
    lm_head_bias: bool = False  # GPT-J
    relative_attention_buckets: int = 0  # T5: one (buckets x heads) table per stack
    relative_position_embeddings: int = 0  # DeBERTa-v2/v3 shared relative table (+ its LayerNorm)
    head: Head = "lm"
    pooler: bool = False
    num_labels: int = 2
    parallel_block: bool = False  # attention and MLP read the same input (GPT-J, NeoX, Falcon)
    qk_norm: Literal["none", "head", "full"] = "none"  # RMSNorm on q and k: per head (Qwen3) or whole width (OLMoE)
    attention_sinks: bool = False  # gpt-oss: one learned sink logit per head and layer
    # Mixture of experts (0 experts: dense). moe_ffn is one expert's intermediate size; shared_ffn the shared
    # experts' total; dense_layers the first layers that keep a dense MLP (DeepSeek first_k_dense_replace).
    experts: int = 0
    experts_per_token: int = 0
    moe_ffn: int = 0
    shared_ffn: int = 0
    shared_expert_gate: bool = False  # Qwen2-MoE: sigmoid(Linear(h, 1)) on the shared expert
    dense_layers: int = 0
    moe_layer_step: int = 1  # every n-th layer is MoE (Llama 4 Maverick interleaves)
    expert_bias: bool = False  # gpt-oss: biases on the experts' projections
    router_bias: bool = False  # gpt-oss: bias on the router
    router_score_bias: bool = False  # DeepSeek-V3: e_score_correction_bias (aux-loss-free balancing; a buffer)
    # Multi-head latent attention (DeepSeek-V2/V3): 0 = ordinary attention
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    # Sliding-window attention (Mistral-7B-v0.1, Gemma 2/3, gpt-oss): sliding_layers of the layers attend to (and
    # cache) at most the last sliding_window tokens; 0: every layer attends to the whole context
    sliding_window: int = 0
    sliding_layers: int = 0
    # The checkpoint's own quantization (config.json quantization_config): its format and what it converts
    # ("linears": every block linear; "mlp": attention kept in 16 bits; "experts": only the routed experts)
    shipped_format: Literal["", "fp8", "mxfp4", "gptq4", "int4", "int8"] = ""
    shipped_scope: Literal["linears", "mlp", "experts"] = "linears"
    # Vision-language models (lifecycle/models/vision.py): the tower + projector counted, or the language model only
    vision: Literal["", "counted", "language model only"] = ""
    vision_params: int = 0  # tower + projector when counted; the tower alone (not counted) otherwise, 0 if unknown
    image_tokens: int = 0  # tokens one image adds to the context

    def __init__(self, **data):
        # pydantic wraps our InvalidInput in a ValidationError: unwrap it into one readable line
        try:
            super().__init__(**data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
            raise InvalidInput(f"{where}: {message}" if where else message) from None

    @model_validator(mode="after")
    def _check(self) -> ModelShape:
        if self.family == "encoder-decoder":
            if self.encoder_layers <= 0 or self.decoder_layers <= 0:
                if self.layers > 0 and self.encoder_layers <= 0 and self.decoder_layers <= 0:
                    half = self.layers // 2
                    object.__setattr__(self, "encoder_layers", self.layers - half)
                    object.__setattr__(self, "decoder_layers", half)
                else:
                    raise InvalidInput("An encoder-decoder model needs positive encoder and decoder layer counts.")
            object.__setattr__(self, "layers", self.encoder_layers + self.decoder_layers)
        for name in ("layers", "hidden", "heads", "ffn", "vocab", "max_context"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise InvalidInput(f"{name} must be a positive whole number (got {value!r}).")
            if value > MAX_SIZE * (100 if name == "max_context" else 1):
                raise InvalidInput(f"{name} = {_shown(value)} is larger than any transformer this planner models.")
        if self.kv_heads is None:
            object.__setattr__(self, "kv_heads", self.heads)
        if self.kv_heads <= 0 or self.heads % self.kv_heads:
            raise InvalidInput(f"KV heads ({self.kv_heads}) must be positive and divide the heads ({self.heads}).")
        if self.head_dim is None:
            if self.hidden % self.heads:
                raise InvalidInput(f"Attention heads ({self.heads}) must divide the hidden size ({self.hidden}).")
            object.__setattr__(self, "head_dim", self.hidden // self.heads)
        if self.head_dim <= 0:
            raise InvalidInput("head_dim must be positive.")
        # Every size that multiplies into a parameter or activation count has the same ceiling as the
        # hidden size: a config with head_dim = 1e300 is refused, not turned into a 1e290-GB estimate.
        for name in ("kv_heads", "head_dim", "encoder_layers", "decoder_layers", "position_embeddings",
                     "token_types", "relative_attention_buckets", "relative_position_embeddings", "norms_per_layer",
                     "experts", "experts_per_token", "moe_ffn", "shared_ffn", "dense_layers", "q_lora_rank",
                     "kv_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim", "sliding_layers",
                     "image_tokens"):
            value = getattr(self, name)
            if value < 0:
                raise InvalidInput(f"{name} must not be negative.")
            if value > MAX_SIZE * (100 if name == "position_embeddings" else 1):
                raise InvalidInput(f"{name} = {_shown(value)} is larger than any transformer this planner models.")
        if self.experts and not (1 <= self.experts_per_token <= self.experts and self.moe_ffn > 0):
            raise InvalidInput(f"A mixture of {self.experts} experts needs 1..{self.experts} experts per token and a "
                               "positive expert width (moe_ffn).")
        if not 1 <= self.moe_layer_step <= max(self.layers, 1) or self.dense_layers > self.layers:
            raise InvalidInput("moe_layer_step must be 1..layers and dense_layers at most the layer count.")
        if not 0 <= self.vision_params <= MAX_SIZE**2:
            raise InvalidInput("vision_params must be 0..1e14.")
        if self.sliding_window < 0 or self.sliding_window > MAX_SIZE * 100 or self.sliding_layers > self.layers:
            raise InvalidInput("sliding_window must be 0..1e9 tokens and sliding_layers at most the layer count.")
        if self.kv_lora_rank and not (self.qk_rope_head_dim and self.qk_nope_head_dim and self.v_head_dim):
            raise InvalidInput("Latent attention (kv_lora_rank) needs qk_rope_head_dim, qk_nope_head_dim and v_head_dim.")
        return self

    @property
    def attention_dim(self) -> int:
        """Width of the concatenated query heads (= hidden except for T5-3B/11B, Gemma)."""
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    @property
    def blocks(self) -> int:
        return self.layers

    @classmethod
    def from_config(cls, config: dict) -> ModelShape:
        """Read a Hugging Face ``config.json`` (as a dict). Raises InvalidInput for non-transformers."""
        from lifecycle.models.hf_config import shape_kwargs_from_config

        return cls(**shape_kwargs_from_config(config))


def _norm_params(shape: ModelShape) -> int:
    return 2 * shape.hidden if shape.norm == "layernorm" else shape.hidden


def attention_params(shape: ModelShape) -> int:
    """Q, K, V and output projections (grouped-query aware) with their biases, q/k norms and sinks; multi-head
    latent attention (DeepSeek-V2 §2.1) compresses K and V into one kv_lora_rank latent (and Q into q_lora_rank)."""
    h, q, kv = shape.hidden, shape.attention_dim, shape.kv_dim
    if shape.kv_lora_rank:
        qk_head = shape.qk_nope_head_dim + shape.qk_rope_head_dim
        if shape.q_lora_rank:  # q_a_proj, q_a_layernorm, q_b_proj
            query = h * shape.q_lora_rank + shape.q_lora_rank + shape.q_lora_rank * shape.heads * qk_head
        else:
            query = h * shape.heads * qk_head
        # kv_a_proj_with_mqa (latent + the shared rope key), kv_a_layernorm, kv_b_proj (keys' nope part and values)
        key_value = (h * (shape.kv_lora_rank + shape.qk_rope_head_dim) + shape.kv_lora_rank
                     + shape.kv_lora_rank * shape.heads * (shape.qk_nope_head_dim + shape.v_head_dim))
        return query + key_value + shape.heads * shape.v_head_dim * h
    weights = h * q + 2 * h * kv + q * h
    biases = (q + 2 * kv if shape.qkv_bias else 0) + (h if shape.out_bias else 0)
    norms = {"head": 2 * shape.head_dim, "full": q + kv}.get(shape.qk_norm, 0)
    return weights + biases + norms + (shape.heads if shape.attention_sinks else 0)


def mlp_params(shape: ModelShape) -> int:
    """Two matrices (up, down) or three for gated MLPs (SwiGLU/GeGLU: gate, up, down)."""
    h, f = shape.hidden, shape.ffn
    matrices = 3 if shape.gated_mlp else 2
    biases = ((2 if shape.gated_mlp else 1) * f + h) if shape.mlp_bias else 0
    return matrices * h * f + biases


def expert_params(shape: ModelShape) -> int:
    """One routed expert: a (gated) MLP of width moe_ffn, with gpt-oss's biases."""
    h, f = shape.hidden, shape.moe_ffn
    matrices = 3 if shape.gated_mlp else 2
    biases = ((2 if shape.gated_mlp else 1) * f + h) if shape.expert_bias else 0
    return matrices * h * f + biases


def moe_mlp_params(shape: ModelShape, *, active: bool = False) -> int:
    """Routed experts (all, or the experts_per_token a token uses), shared experts, their gate and the router."""
    h, e = shape.hidden, shape.experts
    routed = (shape.experts_per_token if active else e) * expert_params(shape)
    shared = 3 * h * shape.shared_ffn + (h if shape.shared_expert_gate else 0)
    # DeepSeek-V3's e_score_correction_bias is a buffer in transformers (register_buffer), not a parameter: it is
    # not counted (it was: +14,848 = 58 layers × 256 on DeepSeek-V3)
    router = h * e + (e if shape.router_bias else 0)
    return routed + shared + router


def moe_layer_count(shape: ModelShape) -> int:
    """Layers whose MLP is a mixture of experts (after the first dense_layers, every moe_layer_step-th)."""
    return (shape.layers - shape.dense_layers) // shape.moe_layer_step if shape.experts else 0


def layer_params(shape: ModelShape, *, cross_attention: bool = False, moe: bool = False, active: bool = False) -> int:
    """One block: self-attention, MLP (or mixture of experts), its norms, and cross-attention + one more norm in a
    decoder of an encoder-decoder."""
    mlp = moe_mlp_params(shape, active=active) if moe else mlp_params(shape)
    n = attention_params(shape) + mlp + shape.norms_per_layer * _norm_params(shape)
    if cross_attention:
        n += attention_params(shape) + _norm_params(shape)
    return n


def embedding_params(shape: ModelShape) -> int:
    """Token, position and segment embeddings, embedding norms, relative-position tables."""
    h = shape.hidden
    stacks = 2 if shape.family == "encoder-decoder" else 1
    n = shape.vocab * h + shape.token_types * h
    n += stacks * shape.position_embeddings * h
    n += stacks * (_norm_params(shape) if shape.embedding_norm else 0)
    n += stacks * shape.relative_attention_buckets * shape.heads
    if shape.relative_position_embeddings:
        n += shape.relative_position_embeddings * h + _norm_params(shape)
    return n


def head_params(shape: ModelShape) -> int:
    """Output layer: untied LM head (+bias), BERT's MLM transform, pooler, classifier."""
    h, v = shape.hidden, shape.vocab
    n = 0
    if shape.head == "lm" and not shape.tied_embeddings:
        n += v * h
    if shape.head == "lm" and shape.lm_head_bias:
        n += v
    if shape.head == "mlm":
        # BertForMaskedLM: dense h->h (+bias), LayerNorm, tied decoder with its own vocab bias
        n += h * h + h + 2 * h + v
        if not shape.tied_embeddings:
            n += v * h
    if shape.pooler:
        n += h * h + h
    if shape.head in ("classifier", "token-classifier"):  # one linear h -> num_labels (+bias)
        n += h * shape.num_labels + shape.num_labels
    return n


def parameter_count(shape: ModelShape) -> int:
    """Exact number of parameters (shared tensors once), as ``sum(p.numel() for p in model.parameters())``."""
    n = embedding_params(shape) + head_params(shape)
    if shape.family == "encoder-decoder":
        n += shape.encoder_layers * layer_params(shape)
        n += shape.decoder_layers * layer_params(shape, cross_attention=True)
        n += 2 * _norm_params(shape) if shape.final_norm else 0
    else:
        moe = moe_layer_count(shape)
        n += (shape.layers - moe) * layer_params(shape) + moe * layer_params(shape, moe=True)
        n += _norm_params(shape) if shape.final_norm else 0
    return n + (shape.vision_params if shape.vision == "counted" else 0)


def active_parameter_count(shape: ModelShape) -> int:
    """Parameters one token passes through: every dense weight, embeddings included, and in each MoE layer only
    its experts_per_token routed experts (Mixtral: 12.9B of 46.7B; Jiang et al. 2024 §2.1). Dense: all."""
    moe = moe_layer_count(shape)
    if not moe:
        return parameter_count(shape)
    return parameter_count(shape) - moe * (moe_mlp_params(shape) - moe_mlp_params(shape, active=True))


def input_embedding_params(shape: ModelShape) -> int:
    """The lookup tables a token is read from, not multiplied by: token, learned-position and segment embeddings and
    T5's relative-bias buckets (a tied LM head reuses the token table in a matmul: see flop_parameter_count)."""
    stacks = 2 if shape.family == "encoder-decoder" else 1
    return ((shape.vocab + shape.token_types + stacks * shape.position_embeddings) * shape.hidden
            + stacks * shape.relative_attention_buckets * shape.heads)


def flop_parameter_count(shape: ModelShape) -> int:
    """Active parameters without the input-embedding lookups (``active_params_non_embedding``): the weights a token
    is multiplied by, so a forward pass costs 2 FLOPs per one (Kaplan et al. 2020 §2.1: "we exclude embedding
    parameters"). A tied LM head still counts: the output projection is a matmul. This is OpenAI's "active"
    convention for gpt-oss (model card: 3.61B of 20.91B, 5.13B of 116.83B); ``active_parameter_count`` keeps the
    embedding table (everything a token touches)."""
    tied_head = shape.vocab * shape.hidden if shape.tied_embeddings and shape.head in ("lm", "mlm") else 0
    vision = shape.vision_params if shape.vision == "counted" else 0  # runs once per image, not per text token
    return active_parameter_count(shape) - input_embedding_params(shape) + tied_head - vision


def dense_equivalent(shape: ModelShape) -> ModelShape:
    """The dense shape a token's activations see: an MLP as wide as its routed experts plus the shared ones
    (used for activation memory; weights always count every expert)."""
    if not shape.experts:
        return shape
    width = shape.experts_per_token * shape.moe_ffn + shape.shared_ffn
    return shape.model_copy(update={"ffn": max(width, 1), "experts": 0, "experts_per_token": 0, "moe_ffn": 0,
                                    "shared_ffn": 0, "dense_layers": 0})


def largest_layer_params(shape: ModelShape) -> int:
    """Parameters of the largest single module DeepSpeed/FSDP gathers at once (embedding or a block)."""
    block = layer_params(shape, cross_attention=shape.family == "encoder-decoder", moe=bool(moe_layer_count(shape)))
    return max(block, shape.vocab * shape.hidden)


def layer_counts(shape: ModelShape) -> tuple[int, int]:
    """(encoder blocks, decoder blocks); encoder-only models have no decoder blocks."""
    if shape.family == "encoder-decoder":
        return shape.encoder_layers, shape.decoder_layers
    if shape.family == "encoder":
        return shape.layers, 0
    return 0, shape.layers


def forward_flops_per_token(shape: ModelShape) -> tuple[float, float]:
    """(FLOPs per input token, FLOPs per generated token) of one forward pass: 2 FLOPs per weight a token
    meets (Kaplan et al. 2020, arXiv:2001.08361, eq. 2.2, C_forward ≈ 2N; embedding lookups are not matmuls).

    A decoder runs every weight for prompt and generated tokens alike. An encoder-decoder runs its encoder
    once per input token and its decoder (with cross-attention and the LM head) once per generated token, so
    each side costs about half of 2N, not 2N; the cross-attention keys and values are projected from the encoder
    states once per input token (and cached), so those two matrices count on the input side (flan-t5-xl: 2.85 GFLOP
    of weights per generated token, as FlopCounterMode counts; 3.25 when they were charged per output token).
    An encoder reads its input and generates nothing.
    """
    h, v = shape.hidden, shape.vocab
    lm_head = {"lm": 2 * v * h, "mlm": 2 * v * h, "classifier": 2 * h * shape.num_labels,
               "token-classifier": 2 * h * shape.num_labels}.get(shape.head, 0)
    if shape.family == "encoder-decoder":
        cross_kv = 2 * shape.decoder_layers * cross_key_value_params(shape)
        encoder = 2 * shape.encoder_layers * layer_params(shape) + cross_kv
        decoder = 2 * shape.decoder_layers * layer_params(shape, cross_attention=True) - cross_kv + lm_head
        return float(encoder), float(decoder)
    moe = moe_layer_count(shape)  # a token meets only its experts_per_token experts in a MoE layer
    body = 2 * ((shape.layers - moe) * layer_params(shape) + moe * layer_params(shape, moe=True, active=True))
    if shape.family == "encoder":
        return float(body + lm_head), 0.0
    return float(body + lm_head), float(body + lm_head)


def cross_key_value_params(shape: ModelShape) -> int:
    """One decoder layer's cross-attention key and value projections (with biases): they read the encoder's
    output, so they run once per input token, not once per generated token."""
    return 2 * shape.hidden * shape.kv_dim + (2 * shape.kv_dim if shape.qkv_bias else 0)


def attention_score_flops_per_token(layers: int, context: float, attention_dim: int, *, causal: bool) -> float:
    """QKᵀ and the weighted sum of values, per query token over ``context`` keys: 2·2·n_ctx·d_attn per layer, half
    of it under a causal mask (Kaplan et al. 2020 Table 1 counts 2·n_layer·n_ctx·d_attn for masked attention);
    an encoder, and cross-attention, attend to every position."""
    return (2.0 if causal else 4.0) * layers * context * attention_dim


def fits_context(shape: ModelShape, input_tokens: int | None, output_tokens: int | None = 0) -> bool:
    """Whether one request fits the model's trained window: a decoder holds prompt and output in one window;
    an encoder-decoder reads the input with its encoder and writes the output with its decoder, each within
    the window; an encoder only reads."""
    n_in, n_out = int(input_tokens or 0), int(output_tokens or 0)
    if shape.family == "decoder":
        return n_in + n_out <= shape.max_context
    if shape.family == "encoder-decoder":
        return n_in <= shape.max_context and n_out <= shape.max_context
    return n_in <= shape.max_context


def context_needed(family: str, input_tokens: int | None, output_tokens: int | None = 0) -> int:
    """The window a ``family`` model needs for these lengths (the longer side for an encoder-decoder)."""
    n_in, n_out = int(input_tokens or 0), int(output_tokens or 0)
    return n_in + n_out if family == "decoder" else max(n_in, n_out) if family == "encoder-decoder" else n_in


def block_linear_params(shape: ModelShape) -> int:
    """Weights of every block's linear layers (attention, MLP or all experts): what bitsandbytes quantises and
    autocast copies to 16 bits."""
    enc_layers, dec_layers = layer_counts(shape)
    cross = 2 if shape.family == "encoder-decoder" else 1
    moe = moe_layer_count(shape)
    dense = enc_layers * (attention_params(shape) + mlp_params(shape))
    dense += (dec_layers - moe) * (cross * attention_params(shape) + mlp_params(shape))
    return dense + moe * (attention_params(shape) + moe_mlp_params(shape))
