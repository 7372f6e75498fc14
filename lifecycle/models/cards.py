"""Model cards in the sections of the Hugging Face template, filled from catalog data only.

Sections and their order follow huggingface_hub ``templates/modelcard_template.md`` (Model
Details, Uses, Bias/Risks/Limitations, Training Details, Evaluation, Environmental Impact,
Technical Specifications, Citation, How to Get Started). Whatever the catalog does not hold is
written as ``UNKNOWN`` with where to look, never guessed; uses derived from the architecture
family are labelled as such.
"""

from __future__ import annotations

from pydantic import BaseModel

from lifecycle.models.architecture import (
    ModelShape,
    active_parameter_count,
    flop_parameter_count,
    moe_layer_count,
    parameter_count,
)
from lifecycle.models.catalog import CatalogModel
from lifecycle.models.tasks import families, list_tasks

UNKNOWN = "unknown (not in the catalog data; see the model's own card)"
TEMPLATE_SOURCE = "huggingface/huggingface_hub src/huggingface_hub/templates/modelcard_template.md @027ba735"
AUTO_CLASS = {"encoder": "AutoModel", "decoder": "AutoModelForCausalLM", "encoder-decoder": "AutoModelForSeq2SeqLM"}
OUT_OF_SCOPE = {
    "encoder": "Open-ended text generation: an encoder has no causal language-model head.",
    "decoder": "Tasks needing guaranteed-grounded spans or exact offsets without checks: generated text can "
               "be fluent and wrong.",
    "encoder-decoder": "Open-ended chat with long free-form outputs, unless instruction-tuned for it.",
}


class CardSection(BaseModel):
    title: str
    fields: list[tuple[str, str]]


class ModelCard(BaseModel):
    model_id: str
    title: str
    metadata: dict[str, str]
    sections: list[CardSection]
    unknown_fields: int

    def to_markdown(self) -> str:
        meta = "\n".join(f"{k}: {v}" for k, v in self.metadata.items())
        parts = [f"---\n{meta}\n---\n", f"# Model Card for {self.title}\n"]
        for sec in self.sections:
            parts.append(f"## {sec.title}\n")
            parts.extend(f"- **{label}:** {value}" for label, value in sec.fields)
            parts.append("")
        return "\n".join(parts)


