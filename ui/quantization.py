"""Integrate: number formats (FP32/FP16/BF16/INT8/INT4), their memory for this model, and what each does to a number."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lifecycle.display import format_bytes, format_gib, format_number
from lifecycle.errors import LifecycleError
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import Project
from lifecycle.serving.quantization import DEFAULT_ABSMAX, QuantizationSetup, quantization_report
from ui import common
from ui.bounds import bounds
from ui.integrate_inputs import pick_model


def render(project: Project | None) -> None:
    st.subheader("Quantization: number formats and what they cost")
    st.caption("Bit layouts and ranges are read from numpy and ml_dtypes; INT8/INT4 are symmetric absmax "
               "quantisation (LLM.int8(), Dettmers et al. 2022): code = round(x · qmax / absmax). "
               "GB = 10⁹ bytes, GiB = 2³⁰ bytes.")
    model = pick_model(project, "quantization_demo_model")
    left, right = st.columns(2)
    value = left.number_input("Value to store", *bounds(QuantizationSetup, "value", float), value=math.pi,
                              format="%.10f", key="quantization_demo_value")
    absmax = right.number_input("INT8/INT4: largest |value| in the tensor (absmax)", min_value=1e-12,
                                max_value=1e300, value=DEFAULT_ABSMAX, format="%.6g",
                                key="quantization_demo_absmax",
                                help="Absmax quantisation scales a whole tensor by its largest magnitude; "
                                     "an outlier makes every other value coarser.")
    try:
        report = quantization_report(QuantizationSetup.for_model(ModelRef.of(model), value=value, absmax=absmax))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    st.dataframe(pd.DataFrame([{
        "format": r.format, "bits": r.bits, "sign bits": r.sign_bits,
        "exponent bits": "—" if r.exponent_bits is None else r.exponent_bits,
        "fraction bits": "—" if r.fraction_bits is None else r.fraction_bits,
        "integer bits": "—" if r.integer_bits is None else r.integer_bits,
        "bytes per value": format_number(r.bytes_per_value), "all weights in this format": format_bytes(r.weights_bytes),
        "as loaded for serving": format_bytes(r.loaded_bytes), "all weights (GiB)": format_gib(r.weights_bytes),
        "range": r.range,
    } for r in report.formats]), hide_index=True, width="stretch")
    st.caption(f"Weights only, for {model.params:,} parameters. 'As loaded' is what the memory planner and the "
               "serving plan count: int8/int4 quantise the transformer blocks' linear layers (with their scales) "
               "and keep embeddings and norms in bf16. The serving plan adds the KV cache, activations and "
               "runtime overhead.")
    st.markdown("**What each format stores**")
    st.dataframe(pd.DataFrame([{
        "format": r.format, "stored value": _fmt(r.stored), "absolute error": _fmt(r.abs_error),
        "relative error": "—" if r.rel_error is None and not r.overflow else _fmt(r.rel_error),
        "bits (sign exponent fraction | code)": r.bit_pattern,
        "integer code": "" if r.code is None else str(r.code),
        "scale": "" if r.scale is None else f"{r.scale:.6g}",
    } for r in report.stored]), hide_index=True, width="stretch")
    overflow = [r.format for r in report.stored if r.overflow]
    if overflow:
        st.warning(f"{', '.join(overflow)} cannot represent {value:g}: it overflows to infinity. BF16 keeps FP32's "
                   "8 exponent bits (range), FP16 trades them for precision.")


def _fmt(x: float | None) -> str:
    return "overflow" if x is None else f"{x:.10g}"
