"""The package's version, written once (``pyproject.toml`` and ``records`` read it here)."""

__version__ = "0.2.0"
