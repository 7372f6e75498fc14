"""GPU memory of training and inference per GPU: the estimator, its activation/adapter/overhead terms,
sharding across GPUs (DDP, ZeRO, FSDP, TP/PP), the vectorised grid and the planner that searches GPU counts."""
