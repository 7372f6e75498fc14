"""Each component of the memory estimate pinned on its own, to a hand-worked number from its source.

The totals are checked against H200 measurements (test_memory_accuracy.py); these pins make a wrong width,
a wrong head count or a wrong byte count in one component fail here even where the total would still land
inside the accuracy bar. Numbers are written out, not recomputed with the estimator's own formulas.
Shapes: gpt2-small (h = 768, 12 layers, vocabulary 50,257; 124,439,808 parameters, tied head) and llama-2-7b
(h = 4,096, f = 11,008, 32 layers, vocabulary 32,000; 6,738,415,616 parameters, the meta-device count).
"""

from types import SimpleNamespace

import pytest

from lifecycle.memory.estimate import activation_bytes, training_memory
from lifecycle.memory.inference import kv_cache_bytes
from lifecycle.memory.plan import inference_plan
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef

GPT2_PARAMS = 124_439_808  # GPT2LMHeadModel, tied embeddings (sum(p.numel()) on the meta device)
LLAMA2_7B_PARAMS = 6_738_415_616  # LlamaForCausalLM, the H200 rows' own count


def _train(model_id: str, **kw) -> TrainingSetup:
    return TrainingSetup(model=ModelRef.catalog(model_id), **kw)


# --- checkpointed block inputs: the residual stream at its own width -------------------------------------------

@pytest.mark.parametrize("model_id,precision,batch,seq,expected", [
    # 12 layers x (8 x 512) tokens x 768 x 4 B: under autocast the fp32 weights make the residual stream fp32
    ("gpt2-small", "amp_bf16", 8, 512, 150_994_944),
    ("gpt2-small", "bf16", 8, 512, 75_497_472),  # pure bf16: 2 B
    # Korthikanti et al. 2022 §5: full recomputation keeps "the input to each transformer layer", 2·s·b·h bytes
    # per layer in 16 bits: 2 x 4096 x 1 x 4096 x 32 = 1 GiB; the amp run keeps it fp32: 2 GiB
    ("llama-2-7b", "bf16", 1, 4096, 2**30),
    ("llama-2-7b", "amp_bf16", 1, 4096, 2**31),
])
def test_checkpointed_inputs_are_each_blocks_input_at_the_residual_width(model_id, precision, batch, seq, expected):
    """torch.utils.checkpoint keeps the block's input tensor as it is handed in (the residual stream, hidden wide,
    in the residual's dtype: fp32 under autocast with fp32 weights), not a tensor at the 16-bit compute width."""
    setup = _train(model_id, precision=precision, micro_batch=batch, seq_len=seq, grad_checkpointing=True)
    assert activation_bytes(setup, set())["checkpointed block inputs"] == expected


def test_checkpointed_inputs_are_in_the_peak_of_a_checkpointed_amp_run():
    est = training_memory(_train("gpt2-small", precision="amp_bf16", micro_batch=8, seq_len=512,
                                 grad_checkpointing=True))
    assert est.peak_phase == "backward start"
    assert est.components["checkpointed block inputs"] == 150_994_944
    assert "activations" not in est.components  # nothing else of the blocks is kept


def test_checkpointed_inputs_scale_with_batch_times_sequence_and_a_production_run_keeps_sixteen_gib():
    """llama-2-7b, amp bf16, micro-batch 8 x 4,096 tokens on one rank: 32 x 32,768 x 4,096 x 4 B = 16 GiB (at the
    16-bit compute width it would be 8 GiB, a peak several GB too low)."""
    setup = _train("llama-2-7b", precision="amp_bf16", micro_batch=8, seq_len=4096, grad_checkpointing=True)
    assert activation_bytes(setup, set())["checkpointed block inputs"] == 16 * 2**30


# --- KV cache: heads are split by tensor parallel, never below one per GPU --------------------------------------

