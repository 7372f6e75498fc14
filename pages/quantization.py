"""Quantization: what FP32, FP16, BF16, INT8 and INT4 store."""

from ui import common, quantization_demo

common.show_page("integrate", "Quantization", quantization_demo.render)
