"""Test shorthands: the memory estimators called with a bare shape and keyword settings.

``train(shape, batch=4, seq=1024, ...)`` builds the ``TrainingSetup`` (``batch`` → ``micro_batch``, ``seq`` →
``seq_len``) and returns ``training_memory(setup)``; ``infer`` does the same for ``InferenceSetup``
(``batch`` → ``concurrent_sequences``). Invalid settings raise InvalidInput from the Setup, as in the app.
"""

from __future__ import annotations

from lifecycle.memory.estimate import training_memory
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.setup import InferenceSetup, TrainingSetup


def train_setup(shape, **kw) -> TrainingSetup:
    if "batch" in kw:
        kw["micro_batch"] = kw.pop("batch")
    if "seq" in kw:
        kw["seq_len"] = kw.pop("seq")
    return TrainingSetup.for_shape(shape, **kw)


def infer_setup(shape, **kw) -> InferenceSetup:
    if "batch" in kw:
        kw["concurrent_sequences"] = kw.pop("batch")
    return InferenceSetup.for_shape(shape, **kw)


def train(shape, **kw):
    return training_memory(train_setup(shape, **kw))


def infer(shape, **kw):
    return inference_memory(infer_setup(shape, **kw))