def test_kv_cache_with_more_tensor_parallel_ranks_than_kv_heads_keeps_one_replicated_head_per_gpu():
    """llama-2-70b: 80 layers, 8 KV heads of 128. At tp = 16 each GPU still holds one whole KV head (vLLM and
    Megatron replicate KV heads when tp > kv_heads): 2 (K and V) x 80 x 1 x 128 x 2 B x 4,096 tokens =
    167,772,160 B per sequence, the same as at tp = 8 (and twice what half a head would be)."""
    shape = ModelRef.catalog("llama-2-70b").shape
    assert kv_cache_bytes(shape, batch=1, tokens=4096, tp=16) == 167_772_160
    assert kv_cache_bytes(shape, batch=3, tokens=4096, tp=16) == 3 * 167_772_160
    assert kv_cache_bytes(shape, batch=1, tokens=4096, tp=8) == 167_772_160
    assert kv_cache_bytes(shape, batch=1, tokens=4096, tp=4) == 2 * 167_772_160  # two heads each
    assert kv_cache_bytes(shape, batch=1, tokens=4096, tp=1) == 8 * 167_772_160


def test_multi_query_attention_on_four_gpus_replicates_its_single_kv_head():
    """gemma3-1b: 26 layers, one KV head of 256 (MQA), 512 tokens (inside its 512-token sliding window, so every
    layer keeps them all): 2 x 26 x 1 x 256 x 2 B x 512 = 13,631,488 B per sequence at tp = 1 and at tp = 4."""
    shape = ModelRef.catalog("gemma3-1b").shape
    assert kv_cache_bytes(shape, batch=1, tokens=512, tp=1) == 13_631_488
    assert kv_cache_bytes(shape, batch=1, tokens=512, tp=4) == 13_631_488
    assert kv_cache_bytes(shape, batch=2, tokens=512, tp=4, bytes_per_value=1) == 13_631_488  # fp8 cache


def test_latent_attention_caches_the_compressed_latent_and_the_rope_key_per_sequence():
    """DeepSeek-V2 §2.1.2 (kept in V3): each layer caches the d_c = 512 latent and the d_h^R = 64 shared rope key per
    token, whatever the heads: 61 layers x 576 x 2 B = 70,272 B per token; 4 sequences of 1,000 tokens."""
    shape = ModelRef.catalog("deepseek-v3").shape
    assert kv_cache_bytes(shape, batch=1, tokens=1000) == 1000 * 70_272
    assert kv_cache_bytes(shape, batch=4, tokens=1000) == 4 * 1000 * 70_272
    assert kv_cache_bytes(shape, batch=4, tokens=1000, bytes_per_value=1) == 2 * 1000 * 70_272  # fp8 cache


def test_inference_plan_at_tp_sixteen_holds_a_whole_kv_head_per_gpu():
    """Generating 2,048 after 2,048 tokens, 4 sequences: the decoding step holds the full cache plus one layer
    growing by torch.cat: 4 x 167,772,160 x (1 + 1/80) = 679,477,248 B per GPU."""
    plan = inference_plan(InferenceSetup(model=ModelRef.catalog("llama-2-70b"), tp=16, concurrent_sequences=4,
                                         prompt_tokens=2048, new_tokens=2048, gpu="h100-80gb"))
    assert plan.estimate.peak_phase == "decoding"
    assert plan.estimate.components["KV cache"] == 679_477_248


def test_serving_max_batch_at_tp_sixteen_is_bounded_by_a_whole_replicated_kv_head():
    """The largest batch the serving calculator finds cannot exceed what fits when every sequence costs one whole
    KV head per GPU: (usable memory - weights per GPU) / 167,772,160 B. With half a head it would double."""
    from lifecycle.serving.plan import ServingSetup, serving_plan

    plan = serving_plan(ServingSetup(model=ModelRef.catalog("llama-2-70b"), gpus=16, gpu="h100-80gb",
                                     prompt_tokens=2048, new_tokens=2048))
    weights = plan.memory_components["weights"]
    assert weights == pytest.approx(2 * 68_976_648_192 / 16, rel=1e-6)  # 2 B x llama-2-70b's parameters / 16
    bound = (get_gpu("h100-80gb").memory_bytes - weights) // 167_772_160
    assert 0 < plan.max_batch <= bound


