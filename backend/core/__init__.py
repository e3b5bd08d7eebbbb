"""Shared core: the input contract, preprocessing, stroke rendering, model artifacts, paths."""
