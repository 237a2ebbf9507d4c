"""Explanations: what each recorded stage means, and what a trained network amounts to."""