# --- training components, one at a time, small and production-sized ---------------------------------------------

def test_gpt2_small_amp_components_each_match_their_source():
    """gpt2-small, amp bf16, AdamW (foreach), micro-batch 8 x 512, one GPU, no checkpointing (an H200 row)."""
    est = training_memory(_train("gpt2-small", precision="amp_bf16", micro_batch=8, seq_len=512))
    c = est.components
    assert est.params == GPT2_PARAMS
    assert c["weights"] == 4 * GPT2_PARAMS  # autocast keeps fp32 weights
    assert c["optimizer states"] == 8 * GPT2_PARAMS  # AdamW exp_avg + exp_avg_sq in the fp32 parameter dtype
    # autocast keeps the bf16 copy of every matmul weight (and its bias) it cast: 12 blocks x (768 x 9,216 + 6,912)
    # + the 50,257 x 768 LM head, 2 B each
    assert c["autocast bf16 weight copies"] == 2 * (12 * (768 * 9216 + 6912) + 50257 * 768)
    # transformers' ForCausalLMLoss upcasts the logits: log_softmax's output, its gradient and result, 3 x 4 B
    assert c["logits and loss"] == 12 * 8 * 512 * 50257
    # per block and token 88·h bytes (PyTorch derivatives.yaml over HF GPT2Block: two fp32 LayerNorm inputs 8h; attention
    # 2h bf16 qkv input + 8h q,k,v,out + 2h out-proj input + 1h dropout mask; MLP 2h + the Python gelu_new's
    # fp32 pow/tanh temporaries and bf16 result 14f + 2f c_proj input + 1h mask, f = 4h)
    assert c["activations"] == 12 * 8 * 512 * 88 * 768
    assert est.peak_phase == "backward start"


def test_gpt2_small_optimizer_step_holds_fp32_gradients_and_the_foreach_sqrt_copy():
    est = training_memory(_train("gpt2-small", precision="amp_bf16", micro_batch=1, seq_len=8))
    assert est.peak_phase == "optimizer step"
    assert est.components["gradients"] == 4 * GPT2_PARAMS  # .grad has the parameter's dtype
    # torch.optim.AdamW(foreach=True): _foreach_sqrt(exp_avg_sqs) is one parameter-sized fp32 temporary
    assert est.components["optimizer step buffers"] == 4 * GPT2_PARAMS


def test_llama_2_7b_pure_bf16_components_each_match_their_source():
    """llama-2-7b in pure bf16, micro-batch 1 x 4,096, one GPU, no checkpointing."""
    est = training_memory(_train("llama-2-7b", precision="bf16", micro_batch=1, seq_len=4096))
    c = est.components
    assert est.params == LLAMA2_7B_PARAMS
    assert c["weights"] == 2 * LLAMA2_7B_PARAMS
    assert c["optimizer states"] == 4 * LLAMA2_7B_PARAMS  # two bf16 AdamW states
    assert c["logits and loss"] == 12 * 4096 * 32000  # fp32 loss (ForCausalLMLoss) over 32,000 logits per token
    # per block and token, bf16 (PyTorch derivatives.yaml, LlamaDecoderLayer): two RMSNorms keep a fp32 copy and
    # the bf16 normalised input, 2 x 6h; q/k/v share one 2h input; sdpa keeps q, k, v, out (8h); o_proj's input
    # 2h; gate/up share 2h; silu's input, the product's two factors and down_proj's input 8f
    per_token_per_layer = 26 * 4096 + 8 * 11008
    assert per_token_per_layer == 194_560
    assert c["activations"] == 32 * 4096 * per_token_per_layer
    assert "attention scores" not in c  # the fused sdpa kernel keeps no score matrix
    gradients_at_step = training_memory(_train("llama-2-7b", precision="bf16", micro_batch=1, seq_len=8))
    assert gradients_at_step.components["gradients"] == 2 * LLAMA2_7B_PARAMS


