"""Serving: throughput, latency and cost of a deployment, weight formats (quantisation), and the
generation settings (temperature, top-k, top-p) with a small real n-gram model."""
