"""Handwritten-digit recognizer: MNIST data, CNN training, and the prediction API."""
