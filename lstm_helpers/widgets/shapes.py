"""Chapter 1 widget: type two shapes, pick ``+``, ``*`` or ``@``, see how PyTorch lines them up.

from lstm_helpers.widgets.shapes import ShapeExplorer, examples_table
ShapeExplorer()                      # the explorer (results in HTML widgets)
HTML(examples_table())               # the same examples, precomputed, for static pages
"""

import html
import math
import re

import ipywidgets as widgets
import torch

from ..shapes import ShapeError, as_shape, explain_broadcast, explain_matmul, format_shape

__all__ = ["EXAMPLES", "OPERATIONS", "ShapeExplorer", "examples_table", "parse_shape"]

#: operation symbol -> (label, name used in the explanation)
OPERATIONS = {
    "+": "+ (elementwise, broadcasts)",
    "*": "* (Hadamard, broadcasts)",
    "@": "@ (matmul)",
}

#: (shape a, operation, shape b, what it shows)
EXAMPLES = [
    ("5, 3", "+", "3", "the source post: a row added to every row"),
    ("5, 3", "@", "3, 1", "the source post: matrix times column"),
    ("5, 3", "@", "3", "the source post: matrix times vector, the 1-D dimension removed again"),
    ("3", "+", "3, 1", "the classic surprise: a row and a column make a grid"),
    ("4, 8", "*", "4, 8", "Hadamard product: same shapes, elementwise"),
    ("32, 10", "@", "10, 80", "an LSTM's x @ W_ih.T for N=32, H_in=10, H=20"),
    ("32, 80", "+", "80", "the same LSTM's bias added to every row"),
    ("2, 5, 3", "@", "3, 4", "batched matmul: the batch dimension is kept"),
    ("10, 1, 5, 3", "@", "4, 3, 2", "batch dimensions broadcast"),
    ("3", "@", "3", "two vectors: the dot product, a 0-d result"),
    ("5, 3", "+", "4", "fails: 3 and 4 differ and neither is 1"),
    ("5, 3", "@", "4, 1", "fails: inner sizes 3 and 4 differ"),
    ("0, 3", "+", "1, 3", "size 0 with size 1 gives 0"),
    ("0", "+", "3", "fails: a size 0 does not stretch"),
    ("", "@", "3", "fails: matmul refuses 0-d tensors"),
]

_TOKEN = re.compile(r"[,x×\s]+")
_ELEMENT_LIMIT = 200_000  # above this, check PyTorch with meta tensors (shapes, no memory)


def parse_shape(text: str) -> torch.Size:
    """Read a shape typed by a learner: ``"5, 3"``, ``"(5, 3)"``, ``"[5,3]"``, ``"5x3"``,
    ``"torch.Size([5, 3])"``; ``""`` or ``"()"`` is the 0-d shape.

    Raises:
        TypeError: not a string. ValueError: a part that is not a whole number >= 0.
    """
    if not isinstance(text, str):
        raise TypeError(f"shape text must be a str, got {type(text).__name__}")
    body = text.strip()
    if body.startswith("torch.Size"):
        body = body[len("torch.Size") :].strip()
    body = body.strip("()[] ")
    tokens = [t for t in _TOKEN.split(body) if t]
    sizes = []
    for token in tokens:
        try:
            sizes.append(int(token))
        except ValueError:
            raise ValueError(f"could not read {token!r} as a size (a whole number)") from None
    return as_shape(sizes, "shape")


def _pretty(text: str) -> str:
    return format_shape(parse_shape(text))


def _explain(op: str, a, b):
    if op not in OPERATIONS:
        raise ValueError(f"operation must be one of {list(OPERATIONS)}, got {op!r}")
    return explain_matmul(a, b) if op == "@" else explain_broadcast(a, b)


def torch_says(op: str, a, b) -> str:
    """What PyTorch itself answers: the result's ``torch.Size`` or its error message."""
    big = math.prod(a) + math.prod(b) > _ELEMENT_LIMIT
    device = "meta" if big else "cpu"
    x, y = torch.empty(a, device=device), torch.empty(b, device=device)
    try:
        if op == "@":
            out = x @ y
        elif op == "*":
            out = x * y
        else:
            out = x + y
    except RuntimeError as err:
        return f"RuntimeError: {err}"
    return str(out.shape)


