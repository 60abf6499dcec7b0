"""The shape explorer of the ``nn.LSTM`` chapter: every option, every tensor's shape.

The shapes are not derived from a formula: :func:`lstm_shapes` builds the real
``torch.nn.LSTM`` and runs it, so the table can never drift from what PyTorch does.
"""

import html
import warnings

import ipywidgets as widgets
import torch


def lstm_shapes(input_size=10, hidden_size=20, num_layers=1, bidirectional=False, proj_size=0,
                batch_first=False, batched=True, seq_len=5, batch=3):
    """Build ``nn.LSTM`` with these options, run it on zeros and report every shape.

    Args:
        input_size, hidden_size, num_layers, bidirectional, proj_size, batch_first: the
            ``nn.LSTM`` options.
        batched: feed a batched input (3-D) or one unbatched sequence (2-D). Default: True.
        seq_len: L. Default: 5.
        batch: N (ignored when ``batched`` is False). Default: 3.

    Returns:
        dict: ``{"tensors": {name: shape}, "parameters": {name: shape}}`` with shapes as
        tuples of ints; tensor names are ``input, h0, c0, output, h_n, c_n``.

    Raises:
        ValueError: what ``nn.LSTM`` raises for impossible options (e.g. ``proj_size`` not
            smaller than ``hidden_size``).
    """
    lstm = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers,
                         bidirectional=bidirectional, proj_size=proj_size,
                         batch_first=batch_first)
    D = 2 if bidirectional else 1
    h_out = proj_size if proj_size > 0 else hidden_size
    if batched:
        x_shape = (batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size)
        h_shape, c_shape = (D * num_layers, batch, h_out), (D * num_layers, batch, hidden_size)
    else:
        x_shape = (seq_len, input_size)
        h_shape, c_shape = (D * num_layers, h_out), (D * num_layers, hidden_size)
    x, h0, c0 = torch.zeros(x_shape), torch.zeros(h_shape), torch.zeros(c_shape)
    with torch.no_grad(), warnings.catch_warnings():
        # With proj_size > 0 PyTorch notes once that oneDNN is not used: speed only.
        warnings.filterwarnings("ignore", message="LSTM with projections")
        output, (h_n, c_n) = lstm(x, (h0, c0))
    tensors = {"input": x, "h0": h0, "c0": c0, "output": output, "h_n": h_n, "c_n": c_n}
    return {
        "tensors": {k: tuple(v.shape) for k, v in tensors.items()},
        "parameters": {k: tuple(p.shape) for k, p in lstm.named_parameters()},
    }


_MEANING = {
    "input": "x: the whole sequence",
    "h0": "initial hidden state, every layer and direction",
    "c0": "initial cell state, every layer and direction",
    "output": "top layer's h_t at every step (directions concatenated)",
    "h_n": "last h of every layer and direction",
    "c_n": "last c of every layer and direction",
}


def _shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def shapes_html(result) -> str:
    """Render :func:`lstm_shapes`' result as two HTML tables (tensors, then parameters)."""
    rows = "".join(
        f"<tr><td><code>{k}</code></td><td><code>{_shape(v)}</code></td>"
        f"<td>{_MEANING[k]}</td></tr>"
        for k, v in result["tensors"].items()
    )
    params = "".join(
        f"<tr><td><code>{k}</code></td><td><code>{_shape(v)}</code></td></tr>"
        for k, v in result["parameters"].items()
    )
    return (
        "<table style='border-collapse:collapse' cellpadding='3'>"
        f"<tr><th>tensor</th><th>shape</th><th>what it is</th></tr>{rows}</table>"
        "<details><summary>parameters</summary>"
        f"<table style='border-collapse:collapse' cellpadding='2'>{params}</table></details>"
    )


#: The options varied in the static grid shown under the widget.
GRID = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True},
    {"proj_size": 5},
    {"batch_first": True},
    {"batched": False},
    {"num_layers": 2, "bidirectional": True, "proj_size": 5, "batch_first": True},
]


