"""Serving wing: the predictor, the app factory, its blueprint, errors, settings and the server launcher."""