def _aligned_html(op, a, b, aligned_a, aligned_b, shape=None, dims=()) -> str:
    """A table with one column per aligned dimension: a, b, and the result.

    ``dims``: ``(dim_of_a, dim_of_b)`` pairs of offending dimensions, shaded red.
    """
    ndim = max(len(aligned_a), len(aligned_b))
    bad_a = {ndim + _column(op, d_a, len(a), "a") for d_a, _ in dims}
    bad_b = {ndim + _column(op, d_b, len(b), "b") for _, d_b in dims}
    added_a, added_b = len(aligned_a) - len(a), len(aligned_b) - len(b)
    if op == "@":
        # 1-D operands were promoted: mark the 1 matmul adds as added, not padded
        added_a = len(aligned_a) - len(a) if len(a) != 1 else len(aligned_a) - 2
        added_b = len(aligned_b) - len(b) if len(b) != 1 else len(aligned_b) - 2

    def row(name, sizes, added, promoted=None, bad_cols=frozenset()):
        cells = [f"<th style='text-align:left;padding:2px 8px'>{name}</th>"]
        for k, size in enumerate(sizes):
            style = "padding:2px 8px;text-align:center;border:1px solid #ccc"
            title = ""
            if k < added or k == promoted:
                style += ";color:#999;font-style:italic"
                title = " title='added by PyTorch'"
            if k in bad_cols:
                style += ";background:#f8d7da"
            cells.append(f"<td style='{style}'{title}>{size}</td>")
        return "<tr>" + "".join(cells) + "</tr>"

    promoted_a = len(aligned_a) - 2 if op == "@" and len(a) == 1 else None
    promoted_b = len(aligned_b) - 1 if op == "@" and len(b) == 1 else None
    rows = [
        row(f"a {html.escape(format_shape(a))}", aligned_a, added_a, promoted_a, bad_a),
        row(f"b {html.escape(format_shape(b))}", aligned_b, added_b, promoted_b, bad_b),
    ]
    if op == "@" and ndim >= 2:
        head = ["batch"] * (ndim - 2) + ["rows", "cols"]
        rows.insert(0, row("", head, 0))
    caption = (
        "aligned from the right; grey italics: sizes PyTorch adds"
        if op != "@"
        else "1-D operands promoted, batch dimensions aligned from the right; "
        "grey italics: sizes PyTorch adds"
    )
    result = (
        f"<div>result: <b>{html.escape(format_shape(shape))}</b></div>" if shape is not None else ""
    )
    return (
        f"<div style='font-size:90%;color:#555'>{caption}</div>"
        f"<table style='border-collapse:collapse;font-family:monospace'>{''.join(rows)}</table>"
        + result
    )


def _steps_html(steps) -> str:
    items = "".join(f"<li>{html.escape(s)}</li>" for s in steps)
    return f"<ol style='margin:4px 0'>{items}</ol>"


