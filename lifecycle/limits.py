"""The planner's limits on what a user states, once: Setup fields, the team's facts, files and searches read them here.

Each limit is far above any real value (no real input is refused) and low enough that the arithmetic stays finite and
the work bounded. A widget offers exactly its Setup field's range (``ui/bounds.py``), so a page and the validation
never disagree. ``tests/unit/test_limits.py`` checks that no other module defines a ``MAX_*`` of the same name.
"""

from __future__ import annotations

# 2**17: above the largest GPU cluster announced (xAI Colossus, 100,000 H100s in 2024); a power of two so
# the planner's doubling search (memory/gpu_count.py min_gpus) ends on it.
MAX_GPUS = 131_072
# tensor, pipeline or expert parallel degree: far above any published layout (Llama 3 405B: tp 8, pp 16).
MAX_PARALLEL = 4096
# tokens of one sequence (prompt, new tokens, training sequence, encoder or decoder length): 10 × 2**20, the
# 10,485,760-token window of Llama 4 Scout (its config.json max_position_embeddings), the longest a model states.
MAX_TOKENS = 10_485_760
# any other count (micro-batch, micro-batches, concurrent sequences): keeps the arithmetic finite.
MAX_COUNT = 10**9
# training tokens of one run: about 64,000x the largest published pre-training run (Llama 3: 15.6e12 tokens).
MAX_TRAINING_TOKENS = 1e18
# tokens of one sampling distribution: above every tokenizer's vocabulary (Gemma: 256k).
MAX_VOCAB_TOKENS = 300_000
# sequences per optimizer step: far above published global batches (GPT-3: 3.2M tokens, 1,563 sequences of 2,048).
MAX_GLOBAL_BATCH = 1_000_000
# what a GPU-hour may cost: far above any list price (an 8-GPU H100 server rents for about $100/hour).
MAX_USD_PER_GPU_HOUR = 100_000
# a config.json, read from a file, an upload or the Hub: 1 MB (decimal); real ones are a few kB.
MAX_CONFIG_BYTES = 1_000_000
