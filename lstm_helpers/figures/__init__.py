"""Figures drawn by the package, one module per topic: ``from lstm_helpers.figures import shapes``."""
