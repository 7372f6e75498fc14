"""GenAI Lifecycle Planner — the domain package (no UI).

The public API is what this module exports; everything else is an implementation detail.
The web app (``app.py``), the ``lifecycle`` command line and Python callers all go through it.
"""

from lifecycle.adapt.advice import (
    PathAdvice,
    recommend_path,
)
from lifecycle.adapt.evaluation import (
    Benchmark,
    Metric,
    benchmarks_for_tasks,
    list_benchmarks,
    list_metrics,
    make_target,
    metrics_for_tasks,
    target_met,
)
from lifecycle.adapt.metrics import (
    score as score_sample,
)
from lifecycle.adapt.optimize import (
    checklist_items,
)
from lifecycle.adapt.path import (
    AdaptationOption,
    Sizing,
    list_options,
    size_option,
)
from lifecycle.errors import (
    ConflictError,
    DuplicateName,
    InvalidInput,
    LifecycleError,
    NotFound,
    StoreUnavailable,
)
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.distributed import (
    STRATEGIES,
    deepspeed_zero2_estimate_bytes,
    deepspeed_zero3_estimate_bytes,
    zero_paper_model_states_bytes,
)
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.grid import (
    training_memory_grid,
)
from lifecycle.memory.inference import inference_memory, kv_cache_bytes
from lifecycle.memory.planner import (
    min_gpus,
    min_gpus_inference,
    rule_of_thumb_bytes,
    strategy_table,
    what_would_fit,
)
from lifecycle.models.architecture import (
    ModelShape,
    parameter_count,
)
from lifecycle.models.cards import (
    ModelCard,
    model_card,
)
from lifecycle.models.catalog import (
    CatalogModel,
    get_model,
    list_models,
)
from lifecycle.models.gpus import (
    GPU,
    get_gpu,
    list_gpus,
)
from lifecycle.models.prompting import (
    Example,
    PromptBudget,
    build_prompt,
    count_tokens,
    prompt_budget,
)
from lifecycle.models.scale_advice import (
    ScaleAdvice,
    scale_advice,
)
from lifecycle.models.search import (
    compare_models,
    search_models,
)
from lifecycle.models.tasks import (
    Recommendation,
    get_task,
    list_tasks,
    recommend_architecture,
    suggest_tasks,
    task_ids,
)
from lifecycle.records.custom_models import (
    CustomModel,
    add_custom_model,
    all_models,
    config_from_numbers,
    delete_custom_model,
    find_model,
    list_custom_models,
    preview_custom_model,
)
from lifecycle.records.laws import (
    add_law,
    delete_law,
    get_law,
    list_laws,
)
from lifecycle.records.project import (
    SCHEMA_VERSION,
    STAGE_TITLES,
    STAGES,
    AdaptStage,
    EvalTarget,
    IntegrateStage,
    Project,
    Scenario,
    ScopeStage,
    SelectStage,
)
from lifecycle.records.store import ProjectSummary, RevisionSummary, Store, database_url
from lifecycle.records.transfer import export_json, import_json, parse_export
from lifecycle.reports import (
    FORMATS as REPORT_FORMATS,
)
from lifecycle.reports import (
    build_file as build_report_file,
)
from lifecycle.reports import (
    build_report,
    register_section,
    report_from_store,
)
from lifecycle.reports import (
    render as render_report,
)
from lifecycle.scaling.compute import (
    DEFAULT_MFU,
    PF_DAY_FLOPS,
    TrainingTime,
    flops_from_budget_usd,
    flops_from_gpu_hours,
    flops_from_pf_days,
    gpu_seconds,
    pf_days,
    training_flops,
    training_time_and_cost,
)
from lifecycle.scaling.fit import (
    FitResult,
    PilotRuns,
    fit_scaling_law,
    read_pilot_csv,
)
from lifecycle.scaling.laws import (
    ScalingLaw,
    builtin_law,
    builtin_laws,
    compute_optimal_allocation,
    make_law,
    optimal_loss,
    parametric_allocation,
    predicted_loss,
)
from lifecycle.scaling.plan import (
    ScalingPlan,
    budget_flops,
    gpt3_table_d1,
    plans_for_laws,
    table3_reproduction,
    trained_vs_optimal,
    training_verdict,
)
from lifecycle.scaling.plan import (
    plan as scaling_plan,
)
from lifecycle.scaling.pretrain_advice import (
    PretrainAdvice,
    bloomberg_case,
    pretrain_advice,
    pretraining_cost,
)
from lifecycle.serving.ngram import (
    Generation,
    NGramModel,
)
from lifecycle.serving.ngram import (
    generate as generate_text,
)
from lifecycle.serving.ngram import (
    load_model as load_ngram_model,
)
from lifecycle.serving.plan import (
    DecodeStep,
    ServingPlan,
    batch_sweep,
    decode_step,
    get_engine,
    list_engines,
    serving_plan,
)
from lifecycle.serving.quantization import (
    FORMATS as QUANTIZATION_FORMATS,
)
from lifecycle.serving.quantization import (
    StoredValue,
    quantization_table,
    quantize_absmax,
    stored_value,
)
from lifecycle.serving.sampling import (
    DEFAULT_DISTRIBUTION,
    Distribution,
    Transformed,
    make_distribution,
    parse_distribution,
    sample_frequencies,
    transform,
)

