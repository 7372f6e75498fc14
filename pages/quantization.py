"""Quantization: what FP32, FP16, BF16, INT8 and INT4 store."""

from ui import common, quantization

common.show_page("integrate", "Quantization", quantization.render)
