"""The Setups of the memory calculators: one training step, and one forward pass or generation.

Field bounds are the planner's one set of limits: the widgets, the CLI and imported scenarios all validate
through these classes (``lifecycle._typed.Setup``), so a value that passes here never crashes a page.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from lifecycle._typed import Setup
from lifecycle.choices import (
    AdapterDtype,
    Attention,
    KvCacheDtype,
    LoraTarget,
    Method,
    Network,
    Offload,
    Optimizer,
    OptimizerImpl,
    Strategy,
    TpPlan,
    TrainingHead,
    TrainPrecision,
    WeightFormat,
)
from lifecycle.limits import (
    MAX_COUNT,
    MAX_GPUS,
    MAX_PARALLEL,
    MAX_TOKENS,
    MAX_TRAINING_TOKENS,
    MAX_USD_PER_GPU_HOUR,
)
from lifecycle.memory.distributed import offload_problem
from lifecycle.models.ref import ModelRef
from lifecycle.scaling.compute import DEFAULT_MFU

LORA_ALIASES = {"q_proj": "q", "k_proj": "k", "v_proj": "v", "o_proj": "o", "gate_proj": "gate", "up_proj": "up",
                "down_proj": "down", "c_attn": "q", "query": "q", "key": "k", "value": "v", "dense": "o",
                "wi": "up", "wo": "down", "fc1": "up", "fc2": "down", "c_fc": "up", "c_proj": "down",
                "query_key_value": "q", "qkv": "q"}
ALL_LORA_TARGETS = ("q", "k", "v", "o", "gate", "up", "down")


def _check_parallel(model: ModelRef, tp: int, pp: int) -> None:
    """Megatron-style tensor parallel splits attention heads; pipeline parallel splits layers."""
    if model.shape.heads % tp:
        raise ValueError(f"tensor parallel degree {tp} must divide the {model.shape.heads} attention heads")
    if pp > model.shape.layers:
        raise ValueError(f"pipeline parallel degree {pp} is more than the {model.shape.layers} layers")


# transformers AutoModelFor...: CausalLM/Seq2SeqLM, MaskedLM, SequenceClassification, TokenClassification
HEADS_BY_FAMILY = {"encoder": ("mlm", "seq-cls", "token-cls"), "decoder": ("lm", "seq-cls", "token-cls"),
                   "encoder-decoder": ("lm", "seq-cls")}
SHAPE_HEAD = {"lm": "lm", "mlm": "mlm", "seq-cls": "classifier", "token-cls": "token-classifier"}


def with_head(model: ModelRef, head: str, num_labels: int) -> ModelRef:
    """The model with the output head a fine-tune trains: a classifier replaces the LM/MLM head by one linear
    hidden -> num_labels (BertForSequenceClassification keeps BERT's pooler; token classifiers have none)."""
    shape_head = SHAPE_HEAD[head]
    if shape_head == model.shape.head and (shape_head in ("lm", "mlm") or num_labels == model.shape.num_labels):
        return model
    if head not in HEADS_BY_FAMILY[model.family]:
        raise ValueError(f"a {model.family} model takes a head of {', '.join(HEADS_BY_FAMILY[model.family])}, not {head}")
    pooler = model.shape.pooler if shape_head == "classifier" else False
    shape = model.shape.model_copy(update={"head": shape_head, "num_labels": num_labels, "pooler": pooler})
    return model.model_copy(update={"shape": shape})


def _check_experts(model: ModelRef, ep: int, ranks: int, where: str = "dp x tp") -> None:
    """Expert parallelism gives each of ep GPUs an equal share of every MoE layer's routed experts. The ep group
    lives inside the ``ranks`` GPUs of one pipeline stage (Megatron-Core ``initialize_model_parallel``: the
    expert groups are carved out of tp x dp, ``world = tp x pp x dp``; vLLM: EP size = TP x DP)."""
    if ep == 1:
        return
    experts = model.shape.experts
    if not experts:
        raise ValueError(f"expert parallel (ep {ep}) needs a mixture-of-experts model; {model.name} is dense")
    if experts % ep:
        raise ValueError(f"ep {ep} must divide the {experts} experts")
    if ranks % ep:
        raise ValueError(f"ep {ep} must divide {where} = {ranks}: the expert-parallel group lives inside the "
                         "data- and tensor-parallel GPUs of a pipeline stage")


def expert_layout(gpus: int, tp: int, pp: int, ep: int) -> tuple[int, int]:
    """(expert tensor-parallel degree, expert data-parallel degree) of a validated layout.

    Megatron-Core keeps each expert split like the dense layers (expert tensor parallel = tp) when ep divides the
    data-parallel degree; otherwise the experts fold over the tensor-parallel ranks too and stay whole
    (expert tensor parallel 1, "MoE parallel folding", as vLLM's EP = TP x DP does). Each rank then holds
    experts / ep of every MoE layer, each as a 1/etp slice; their states replicate over edp = dp·tp / (ep·etp).
    """
    dp = gpus // (tp * pp)
    etp = tp if dp % ep == 0 else 1
    return etp, dp * tp // (ep * etp)


def expert_share(shape) -> float:
    """Fraction of the parameters that are routed experts (what expert parallelism splits)."""
    from lifecycle.models.architecture import expert_params, moe_layer_count, parameter_count

    moe = moe_layer_count(shape)
    return moe * shape.experts * expert_params(shape) / parameter_count(shape) if moe else 0.0


class TrainingSetup(Setup):
    """One training (or fine-tuning) step per GPU, and optionally the run it belongs to.

    ``micro_batch`` is the sequences one GPU processes at once (gradient accumulation does not change
    memory); ``gpu`` (a GPU id) adds fits / fewest GPUs; ``training_tokens`` adds time and cost on ``gpus``
    GPUs at ``mfu`` and ``price_usd_per_hour`` (None: the GPU catalog's price).
    """

    model: ModelRef
    precision: TrainPrecision = "amp_bf16"
    method: Method = "full"
    lora_rank: int = Field(16, ge=1, le=65_536)
    lora_targets: tuple[LoraTarget, ...] = ("q", "v")
    head: TrainingHead | None = None  # None: the model's own head (its card / config.json architectures)
    num_labels: int = Field(2, ge=1, le=1_000_000)  # classes of a seq-cls / token-cls head
    adapter_dtype: AdapterDtype | None = None  # None: bf16 for QLoRA (qlora.py --bf16), fp32 for LoRA (peft)
    optimizer: Optimizer | None = None  # None: paged_adamw_32bit for QLoRA (qlora.py --optim), else adamw
    optimizer_impl: OptimizerImpl = "foreach"
    micro_batch: int = Field(1, ge=1, le=MAX_COUNT)
    seq_len: int = Field(1024, ge=1, le=MAX_TOKENS)
    target_len: int | None = Field(None, ge=1, le=MAX_TOKENS)  # decoder length of encoder-decoders
    grad_checkpointing: bool | None = None  # None: on for QLoRA (qlora.py gradient_checkpointing=True), else off
    attention: Attention = "sdpa"
    gpus: int = Field(1, ge=1, le=MAX_GPUS)
    strategy: Strategy = "ddp"
    offload: Offload = "none"
    tp: int = Field(1, ge=1, le=MAX_PARALLEL)
    pp: int = Field(1, ge=1, le=MAX_PARALLEL)
    ep: int = Field(1, ge=1, le=MAX_PARALLEL)  # expert parallel: a mixture's routed experts spread over ep GPUs
    tp_plan: TpPlan = "dtensor"  # what a tensor-parallel rank keeps (memory.parallel.tensor_parallel_extra)
    micro_batches: int = Field(1, ge=1, le=MAX_COUNT)  # per optimizer step and replica: accumulation, pipeline fill
    network: Network | None = None  # between nodes; None: the GPU's reference server's (data/interconnects.json)
    master_weights: bool | None = None  # None: what DeepSpeed/FSDP do for the precision and strategy
    gpu: str | None = Field(None, min_length=1, max_length=64)
    training_tokens: float | None = Field(None, gt=0, le=MAX_TRAINING_TOKENS)
    mfu: float = Field(DEFAULT_MFU, ge=0.001, le=1)
    price_usd_per_hour: float | None = Field(None, ge=0, le=MAX_USD_PER_GPU_HOUR)

    @field_validator("lora_targets", mode="before")
    @classmethod
    def _targets(cls, value: Any) -> Any:
        """Accept "q,v", ["q_proj", "v_proj"] or "all"; store the short names, in a fixed order."""
        if value is None:
            return ("q", "v")
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple, set, frozenset)):
            return value
        names: set[str] = set()
        for item in items:
            key = LORA_ALIASES.get(str(item).strip(), str(item).strip())
            if key == "all":
                names |= set(ALL_LORA_TARGETS)
            elif key:
                names.add(key)
        if not names:
            raise ValueError("LoRA needs at least one target module")
        return tuple(t for t in ALL_LORA_TARGETS if t in names) + tuple(sorted(names - set(ALL_LORA_TARGETS)))

    @model_validator(mode="after")
    def _consistent(self) -> TrainingSetup:
        # QLoRA's defaults are its reference script's (artidoro/qlora qlora.py: --optim paged_adamw_32bit,
        # gradient_checkpointing True, --bf16 adapters, NF4 with double quantisation)
        qlora = self.method == "qlora"
        if self.optimizer is None:
            object.__setattr__(self, "optimizer", "paged_adamw_32bit" if qlora else "adamw")
        if self.grad_checkpointing is None:
            object.__setattr__(self, "grad_checkpointing", qlora)
        if self.head is not None:
            object.__setattr__(self, "model", with_head(self.model, self.head, self.num_labels))
        if self.precision == "fp8":
            from lifecycle.memory.fp8 import check_fp8

            check_fp8(self.method, self.gpu)
        if self.precision in ("int8", "int4") and self.method == "full":
            raise ValueError("training int8/int4 weights directly is not supported; use method qlora (or lora on int8)")
        problem = offload_problem(self.strategy, self.offload)
        if problem:
            raise ValueError(problem)
        _check_parallel(self.model, self.tp, self.pp)
        if self.gpus % (self.tp * self.pp):  # world = tp x pp x dp (Megatron-Core, vLLM)
            raise ValueError(f"GPU count {self.gpus} must be a multiple of tp x pp = {self.tp * self.pp}")
        _check_experts(self.model, self.ep, self.gpus // self.pp)
        if self.gpu is not None:
            from lifecycle.models.gpus import get_gpu

            get_gpu(self.gpu)  # NotFound names the closest ids
        return self

    @classmethod
    def for_shape(cls, shape, **fields: Any) -> TrainingSetup:
        """A setup for a bare shape (tests, scripts): the model is named after its architecture."""
        return cls(model=ModelRef(id="config", name=shape.arch, shape=shape), **fields)

    @property
    def uses_lora(self) -> bool:
        return self.method != "full"

    @property
    def adapter_bytes(self) -> int:
        """Bytes per adapter weight (and gradient). The QLoRA reference (artidoro/qlora ``qlora.py``) casts
        every LoraLayer to bf16 under ``--bf16``; peft alone upcasts adapters to fp32
        (``autocast_adapter_dtype=True``)."""
        dtype = self.adapter_dtype or ("bf16" if self.method == "qlora" else "fp32")
        return 2 if dtype == "bf16" else 4


class InferenceSetup(Setup):
    """One forward pass (``new_tokens`` = 0) or generating ``new_tokens`` after a prompt, per GPU."""

    model: ModelRef
    precision: WeightFormat = "bf16"
    concurrent_sequences: int = Field(1, ge=1, le=MAX_COUNT)
    prompt_tokens: int = Field(512, ge=1, le=MAX_TOKENS)
    new_tokens: int = Field(0, ge=0, le=MAX_TOKENS)
    tp: int = Field(1, ge=1, le=MAX_PARALLEL)
    ep: int = Field(1, ge=1, le=MAX_PARALLEL)
    attention: Attention = "sdpa"
    gpu: str | None = Field(None, min_length=1, max_length=64)
    kv_cache_dtype: KvCacheDtype = "auto"  # vLLM kv_cache_dtype: "fp8" halves a 16-bit KV cache

    @model_validator(mode="before")
    @classmethod
    def _shipped(cls, data):  # precision defaults to the format the checkpoint ships in
        from lifecycle.models.ref import with_shipped_precision

        return with_shipped_precision(data)

    @model_validator(mode="after")
    def _consistent(self) -> InferenceSetup:
        # vLLM: the expert-parallel group is TP x DP; ep a multiple of tp adds attention data-parallel replicas
        _check_experts(self.model, self.ep, self.ep if self.ep % self.tp == 0 else self.tp, "tp")
        if self.new_tokens and self.model.family == "encoder":
            raise ValueError("encoder-only models do not generate tokens; set new tokens to 0")
        _check_parallel(self.model, self.tp, 1)
        if self.gpu is not None:
            from lifecycle.models.gpus import get_gpu

            get_gpu(self.gpu)
        return self

    @classmethod
    def for_shape(cls, shape, **fields: Any) -> InferenceSetup:
        return cls(model=ModelRef(id="config", name=shape.arch, shape=shape), **fields)