__all__ = [
    "DEFAULT_DISTRIBUTION",
    "DEFAULT_MFU",
    "GPU",
    "PF_DAY_FLOPS",
    "QUANTIZATION_FORMATS",
    "REPORT_FORMATS",
    "SCHEMA_VERSION",
    "STAGES",
    "STAGE_TITLES",
    "STRATEGIES",
    "AdaptStage",
    "AdaptationOption",
    "Benchmark",
    "CatalogModel",
    "ConflictError",
    "CustomModel",
    "DecodeStep",
    "Distribution",
    "DuplicateName",
    "EvalTarget",
    "Example",
    "FitResult",
    "Generation",
    "IntegrateStage",
    "InvalidInput",
    "LifecycleError",
    "MemoryEstimate",
    "Metric",
    "ModelCard",
    "ModelShape",
    "NGramModel",
    "NotFound",
    "PathAdvice",
    "PilotRuns",
    "PretrainAdvice",
    "Project",
    "ProjectSummary",
    "PromptBudget",
    "Recommendation",
    "RevisionSummary",
    "ScaleAdvice",
    "ScalingLaw",
    "ScalingPlan",
    "Scenario",
    "ScopeStage",
    "SelectStage",
    "ServingPlan",
    "Sizing",
    "Store",
    "StoreUnavailable",
    "StoredValue",
    "TrainingTime",
    "Transformed",
    "add_custom_model",
    "add_law",
    "all_models",
    "batch_sweep",
    "benchmarks_for_tasks",
    "bloomberg_case",
    "budget_flops",
    "build_prompt",
    "build_report",
    "build_report_file",
    "builtin_law",
    "builtin_laws",
    "checklist_items",
    "compare_models",
    "compute_optimal_allocation",
    "config_from_numbers",
    "count_tokens",
    "database_url",
    "decode_step",
    "deepspeed_zero2_estimate_bytes",
    "deepspeed_zero3_estimate_bytes",
    "delete_custom_model",
    "delete_law",
    "export_json",
    "find_model",
    "fit_scaling_law",
    "flops_from_budget_usd",
    "flops_from_gpu_hours",
    "flops_from_pf_days",
    "generate_text",
    "get_engine",
    "get_gpu",
    "get_law",
    "get_model",
    "get_task",
    "gpt3_table_d1",
    "gpu_seconds",
    "import_json",
    "inference_memory",
    "kv_cache_bytes",
    "list_benchmarks",
    "list_custom_models",
    "list_engines",
    "list_gpus",
    "list_laws",
    "list_metrics",
    "list_models",
    "list_options",
    "list_tasks",
    "load_ngram_model",
    "make_distribution",
    "make_law",
    "make_target",
    "metrics_for_tasks",
    "min_gpus",
    "min_gpus_inference",
    "model_card",
    "optimal_loss",
    "parameter_count",
    "parametric_allocation",
    "parse_distribution",
    "parse_export",
    "pf_days",
    "plans_for_laws",
    "predicted_loss",
    "pretrain_advice",
    "pretraining_cost",
    "preview_custom_model",
    "prompt_budget",
    "quantization_table",
    "quantize_absmax",
    "read_pilot_csv",
    "recommend_architecture",
    "recommend_path",
    "register_section",
    "render_report",
    "report_from_store",
    "rule_of_thumb_bytes",
    "sample_frequencies",
    "scale_advice",
    "scaling_plan",
    "score_sample",
    "search_models",
    "serving_plan",
    "size_option",
    "stored_value",
    "strategy_table",
    "suggest_tasks",
    "table3_reproduction",
    "target_met",
    "task_ids",
    "trained_vs_optimal",
    "training_flops",
    "training_memory",
    "training_memory_grid",
    "training_time_and_cost",
    "training_verdict",
    "transform",
    "what_would_fit",
    "zero_paper_model_states_bytes",
]