def test_eager_attention_keeps_fp32_softmax_per_score_element():
    """Eager LLaMA attention: softmax(dtype=float32) keeps its fp32 output and matmul keeps the bf16 cast
    probabilities: 6 B per element of batch x heads x s x s per layer: 32 x 32 x 1024² x 6 B = 6 GiB."""
    setup = _train("llama-2-7b", precision="bf16", micro_batch=1, seq_len=1024, attention="eager")
    assert activation_bytes(setup, set())["attention scores"] == 32 * 32 * 1024 * 1024 * 6


# --- what the plan says beside the bytes: headroom, "tight", data parallel, what the FLOPs count ----------------

def _estimate_needing(required_bytes: int):
    from lifecycle.memory.breakdown import MemoryEstimate
    from lifecycle.memory.overheads import CUDA_CONTEXT_BYTES

    reserved = required_bytes - CUDA_CONTEXT_BYTES
    return MemoryEstimate(components={"weights": reserved}, peak_allocated_bytes=reserved, peak_reserved_bytes=reserved,
                          params=1, trainable_params=0)


def test_headroom_is_what_the_gpu_has_left_and_under_a_tenth_of_it_is_tight():
    from lifecycle.memory.plan import headroom

    gpu = get_gpu("h100-80gb")
    tenth = gpu.memory_bytes // 10 + 1  # the smallest whole headroom that is not under 10 % of the GPU
    assert headroom(_estimate_needing(gpu.memory_bytes - tenth), gpu) == (tenth, "fits")
    assert headroom(_estimate_needing(gpu.memory_bytes - tenth + 1), gpu) == (tenth - 1, "tight")
    assert headroom(_estimate_needing(gpu.memory_bytes), gpu) == (0, "tight")  # exactly full still fits
    assert headroom(_estimate_needing(gpu.memory_bytes + 5), gpu) == (-5, "does_not_fit")
    ten_gb = SimpleNamespace(memory_bytes=10**10)  # a capacity whose tenth is whole: exactly 10 % left is not tight
    assert headroom(_estimate_needing(9 * 10**9), ten_gb) == (10**9, "fits")
    assert headroom(_estimate_needing(9 * 10**9 + 1), ten_gb) == (10**9 - 1, "tight")


def test_training_plan_states_headroom_and_verdict_consistent_with_fits():
    from lifecycle.memory.plan import training_plan

    small = training_plan(_train("gpt2-small", gpu="h100-80gb"))
    assert small.fit_verdict == "fits" and small.fits
    assert small.headroom_bytes == get_gpu("h100-80gb").memory_bytes - small.estimate.required_bytes
    big = training_plan(_train("llama-2-70b", precision="bf16", gpu="h100-80gb"))
    assert big.fit_verdict == "does_not_fit" and big.fits is False
    assert big.headroom_bytes == get_gpu("h100-80gb").memory_bytes - big.estimate.required_bytes < 0
    assert training_plan(_train("gpt2-small")).fit_verdict is None  # no GPU chosen, no verdict


def test_inference_plan_states_headroom_and_verdict():
    plan = inference_plan(InferenceSetup(model=ModelRef.catalog("llama-2-70b"), gpu="h100-80gb"))
    assert plan.fit_verdict == "does_not_fit"  # 138 GB of bf16 weights on one 80 GB card
    assert plan.headroom_bytes == get_gpu("h100-80gb").memory_bytes - plan.estimate.required_bytes


def test_data_parallel_degree_is_gpus_over_tensor_times_pipeline_and_zero_shards_over_it():
    """16 GPUs at tp 2, pp 2: 4 replicas. ZeRO Figure 1's stage-3 row is (2 + 2 + 12)·Ψ / N_d with N_d = 4."""
    from lifecycle.memory.plan import training_plan

    plan = training_plan(_train("llama-2-7b", gpus=16, tp=2, pp=2))
    assert plan.data_parallel_degree == 4
    assert plan.zero_stages[3].bytes_per_gpu == pytest.approx(16 * LLAMA2_7B_PARAMS / 4)
    assert training_plan(_train("llama-2-7b")).data_parallel_degree == 1


