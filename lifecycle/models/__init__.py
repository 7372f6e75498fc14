"""Models and hardware: transformer shapes and exact parameter counts, the model and GPU catalogs,
model cards, reading a Hugging Face ``config.json``, the task taxonomy and architecture advice, prompt budgets."""
