"""Chapter widgets, one module per chapter: ``from lstm_helpers.widgets import shapes``."""