def test_flops_basis_says_what_k_counts_and_what_recomputation_adds():
    """Kaplan et al. 2020 §2.1: a step is forward 2N + backward 4N; LoRA's frozen base skips the weight gradients
    (Hu et al. 2021 §4.2: 4N); full checkpointing runs the forward again, 2N more hardware FLOPs (PaLM App. B)."""
    from lifecycle.memory.plan import training_plan

    full = training_plan(_train("llama-2-7b", training_tokens=1e9))
    assert full.flops_per_param_token == 6 and full.flops_basis == "forward 2·N + backward 4·N"
    lora = training_plan(_train("llama-2-7b", method="lora", training_tokens=1e9))
    assert lora.flops_per_param_token == 4 and lora.flops_basis.startswith("forward 2·N + backward 2·N")
    ckpt = training_plan(_train("llama-2-7b", grad_checkpointing=True, training_tokens=1e9))
    assert ckpt.hardware_flops == pytest.approx(ckpt.training_flops * 8 / 6)
    assert ckpt.flops_basis == (f"forward 2·N + backward 4·N; the GPUs also run the recomputed forward, "
                                f"{ckpt.hardware_flops:.3g} hardware FLOPs, which MFU does not count")
    assert training_plan(_train("llama-2-7b")).flops_basis == ""  # no tokens, nothing counted


# --- the loss buffers, the optimizer, quantised bases and the allocator, one rule each --------------------------

@pytest.mark.parametrize("precision,head,labels,per_output", [
    # BertForMaskedLM calls nn.CrossEntropyLoss on the logits as they are: 16-bit in pure bf16 (3 x 2 B)...
    ("bf16", "mlm", 2, 6 * 30522),
    # ...fp32 under autocast (log_softmax is on autocast's fp32 list) and in fp32 training: 3 x 4 B
    ("amp_bf16", "mlm", 2, 12 * 30522),
    ("fp32", "mlm", 2, 12 * 30522),
    # BertForTokenClassification: one logit per label and token
    ("bf16", "token-cls", 5, 6 * 5),
])
def test_bert_loss_buffers_follow_the_dtype_its_loss_sees_and_the_heads_width(precision, head, labels, per_output):
    setup = _train("bert-base-uncased", precision=precision, head=head, num_labels=labels, micro_batch=8, seq_len=128)
    assert activation_bytes(setup, set())["logits and loss"] == 8 * 128 * per_output


def test_a_sequence_classifier_scores_one_position_per_sequence_and_a_bare_encoder_has_no_loss():
    cls = _train("bert-base-uncased", precision="bf16", head="seq-cls", num_labels=3, micro_batch=8, seq_len=128)
    assert activation_bytes(cls, set())["logits and loss"] == 8 * 6 * 3  # 8 pooled positions, 3 labels, 3 x 2 B
    bare = _train("bert-base-uncased", precision="bf16", micro_batch=8, seq_len=128)
    assert bare.model.shape.head == "base" and activation_bytes(bare, set())["logits and loss"] == 0


@pytest.mark.parametrize("optimizer,param_bytes,expected", [
    ("adamw", 4, 8),  # torch.optim.AdamW: exp_avg and exp_avg_sq in the parameter's dtype
    ("adamw", 2, 4),
    ("sgd", 4, 4),  # momentum_buffer
    ("paged_adamw_32bit", 2, 8),  # bitsandbytes Optimizer2State(optim_bits=32): fp32 states whatever the weights
    ("adamw_8bit", 4, 2 + 8 / 256),  # two 1-byte states + one fp32 absmax per 256-value block each
    ("paged_adamw_8bit", 2, 2 + 8 / 256),
])
def test_optimizer_state_bytes_per_parameter_follow_each_optimizers_code(optimizer, param_bytes, expected):
    from lifecycle.memory.adapters import optimizer_state_bytes_per_param

    assert optimizer_state_bytes_per_param(optimizer, param_bytes) == pytest.approx(expected, abs=1e-12)


