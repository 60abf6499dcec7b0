"""Figures drawn by the package, one module per topic (``lstm_helpers.figures.shapes``, ...)."""