def shape_grid_html(configs=None, input_size=10, hidden_size=20, seq_len=5, batch=3) -> str:
    """An HTML table of the tensor shapes for several option sets, computed by running them.

    Args:
        configs: list of dicts of ``nn.LSTM`` options (see :func:`lstm_shapes`) that differ
            from the defaults. Default: :data:`GRID`.
    """
    configs = GRID if configs is None else configs
    names = ["input", "h0", "c0", "output", "h_n", "c_n"]
    head = "".join(f"<th>{n}</th>" for n in names)
    rows = []
    for cfg in configs:
        base = {"input_size": input_size, "hidden_size": hidden_size, "seq_len": seq_len,
                "batch": batch}
        shapes = lstm_shapes(**{**base, **cfg})["tensors"]
        label = ", ".join(f"{k}={v}" for k, v in cfg.items()) or "defaults"
        cells = "".join(f"<td><code>{_shape(shapes[n])}</code></td>" for n in names)
        rows.append(f"<tr><td>{html.escape(label)}</td>{cells}</tr>")
    return (
        f"<p>nn.LSTM({input_size}, {hidden_size}, ...), L={seq_len}, N={batch}</p>"
        "<table style='border-collapse:collapse' cellpadding='3'>"
        f"<tr><th>options</th>{head}</tr>" + "".join(rows) + "</table>"
    )


def _int_slider(description, low, high, value):
    return widgets.IntSlider(value=value, min=low, max=high, description=description,
                             continuous_update=False, style={"description_width": "90px"})


def _choice(description, value):
    return widgets.Dropdown(options=[False, True], value=value, description=description,
                            style={"description_width": "90px"})


class LSTMShapeExplorer(widgets.VBox):
    """Choose the options of ``nn.LSTM`` and its input; see the shape of every tensor.

    Controls (attributes): ``input_size``, ``hidden_size``, ``num_layers``, ``proj_size``,
    ``seq_len``, ``batch`` (``IntSlider``); ``bidirectional``, ``batch_first``, ``batched``
    (``Dropdown`` of False/True). Results: ``code`` (``HTML``, the PyTorch call) and
    ``table`` (``HTML``, the shapes, or PyTorch's own error for impossible options).
    """

    def __init__(self, input_size=10, hidden_size=20, num_layers=2):
        self.input_size = _int_slider("input_size", 1, 16, input_size)
        self.hidden_size = _int_slider("hidden_size", 1, 32, hidden_size)
        self.num_layers = _int_slider("num_layers", 1, 4, num_layers)
        self.proj_size = _int_slider("proj_size", 0, 31, 0)
        self.seq_len = _int_slider("L (seq_len)", 1, 10, 5)
        self.batch = _int_slider("N (batch)", 1, 8, 3)
        self.bidirectional = _choice("bidirectional", False)
        self.batch_first = _choice("batch_first", False)
        self.batched = _choice("batched input", True)
        self.controls = [self.input_size, self.hidden_size, self.num_layers, self.proj_size,
                         self.seq_len, self.batch, self.bidirectional, self.batch_first,
                         self.batched]
        self.code = widgets.HTML()
        self.table = widgets.HTML()
        for c in self.controls:
            c.observe(self._update, names="value")
        super().__init__([
            widgets.HBox([
                widgets.VBox(self.controls[:6]),
                widgets.VBox(self.controls[6:]),
            ]),
            self.code,
            self.table,
        ])
        self._update()

    def options(self) -> dict:
        """The current control values as keyword arguments of :func:`lstm_shapes`."""
        return {
            "input_size": self.input_size.value, "hidden_size": self.hidden_size.value,
            "num_layers": self.num_layers.value, "bidirectional": self.bidirectional.value,
            "proj_size": self.proj_size.value, "batch_first": self.batch_first.value,
            "batched": self.batched.value, "seq_len": self.seq_len.value,
            "batch": self.batch.value,
        }

    def _update(self, change=None):
        o = self.options()
        self.code.value = (
            f"<code>nn.LSTM({o['input_size']}, {o['hidden_size']}, num_layers={o['num_layers']}"
            f", bidirectional={o['bidirectional']}, proj_size={o['proj_size']}, "
            f"batch_first={o['batch_first']})</code>"
        )
        try:
            self.table.value = shapes_html(lstm_shapes(**o))
        except (ValueError, RuntimeError) as err:
            self.table.value = (
                f"<p style='color:#b00'>PyTorch refuses: {type(err).__name__}: "
                f"{html.escape(str(err))}</p>"
            )
