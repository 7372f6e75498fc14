"""Adapt & Align: the adaptation options (prompting, LoRA/QLoRA, full, RLHF/DPO) sized on the team's GPUs,
the path advice, evaluation metrics and benchmarks, and the optimize/augment checklists."""
