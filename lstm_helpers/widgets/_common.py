"""Pieces shared by the chapter widgets.

Widgets show their results in plain widgets (``HTML``, ``Image``), never in an ``Output``
widget: then the value is part of the stored widget state, the static HTML book shows it,
and tests can read it without a kernel.
"""

import io

import matplotlib.pyplot as plt


def figure_to_png(fig) -> bytes:
    """Render a matplotlib figure to PNG bytes (for an ``ipywidgets.Image``) and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
