"""Scaling laws (Kaplan, Chinchilla, Epoch), compute-optimal allocation, fitting a team's own law,
training FLOPs, time and cost, and the pre-train-or-adapt advice."""
