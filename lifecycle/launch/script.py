"""The exported TRL SFT script (``train.py``): it reads ``sft_config.yaml`` through TRL's own parser, trains, and
writes ``plan_vs_actual.json`` (the planner's expectation beside what each rank measured), which
``lifecycle projects measured`` imports. ``--tiny_random true`` swaps in a 2-layer Llama built from a config with
a word-level tokenizer and a generated dataset, so the same script runs on a CPU with nothing downloaded.
"""

from __future__ import annotations

import json

from lifecycle.launch.job import JobPlan

LOG_FORMAT = "lifecycle-run-log"
LOG_NAME = "plan_vs_actual.json"

_BODY = r'''
import json, os, resource, statistics, time
from dataclasses import dataclass, field

import torch
from transformers import TrainerCallback
from trl import ModelConfig, ScriptArguments, SFTConfig, SFTTrainer, TrlParser, get_peft_config, get_quantization_config


@dataclass
class RunArguments:
    tiny_random: bool = field(default=False, metadata={"help": "a 2-layer Llama from a config, nothing downloaded"})
    plan_log: str = field(default="", metadata={"help": "where to write plan vs actual (default OUTPUT_DIR/@LOG@)"})


class Measure(TrainerCallback):
    """Wall time of each optimizer step and the tokens it saw (Trainer's num_input_tokens_seen)."""

    def __init__(self):
        self.steps, self.t0 = [], None

    def on_step_begin(self, args, state, control, **kw):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.t0 = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.steps.append(time.perf_counter() - self.t0)


def tiny_model_and_data(seq_len):
    from datasets import Dataset
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast

    words = ["the", "plan", "runs", "on", "gpus", "and", "memory", "fits", "tokens", "per", "second", "cost"]
    vocab = {w: i for i, w in enumerate(["<pad>", "<unk>", "<eos>"] + words)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", eos_token="<eos>")
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max(seq_len, 64),
                         pad_token_id=0, eos_token_id=2, bos_token_id=None)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    text = [" ".join(words[(i + j) % len(words)] for j in range(min(seq_len, 48) - 2)) for i in range(64)]
    return model, tokenizer, Dataset.from_dict({"text": text})


def main():
    parser = TrlParser((ScriptArguments, SFTConfig, ModelConfig, RunArguments))
    script_args, training_args, model_args, run_args = parser.parse_args_and_config()
    training_args.include_num_input_tokens_seen = True
    if run_args.tiny_random:
        model, tokenizer, dataset = tiny_model_and_data(training_args.max_length)
        if training_args.use_cpu and ("bnb" in training_args.optim or "paged" in training_args.optim):
            training_args.optim = "adamw_torch"  # bitsandbytes optimizers need a GPU
    else:
        from datasets import load_dataset
        from transformers import AutoModelForCausalLM, AutoTokenizer

        quant = get_quantization_config(model_args)
        if quant is not None:
            quant.bnb_4bit_use_double_quant = model_args.use_bnb_nested_quant
        # a quantised base under DDP / ZeRO-1/2 lives whole on each rank's own GPU; sharded plans place it themselves
        device_map = ({"": int(os.environ.get("LOCAL_RANK", 0))}
                      if quant is not None and PLAN["strategy"] in ("ddp", "zero1", "zero2") else None)
        model = AutoModelForCausalLM.from_pretrained(
            model_args.model_name_or_path, dtype=model_args.dtype, quantization_config=quant, device_map=device_map,
            attn_implementation=model_args.attn_implementation)
        tokenizer = AutoTokenizer.from_pretrained(model_args.model_name_or_path)
        dataset = load_dataset(script_args.dataset_name, split=script_args.dataset_train_split)
    measure = Measure()
    trainer = SFTTrainer(model=model, args=training_args, train_dataset=dataset, processing_class=tokenizer,
                         peft_config=get_peft_config(model_args), callbacks=[measure])
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    trainer.train()
    wall = time.perf_counter() - started
    mine = {"rank": int(os.environ.get("RANK", 0)),
            "peak_allocated_bytes": torch.cuda.max_memory_allocated() if torch.cuda.is_available() else None,
            "peak_reserved_bytes": torch.cuda.max_memory_reserved() if torch.cuda.is_available() else None,
            "cpu_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"}
    ranks = [mine]
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        ranks = [None] * torch.distributed.get_world_size()
        torch.distributed.all_gather_object(ranks, mine)
    if not trainer.is_world_process_zero():
        return
    steps = measure.steps[1:] if len(measure.steps) > 1 else measure.steps  # the first step warms up
    tokens = int(trainer.state.num_input_tokens_seen or 0)
    params = list(trainer.model.parameters())
    log = {"format": "@FORMAT@", "version": 1, "plan": PLAN,
           "actual": {"ranks": ranks, "optimizer_steps": trainer.state.global_step, "wall_s": wall,
                      "step_s": statistics.median(steps) if steps else None, "tokens_seen": tokens,
                      "tokens_per_s": tokens / sum(measure.steps) if measure.steps and tokens else None,
                      "world_size": training_args.world_size, "tiny_random": run_args.tiny_random,
                      "trainable_params": sum(p.numel() for p in params if p.requires_grad),
                      "total_params": sum(p.numel() for p in params)}}
    path = run_args.plan_log or os.path.join(training_args.output_dir, "@LOG@")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(log, fh, indent=2)
    print(json.dumps({"plan_vs_actual": path, "step_s": log["actual"]["step_s"],
                      "tokens_per_s": log["actual"]["tokens_per_s"], "expected_tokens_per_s": PLAN["expected_tokens_per_s"]}))


if __name__ == "__main__":
    main()
'''


def plan_summary(job: JobPlan) -> dict:
    """What the log carries of the plan: enough to compare without the project at hand."""
    keys = ("scenario_id", "scenario_name", "project", "model_name", "method", "strategy", "gpu_id", "gpus",
            "micro_batch", "grad_accum", "global_batch", "seq_len", "mfu", "expected_peak_allocated_bytes",
            "expected_peak_reserved_bytes", "expected_tokens_per_s", "expected_step_s", "expected_time_s",
            "expected_cost_usd")
    return {k: getattr(job, k) for k in keys}


def train_script(job: JobPlan, header: list[str]) -> str:
    head = '"""' + "\n".join(line.replace('"""', "'''") for line in header) + \
        "\n\nRun: accelerate launch --config_file accelerate_config.yaml train.py --config sft_config.yaml\n" + \
        "CPU check: python train.py --config sft_config.yaml --tiny_random true --use_cpu true --max_steps 2\n" + '"""'
    plan = "PLAN = json.loads(" + repr(json.dumps(plan_summary(job))) + ")\n"
    body = _BODY.replace("@LOG@", LOG_NAME).replace("@FORMAT@", LOG_FORMAT)
    return head + "\n" + body.replace("\n\n@dataclass", "\n" + plan + "\n\n@dataclass", 1)
