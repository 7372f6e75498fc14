"""Peak tensor memory of one real training step of a Hugging Face model, tracked by PyTorch on the CPU.

Builds the model from a config (tests/data/model-configs/NAME.json) on the meta device, materialises it as
fake tensors (no memory, no weights), runs forward, backward and the optimizer step twice under
``torch.distributed._tools.mem_tracker.MemTracker`` and prints the peak by category. Used to find mechanisms
of the estimator's errors that no GPU row shows (issue 16: the 16-bit loss of BERT/T5/BART in pure bf16).
The CPU picks its own attention kernels: with dropout in attention it falls back to the math path (s x s
scores), so pass the attention-dropout key to zero it (CUDA's fused kernels keep no dropout mask either).

Needs torch and transformers, which the app does not (not run by ``make bench``):
    python -m venv /tmp/tv && /tmp/tv/bin/pip install torch==2.13.0 transformers
    /tmp/tv/bin/python benchmarks/tools/track_step_memory.py bert-large 32 512 foreach 24 attention_probs_dropout_prob
    AMP=1 /tmp/tv/bin/python benchmarks/tools/track_step_memory.py tinyllama-1.1b 8 1024 foreach

Arguments: NAME BATCH SEQ OPTIMIZER(foreach|fused|sgd) [LAYERS] [CONFIG_KEY_TO_ZERO]; AMP=1: fp32 weights under
bf16 autocast (CPU autocast's op lists are not CUDA's).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch
import transformers
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.distributed._tools.mem_tracker import MemTracker

CONFIGS = Path(__file__).resolve().parents[2] / "tests" / "data" / "model-configs"


def main(argv: list[str]) -> None:
    name, b, s, opt = argv[0], int(argv[1]), int(argv[2]), argv[3]
    path = Path(name) if name.endswith(".json") else CONFIGS / f"{name}.json"
    cfg = json.loads(path.read_text())
    if len(argv) > 4:  # fewer layers: the per-layer terms scale, the run is faster
        for key in ("num_hidden_layers", "n_layer", "num_layers"):
            if key in cfg:
                cfg[key] = int(argv[4])
    config = transformers.AutoConfig.for_model(**cfg)
    config._attn_implementation = "eager" if config.model_type == "bloom" else "sdpa"  # BLOOM has no sdpa path
    if len(argv) > 5:
        setattr(config, argv[5], 0.0)
    amp = os.environ.get("AMP") == "1"
    torch.set_default_dtype(torch.float32 if amp else torch.bfloat16)
    with torch.device("meta"):
        if config.model_type == "bert":
            model = transformers.BertForMaskedLM(config)
        elif config.is_encoder_decoder:
            model = transformers.AutoModelForSeq2SeqLM.from_config(config)
        else:
            model = transformers.AutoModelForCausalLM.from_config(config)
    with FakeTensorMode(allow_non_fake_inputs=True):
        model = model.to_empty(device="cpu").train()
        model.tie_weights()  # to_empty unties shared tensors
        if opt == "sgd":
            optim = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9)
        else:
            optim = torch.optim.AdamW(model.parameters(), lr=1e-5, foreach=opt == "foreach", fused=False)
        vocab = config.vocab_size
        x = torch.randint(0, vocab, (b, s))
        tracker = MemTracker()
        tracker.track_external(model, optim)
        with tracker:
            for step in range(2):  # the second step has optimizer states, as the H200 rows' steps 2-3 do
                if step:
                    tracker.reset_mod_stats()
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
                    labels = torch.randint(0, vocab, (b, 128)) if config.is_encoder_decoder else x
                    loss = model(input_ids=x, labels=labels).loss
                loss.backward()
                optim.step()
                optim.zero_grad(set_to_none=True)
        peak = tracker.get_tracker_snapshot("peak")
        for device, by_kind in peak.items():
            if str(device) != "meta":
                print(device, {str(k).split(".")[-1]: round(v / 1e9, 3) for k, v in by_kind.items()}, "(GB)")


if __name__ == "__main__":
    main(sys.argv[1:])