class ShapeExplorer(widgets.VBox):
    """Type two shapes and pick an operation; see the aligned shapes, the steps, the result.

    Controls: ``example`` (a dropdown of :data:`EXAMPLES`), ``shape_a`` and ``shape_b``
    (free text such as ``5, 3``), ``operation`` (``+``, ``*`` or ``@``). Results, all
    ``ipywidgets.HTML``: ``aligned`` (the shapes lined up), ``result`` (the shape, or the
    reason it fails, with PyTorch's own answer), ``steps`` (the step-by-step explanation).
    """

    def __init__(self, shape_a: str = "5, 3", operation: str = "+", shape_b: str = "3"):
        self.example = widgets.Dropdown(
            options=[("(choose an example)", None)]
            + [
                (f"{_pretty(a)} {op} {_pretty(b)}: {why}", (a, op, b)) for a, op, b, why in EXAMPLES
            ],
            value=None,
            description="example",
            layout=widgets.Layout(width="95%"),
        )
        self.shape_a = widgets.Text(
            value=shape_a, description="shape of a", continuous_update=False
        )
        self.operation = widgets.ToggleButtons(
            options=[(label, op) for op, label in OPERATIONS.items()],
            value=operation,
            description="operation",
        )
        self.shape_b = widgets.Text(
            value=shape_b, description="shape of b", continuous_update=False
        )
        self.aligned = widgets.HTML()
        self.result = widgets.HTML()
        self.steps = widgets.HTML()
        super().__init__(
            [
                self.example,
                widgets.HBox([self.shape_a, self.shape_b]),
                self.operation,
                self.aligned,
                self.result,
                self.steps,
            ]
        )
        self.example.observe(self._on_example, names="value")
        for control in (self.shape_a, self.shape_b, self.operation):
            control.observe(self._update, names="value")
        self._update()

    def _on_example(self, change) -> None:
        if change["new"] is None:
            return
        a, op, b = change["new"]
        self._busy = True
        try:
            self.shape_a.value, self.operation.value, self.shape_b.value = a, op, b
        finally:
            self._busy = False
        self._update()

    def _update(self, change=None) -> None:
        if getattr(self, "_busy", False):
            return
        op = self.operation.value
        parsed = {}
        for name, control in (("a", self.shape_a), ("b", self.shape_b)):
            try:
                parsed[name] = parse_shape(control.value)
            except (TypeError, ValueError) as err:
                self.aligned.value = ""
                self.result.value = _fail(f"shape of {name}: {err}")
                self.steps.value = ""
                return
        a, b = parsed["a"], parsed["b"]
        pytorch = html.escape(torch_says(op, a, b))
        try:
            r = _explain(op, a, b)
        except ShapeError as err:
            self.aligned.value = _aligned_html(
                op, a, b, err.aligned_a, err.aligned_b, dims=err.dims
            )
            self.result.value = (
                _fail(f"{err}", _failline(op, a, b))
                + f"<div>PyTorch says: <code>{pytorch}</code></div>"
            )
            self.steps.value = _steps_html(err.steps)
            return
        except ValueError as err:  # a 0-d operand of matmul
            self.aligned.value = ""
            self.result.value = (
                _fail(f"{err}", _failline(op, a, b))
                + f"<div>PyTorch says: <code>{pytorch}</code></div>"
            )
            self.steps.value = ""
            return
        self.aligned.value = _aligned_html(op, a, b, r.aligned_a, r.aligned_b, shape=r.shape)
        self.result.value = (
            f"<div style='color:#1b5e20'><b>{html.escape(_headline(op, r))}</b></div>"
            f"<div>PyTorch says: <code>{pytorch}</code></div>"
        )
        self.steps.value = _steps_html(r.steps)


def _column(op: str, dim: int, ndim: int, which: str) -> int:
    """Column, counted from the right (negative), of an operand's dimension in the table.

    A 1-D matmul operand is promoted: a's size sits in the last column, b's in the
    second-to-last.
    """
    if op == "@" and ndim == 1:
        return -1 if which == "a" else -2
    return dim - ndim


def _headline(op: str, r) -> str:
    return f"{format_shape(r.shape_a)} {op} {format_shape(r.shape_b)} -> {format_shape(r.shape)}"


def _failline(op: str, a, b) -> str:
    return f"{format_shape(a)} {op} {format_shape(b)} -> error"


def _fail(message: str, headline: str = "") -> str:
    head = f"<div style='color:#b71c1c'><b>{html.escape(headline)}</b></div>" if headline else ""
    return head + f"<div style='color:#b71c1c'><b>Error:</b> {html.escape(message)}</div>"


def examples_table(examples=EXAMPLES) -> str:
    """An HTML table of precomputed examples: shapes, result or reason, PyTorch's answer.

    For static pages, where the explorer cannot run: it shows what the explorer shows.

    Args:
        examples: ``(shape_a, op, shape_b, note)`` rows, shapes as text. Default:
            :data:`EXAMPLES`.
    """
    head = "".join(
        f"<th style='padding:3px 8px;text-align:left'>{h}</th>"
        for h in ("a", "op", "b", "result", "why", "PyTorch says")
    )
    rows = []
    for text_a, op, text_b, note in examples:
        a, b = parse_shape(text_a), parse_shape(text_b)
        try:
            result = format_shape(_explain(op, a, b).shape)
            why = note
        except ValueError as err:
            result = "error"
            why = f"{note}. {err}"
        cells = [
            format_shape(a),
            op,
            format_shape(b),
            result,
            why,
            torch_says(op, a, b),
        ]
        style = "padding:3px 8px;border-top:1px solid #ddd;vertical-align:top"
        rows.append(
            "<tr>" + "".join(f"<td style='{style}'>{html.escape(c)}</td>" for c in cells) + "</tr>"
        )
    return (
        "<table style='border-collapse:collapse;font-size:90%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