def test_adafactor_states_are_factored_and_its_step_works_one_matrix_at_a_time():
    """Shazeer & Stern 2018: row and column second moments instead of a full matrix (< 0.04 B/param); its step's
    temporaries are three fp32 copies of the largest matrix, llama-2-7b's 32,000 x 4,096 embedding."""
    from lifecycle.memory.adapters import optimizer_state_bytes_per_param, optimizer_step_temp_bytes

    shape = ModelRef.catalog("llama-2-7b").shape
    assert optimizer_state_bytes_per_param("adafactor", 4) == pytest.approx(0.04)
    assert optimizer_step_temp_bytes("adafactor", "foreach", 4, LLAMA2_7B_PARAMS, shape) == 3 * 4 * 32000 * 4096
    small_vocab = shape.model_copy(update={"vocab": 1000})  # now the 4,096 x 11,008 MLP matrix is the largest
    assert optimizer_step_temp_bytes("adafactor", "foreach", 4, LLAMA2_7B_PARAMS, small_vocab) == 3 * 4 * 4096 * 11008


def test_only_foreach_adamw_keeps_a_parameter_sized_temporary():
    """torch/optim/adam.py _multi_tensor_adam: _foreach_sqrt(exp_avg_sqs) over the whole list; fused and SGD's
    in-place foreach ops keep none."""
    from lifecycle.memory.adapters import optimizer_step_temp_bytes

    shape = ModelRef.catalog("llama-2-7b").shape
    assert optimizer_step_temp_bytes("adamw", "foreach", 4, 1000.0, shape) == 4000
    assert optimizer_step_temp_bytes("adamw", "foreach", 2, 1000.0, shape) == 2000
    assert optimizer_step_temp_bytes("adamw", "fused", 4, 1000.0, shape) == 0
    assert optimizer_step_temp_bytes("sgd", "foreach", 4, 1000.0, shape) == 0


def test_qlora_stores_block_linears_in_nf4_and_the_rest_in_bf16():
    """QLoRA §3: 4-bit NF4 values + double-quantised constants, 0.5 + 0.127/8 B per block-linear weight;
    llama-2-7b has 32 x (4 x 4096² + 3 x 4096 x 11008) = 6,476,005,376 of them, the other 262,410,240 (embeddings,
    head, norms) stay bf16."""
    est = training_memory(_train("llama-2-7b", method="qlora"))
    assert est.components["quantised base weights"] == int(6_476_005_376 * (0.5 + 0.127 / 8) + 2 * 262_410_240)
    lora8 = training_memory(_train("llama-2-7b", method="lora", precision="int8"))
    assert lora8.components["quantised base weights"] == 6_476_005_376 + 2 * 262_410_240  # LLM.int8: 1 B/weight


@pytest.mark.parametrize("precision,method,bytes_per_param", [
    ("fp32", "full", 4), ("amp_bf16", "full", 4), ("bf16", "full", 2), ("fp16", "full", 2),
    ("amp_bf16", "lora", 2),  # peft + Trainer(bf16=True): a bf16 base under autocast
    ("fp32", "lora", 4),
])
def test_base_weights_are_stored_in_the_precision_modes_dtype(precision, method, bytes_per_param):
    est = training_memory(_train("gpt2-small", precision=precision, method=method))
    assert est.components["weights"] == bytes_per_param * GPT2_PARAMS


