"""Pieces shared by the chapter widgets.

Widgets show their results in plain widgets (``HTML``), never in an ``Output`` widget: the
value is then part of the stored widget state, so the static HTML book shows it, and tests
can read it without a kernel. Pictures go into an ``HTML`` widget as an ``<img>`` with alt
text (``ipywidgets.Image`` cannot carry alt text, and readers of screen readers need it).
"""

import base64
import html
import io
import re

import matplotlib.pyplot as plt

from ..notebook import FIGURE_DPI


def figure_to_png(fig) -> bytes:
    """Render a matplotlib figure to PNG bytes (at :data:`FIGURE_DPI`) and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=FIGURE_DPI)
    plt.close(fig)
    return buf.getvalue()


def figure_to_html(fig, alt: str) -> str:
    """Render a matplotlib figure as an ``<img>`` tag (inline PNG) with alt text; close it."""
    if not alt or not alt.strip():
        raise ValueError("figure_to_html: alt text must describe the figure, got an empty string")
    data = base64.b64encode(figure_to_png(fig)).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        'style="max-width:100%">'
    )


def png_from_html(value: str) -> bytes:
    """The PNG bytes inside an ``<img>`` made by :func:`figure_to_html` (for tests)."""
    match = re.search(r'src="data:image/png;base64,([^"]+)"', value)
    if match is None:
        raise ValueError("png_from_html: no inline PNG image in this HTML")
    return base64.b64decode(match.group(1))


def alt_from_html(value: str) -> str:
    """The alt text of the ``<img>`` made by :func:`figure_to_html` (for tests)."""
    match = re.search(r'alt="([^"]*)"', value)
    return html.unescape(match.group(1)) if match else ""
