"""The team's facts, once: what every calculator starts from for a project.

A project states its GPU type and count, input/output lengths, training data (examples × tokens × epochs),
budget, targets and precision preference on the Scope page (``ScopeStage``); the Select stage adds the
model and Integrate the serving GPU. ``project_facts`` turns them into one ``ProjectFacts`` with a
documented default wherever the team has not said, and names the fields the project set, so a page can
say "from the project" and show where a scenario departs from it.
"""

from __future__ import annotations

from lifecycle._typed import Result
from lifecycle.choices import TrainPrecision, weight_format
from lifecycle.models.gpus import list_gpus
from lifecycle.scaling.compute import DEFAULT_MFU

# Defaults where the project is silent, each with its reason.
DEFAULT_GPU = "h100-80gb"  # the most common training GPU in data/gpus.json's price list
DEFAULT_GPUS = 1
DEFAULT_INPUT_TOKENS = 512  # a page of text
DEFAULT_OUTPUT_TOKENS = 256  # a few paragraphs
DEFAULT_EPOCHS = 1.0
DEFAULT_PRECISION: TrainPrecision = "amp_bf16"  # mixed precision is how 16-bit training is run today
DEFAULT_MICRO_BATCH = 4
DEFAULT_LABELS = 2  # a binary classifier
RESEARCH_ONLY = "research use only"  # the Scope constraint that lifts the commercial-licence check
DEFAULT_CONCURRENT_SEQUENCES = 16


class ProjectFacts(Result):
    gpu: str
    gpus: int
    input_tokens: int
    output_tokens: int
    training_examples: int | None = None
    tokens_per_example: int | None = None
    epochs: float = DEFAULT_EPOCHS
    training_tokens: float | None = None  # examples × tokens per example × epochs, when all are known
    precision: TrainPrecision = DEFAULT_PRECISION
    budget_usd: float | None = None
    latency_ms_p95: float | None = None
    throughput_rps: float | None = None
    model_id: str | None = None
    tasks: tuple[str, ...] = ()  # the project's task tags (Scope)
    languages: tuple[str, ...] = ("en",)  # the languages the model must handle (Scope)
    commercial: bool = True  # a company shipping a product, unless the Scope says research use only
    head: str | None = None  # a classifier's head the team stated (Use case); None: from the tasks and the model
    num_labels: int = DEFAULT_LABELS
    micro_batch: int = DEFAULT_MICRO_BATCH
    mfu: float = DEFAULT_MFU
    from_project: tuple[str, ...] = ()  # the fields above that the project set (the rest are defaults)

    @property
    def seq_len(self) -> int:
        """One training sequence of a decoder: the input and the output it is trained to produce."""
        return self.input_tokens + self.output_tokens

    def _stated(self, *fields: str) -> bool:
        return any(f in self.from_project for f in fields)

    def lengths_for(self, family: str, max_context: int) -> tuple[int, int | None]:
        """(sequence length, decoder length or None) of one training example for a model of ``family``.

        A decoder reads the input and the output it learns to write as one sequence; an encoder reads the input
        only (it writes no tokens); an encoder-decoder reads the input in its encoder and writes the output in its
        decoder, each its own sequence (T5, Raffel et al. 2020: inputs and targets are separate lengths). The
        project's stated lengths are kept even past the model's window (the calculators then say so); a default
        length is capped at the window."""
        if family == "encoder":
            seq, target, stated = self.input_tokens, None, self._stated("input_tokens")
        elif family == "encoder-decoder":
            seq, target = self.input_tokens, self.output_tokens
            stated = self._stated("input_tokens", "output_tokens")
        else:
            seq, target, stated = self.seq_len, None, self._stated("input_tokens", "output_tokens")
        if not stated:
            seq, target = min(seq, max_context), None if target is None else min(target, max_context)
        return max(1, seq), None if target is None else max(1, target)

    def seq_len_for(self, max_context: int, family: str = "decoder") -> int:
        """The default training sequence (the encoder's, for an encoder-decoder) of a model of ``family``."""
        return self.lengths_for(family, max_context)[0]

    def serving_lengths_for(self, family: str, max_context: int) -> tuple[int, int]:
        """(prompt tokens, new tokens) a request defaults to, within the model's window: an encoder generates
        nothing; an encoder-decoder's prompt fills its encoder window and its output its decoder window (each up
        to ``max_context``); a decoder's prompt and output share the one window."""
        window = max(1, max_context)
        if family == "encoder":
            return max(1, min(self.input_tokens, window)), 0
        if family == "encoder-decoder":
            return max(1, min(self.input_tokens, window)), min(self.output_tokens, window)
        prompt = max(1, min(self.input_tokens, window - 1 if window > 1 else 1))
        return prompt, max(0, min(self.output_tokens, window - prompt))

    @property
    def weight_format(self) -> str:
        return weight_format(self.precision)


def _has_bf16(gpu_id: str) -> bool:
    """Whether the GPU catalog gives the chip bf16 tensor cores (its bf16 peak)."""
    return next((g.peak_bf16_dense_flops is not None for g in list_gpus() if g.id == gpu_id), True)


def project_facts(project=None) -> ProjectFacts:
    """The facts of ``project`` (a ``Project`` or None), defaults filling what it does not state."""
    scope = project.scope if project is not None else None
    integrate = project.integrate if project is not None else None
    known_gpus = {g.id for g in list_gpus()}
    stated: dict = {}
    if scope is not None:
        gpu = scope.gpu_id if scope.gpu_id in known_gpus else None
        gpu = gpu or (integrate.gpu_id if integrate.gpu_id in known_gpus else None)
        stated = {"gpu": gpu, "gpus": scope.gpu_count or integrate.gpu_count,
                  "input_tokens": scope.input_tokens or None, "output_tokens": scope.output_tokens,
                  "training_examples": scope.training_examples, "tokens_per_example": scope.tokens_per_example,
                  "epochs": scope.epochs, "precision": scope.precision, "budget_usd": scope.budget_usd,
                  "latency_ms_p95": scope.latency_ms_p95, "throughput_rps": scope.throughput_rps,
                  "model_id": project.select.model_id, "tasks": tuple(scope.tasks) or None,
                  "head": scope.head, "num_labels": scope.num_labels,
                  "languages": tuple(scope.languages) or None,
                  "commercial": False if RESEARCH_ONLY in scope.constraints else None}
        stated = {k: v for k, v in stated.items() if v is not None}
    facts = {"gpu": DEFAULT_GPU, "gpus": DEFAULT_GPUS, "input_tokens": DEFAULT_INPUT_TOKENS,
             "output_tokens": DEFAULT_OUTPUT_TOKENS, **stated}
    if "precision" not in stated and not _has_bf16(facts["gpu"]):
        facts["precision"] = "amp_fp16"  # V100, T4: no bf16 tensor cores, so a bf16 default would be refused
    examples, per_example = facts.get("training_examples"), facts.get("tokens_per_example")
    epochs = facts.get("epochs", DEFAULT_EPOCHS)
    if examples and per_example:
        facts["training_tokens"] = float(examples) * float(per_example) * float(epochs)
        stated["training_tokens"] = facts["training_tokens"]
    return ProjectFacts(**facts, from_project=tuple(stated))