def test_reserved_memory_adds_the_measured_slack_on_what_churns_only():
    """overheads.py: slack = median (reserved - allocated) / churn over the H200 rows: 6.3 % without
    checkpointing, 47 % with, 25 % for inference; weights allocated once do not fragment."""
    from lifecycle.memory.overheads import reserved_bytes

    gb = 10**9
    assert reserved_bytes(10 * gb, static_bytes=4 * gb) == 10 * gb + 378_000_000  # 6.3 % of 6 GB
    assert reserved_bytes(10 * gb, static_bytes=4 * gb, grad_checkpointing=True) == 10 * gb + 2_820_000_000
    assert reserved_bytes(10 * gb, static_bytes=4 * gb, inference=True) == 10 * gb + 1_500_000_000
    assert reserved_bytes(10 * gb) == 10 * gb + 630_000_000  # nothing static: all of it churns
    assert reserved_bytes(10 * gb, static_bytes=12 * gb) == 10 * gb  # more static than allocated: no slack


def test_a_gpu_fits_exactly_when_reserved_plus_the_cuda_context_is_within_its_memory():
    from lifecycle.memory.overheads import CUDA_CONTEXT_BYTES

    gpu = get_gpu("h100-80gb")
    assert CUDA_CONTEXT_BYTES == 2**29  # the measurements' README: about 0.5 GB
    assert _estimate_needing(gpu.memory_bytes).fits(gpu)
    assert not _estimate_needing(gpu.memory_bytes + 1).fits(gpu)
    assert _estimate_needing(10**9).fits(10**9) and not _estimate_needing(10**9 + 1).fits(10**9)


@pytest.mark.parametrize("gpus,tp,pp,message", [
    (6, 4, 1, "multiple of tp x pp = 4"), (4, 2, 4, "GPU count 4 must be a multiple of tp x pp = 8"),
    (0, 1, 1, "gpus must be a whole number"),
    (8, 0, 1, "tp must be a whole number"), (8, 2, -1, "pp must be a whole number"), (8.0, 1, 1, "gpus must be"),
])
def test_data_parallel_degree_refuses_layouts_that_do_not_divide(gpus, tp, pp, message):
    from lifecycle.errors import InvalidInput
    from lifecycle.memory.distributed import data_parallel_degree

    with pytest.raises(InvalidInput, match=message):
        data_parallel_degree(gpus, tp, pp)
    assert data_parallel_degree(64, 4, 2) == 8 and data_parallel_degree(1, 1, 1) == 1
    assert type(data_parallel_degree(64, 4, 2)) is int  # a count of replicas


# --- reached by the calculators but by no fast memory test before issue 28 --------------------------------------

def test_fp8_training_is_full_training_on_a_chip_with_fp8_tensor_cores():
    """data/fp8_training.json: FP8 casts the trained linear layers' GEMMs (method full); torchao.float8 needs CUDA
    capability >= 8.9 (Hopper, Ada, Blackwell), so an A100 has none; time gains the measured 1.25x (torchtitan)."""
    from lifecycle.errors import InvalidInput
    from lifecycle.memory.fp8 import effective_mfu

    with pytest.raises(InvalidInput, match="use it with method full"):
        _train("llama-2-7b", precision="fp8", method="lora")
    with pytest.raises(InvalidInput, match="(?i)a100-80gb has no FP8 tensor cores"):
        _train("llama-2-7b", precision="fp8", gpu="a100-80gb")
    assert _train("llama-2-7b", precision="fp8", gpu="h100-80gb").precision == "fp8"
    assert effective_mfu("fp8", 0.4) == pytest.approx(0.5) and effective_mfu("amp_bf16", 0.4) == 0.4
    assert effective_mfu("fp8", 0.9) == 1.0  # never above the peak


def test_training_time_is_the_plans_time_and_cost_on_that_gpu():
    """launch.rent times every configuration with training_time: the same numbers the calculator shows."""
    from lifecycle.memory.plan import training_plan, training_time

    setup = _train("gpt2-small", gpus=8, training_tokens=1e9)
    plan = training_plan(setup.vary(gpu="h100-80gb"))
    assert training_time(setup, get_gpu("h100-80gb")) == plan.time_and_cost
    assert plan.time_and_cost.gpus == 8
    assert training_time(_train("gpt2-small", gpus=8), get_gpu("h100-80gb")) is None  # no tokens: no time