def _known(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text if text else UNKNOWN


def _shape_summary(shape: ModelShape) -> str:
    layers = (f"{shape.encoder_layers} encoder + {shape.decoder_layers} decoder layers"
              if shape.family == "encoder-decoder" else f"{shape.layers} layers")
    gated = " (gated)" if shape.gated_mlp else ""
    moe = moe_layer_count(shape)
    mlp = f"FFN {shape.ffn}{gated}" if moe < shape.layers else ""
    if moe:
        mlp = (f"{mlp}{' in ' + str(shape.layers - moe) + ' dense layers; ' if mlp else ''}mixture of "
               f"{shape.experts} experts (top-{shape.experts_per_token}) of FFN width {shape.moe_ffn}{gated} "
               f"in {moe} layers" + (f", shared experts {shape.shared_ffn}" if shape.shared_ffn else ""))
    from lifecycle.models.vision import vision_note

    note = vision_note(shape.vision, shape.vision_params, shape.image_tokens)
    return (f"{layers}, hidden {shape.hidden}, {shape.heads} heads ({shape.kv_heads} KV), {mlp}, "
            f"vocabulary {shape.vocab:,}, context {shape.max_context:,}" + (f"; {note}" if note else ""))


def _params_text(params: int, shape: ModelShape) -> str:
    text = f"{params:,} (architecture-derived count: {parameter_count(shape):,})"
    if moe_layer_count(shape):
        text += (f"; active per token {active_parameter_count(shape):,}, "
                 f"{flop_parameter_count(shape):,} without the input embedding (what FLOPs count)")
    return text


def build_card(*, model_id: str, name: str, family: str, shape: ModelShape, params: int,
               hub_id: str | None = None, license: str | None = None, year: int | None = None,
               paper: str | None = None, objective: str | None = None, positional: str | None = None,
               activation: str | None = None, training_tokens: str | None = None, notes: str | None = None,
               source: str | None = None, revision: str | None = None,
               languages: tuple[str, ...] = (), languages_source: str = "") -> ModelCard:
    """A card from whatever facts are known; missing facts are written as unknown."""
    fam = families()[family]
    on_hub = bool(hub_id) and "/" in hub_id and " " not in hub_id
    suited = [t.name for t in list_tasks() if t.family == family]
    sections = [
        CardSection(title="Model Details", fields=[
            ("Model name", name),
            ("Hub organisation", hub_id.split("/")[0] if on_hub else UNKNOWN),
            ("Developed by", UNKNOWN),
            ("Model type", f"{fam.name} transformer ({fam.aka})"),
            ("Language(s)", f"{', '.join(languages)} ({languages_source})" if languages else UNKNOWN),
            ("License", _known(license)),
            ("Release year", _known(year)),
            ("Repository", f"https://huggingface.co/{hub_id}" if on_hub else _known(hub_id)),
            *([("Hub commit", revision)] if revision else []),
            ("Paper", _known(paper)),
        ]),
        CardSection(title="Uses", fields=[
            ("Direct use (derived from the architecture family)", fam.best_for),
            ("Tasks this family suits (task taxonomy)", ", ".join(suited)),
            ("Downstream use", "Fine-tuning or prompting for the tasks above; see the Adapt & Align stage."),
            ("Out-of-scope use (derived from the family)", OUT_OF_SCOPE[family]),
        ]),
        CardSection(title="Bias, Risks, and Limitations", fields=[
            ("Known biases and risks", UNKNOWN),
            ("Limitations from the data we hold", f"context window {shape.max_context:,} tokens"
             + (f"; licence {license}" if license else "")),
            ("Recommendations", "Read the model's own card and evaluate on your data before use."),
        ]),
        CardSection(title="Training Details", fields=[
            ("Training data", _known(training_tokens)),
            ("Training objective", _known(objective)),
            ("Training hyperparameters", UNKNOWN),
            ("Speeds, sizes, times", UNKNOWN),
        ]),
        CardSection(title="Evaluation", fields=[
            ("Testing data, factors and metrics", UNKNOWN),
            ("Results", UNKNOWN),
        ]),
        CardSection(title="Environmental Impact", fields=[
            ("Hardware, hours, cloud provider, region, carbon emitted", UNKNOWN),
        ]),
        CardSection(title="Technical Specifications", fields=[
            ("Architecture", _shape_summary(shape)),
            ("Parameters", _params_text(params, shape)),
            ("Attention", fam.attention),
            ("Positional encoding", _known(positional)),
            ("Activation", _known(activation)),
            ("Compute infrastructure", UNKNOWN),
        ]),
        CardSection(title="Citation", fields=[("Paper", _known(paper))]),
        CardSection(title="How to Get Started with the Model", fields=[
            ("Code", f"from transformers import {AUTO_CLASS[family]}; "
                     f"model = {AUTO_CLASS[family]}.from_pretrained({hub_id!r})" if on_hub
             else "not on the Hugging Face Hub under an official id" + (f": {hub_id}" if hub_id else "")),
        ]),
        CardSection(title="More Information", fields=[
            ("Notes", _known(notes)), ("Data source", _known(source)), ("Card template", TEMPLATE_SOURCE),
        ]),
    ]
    metadata = {"license": (license or "unknown").split(" ")[0]}
    if on_hub:
        metadata["base_model"] = hub_id
    unknown = sum(value == UNKNOWN for sec in sections for _, value in sec.fields)
    return ModelCard(model_id=model_id, title=name, metadata=metadata, sections=sections, unknown_fields=unknown)


def model_card(model: CatalogModel) -> ModelCard:
    """The card of a catalog (or team) model; empty fields and year 0 count as unknown."""
    return build_card(model_id=model.id, name=model.name, family=model.family, shape=model.shape,
                      params=model.params, hub_id=model.hub_id or None, license=model.license or None,
                      year=model.year or None, paper=model.paper or None, objective=model.objective or None,
                      positional=model.positional or None, activation=model.activation or None,
                      training_tokens=model.training_tokens or None, notes=model.notes or None,
                      source=model.source or None, revision=model.hub_revision or None,
                      languages=model.languages, languages_source=model.languages_source)
