"""Measurements of the pipeline's parts against simulator ground truth."""