def test_a_lora_step_all_reduces_only_the_adapters_gradients():
    """DDP all-reduces the gradients of trainable parameters only: LoRA rank 16 on q, v of llama-2-7b is
    32 x 2 x 16 x (4096 + 4096) = 8,388,608 fp32 adapter weights; ring all-reduce moves 2(n-1)/n of them."""
    from lifecycle.memory.communication import communication_estimate

    comm = communication_estimate(_train("llama-2-7b", method="lora", gpus=8, training_tokens=1e9), get_gpu("h100-80gb"))
    assert comm.data_parallel_bytes == pytest.approx(2 * 7 / 8 * 8_388_608 * 4)


def test_deepspeed_zero2_estimator_on_one_gpu_follows_its_code():
    """DeepSpeed stage_1_and_2.py estimate_zero2_model_states_mem_needs, T5-3B (2851e6) on one GPU: GPU 2Ψ + 18Ψ
    (53.1 GiB), CPU 4Ψ·1.5; offloaded: GPU 2Ψ (5.31 GiB), CPU Ψ·max(4·1, 16)·1.5 = 24Ψ (63.72 GiB). G is the
    GPUs of all nodes; the CPU side counts one node's GPUs."""
    from lifecycle.memory.distributed import deepspeed_zero2_estimate_bytes

    psi = 2851e6
    assert deepspeed_zero2_estimate_bytes(psi) == (20 * psi, 6 * psi)
    gpu, cpu = deepspeed_zero2_estimate_bytes(psi, offload_optimizer=True)
    assert gpu == 2 * psi and round(cpu / 2**30, 2) == 63.72
    assert deepspeed_zero2_estimate_bytes(psi, gpus_per_node=4, offload_optimizer=True)[1] == 24 * psi  # max(16, 16)
    assert deepspeed_zero2_estimate_bytes(psi, gpus_per_node=8, offload_optimizer=True)[1] == 48 * psi  # 4·8 > 16
    # two nodes of 8: the states shard over all 16 GPUs; each node's CPU holds 4Ψ·8·1.5 for its 8 ranks
    gpu, cpu = deepspeed_zero2_estimate_bytes(psi, gpus_per_node=8, nodes=2)
    assert gpu == pytest.approx(2 * psi + 18 * psi / 16) and cpu == 48 * psi


@pytest.mark.parametrize("strategy,offload,allowed", [
    ("ddp", "none", True), ("ddp", "optimizer", False), ("zero1", "optimizer", True), ("zero2", "optimizer", True),
    ("zero1", "params", False), ("zero2", "params", False), ("zero3", "params", True), ("fsdp", "params", True),
    ("fsdp_hybrid", "params", True), ("fsdp", "optimizer", True),
])
def test_one_rule_says_which_offload_goes_with_which_strategy(strategy, offload, allowed):
    """ZeRO-Offload (arXiv 2101.06840) moves optimizer states with any ZeRO stage; ZeRO-Infinity's parameter
    offload (DeepSpeed offload_param, FSDP CPUOffload) needs the weights sharded, stage 3; DDP shards nothing. The
    Setup refuses exactly what the strategy table skips."""
    from lifecycle.errors import InvalidInput
    from lifecycle.memory.distributed import offload_problem
    from lifecycle.memory.gpu_count import strategy_table

    assert (offload_problem(strategy, offload) is None) == allowed
    if allowed:
        assert _train("llama-2-7b", strategy=strategy, offload=offload, gpus=8).offload == offload
    else:
        with pytest.raises(InvalidInput, match="DDP keeps everything on the GPU|only they shard the weights"):
            _train("llama-2-7b", strategy=strategy, offload=offload, gpus=8)
    rows = strategy_table(_train("gpt2-small", gpus=8), get_gpu("h100-80gb"))
    assert any(r.strategy == strategy and r.offload == offload for r in rows) == allowed


def test_reserved_bytes_of_a_number_is_a_whole_number_of_bytes():
    from lifecycle.memory.overheads import reserved_bytes

    assert type(reserved_bytes(10**9 + 7, static_bytes=3)) is int
