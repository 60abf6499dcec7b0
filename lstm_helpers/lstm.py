r"""An LSTM from its six equations, a drop-in replacement for ``torch.nn.LSTM``.

For one time step, with input :math:`x` and state :math:`(h, c)`:

.. math::
    \begin{array}{ll}
    i = \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
    f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
    g = \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
    o = \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
    c' = f \odot c + i \odot g \\
    h' = o \odot \tanh(c')
    \end{array}

Three levels, each a short function to read:

- :func:`lstm_cell`: one step, the six equations line by line (the teaching version).
- :func:`lstm_layer`: a whole sequence through one layer, fast enough to train with: the
  input projection of all time steps in one matmul, one fused matmul per step.
  :func:`lstm_layer_packed` does the same for a packed batch of sequences of different lengths.
- :class:`LSTMCell` and :class:`LSTM`: ``nn.Module`` s with the parameters, initialisation,
  inputs, outputs and error checks of ``torch.nn.LSTMCell`` and ``torch.nn.LSTM``.
  ``LSTM`` runs padded sequences through :func:`lstm_helpers._lstm_bptt.lstm_layer_bptt`,
  the same maths with a hand-derived backward pass (faster); set ``use_bptt = False`` on a
  model to use the autograd version :func:`lstm_layer` (needed for second derivatives).

Letters, as in PyTorch's documentation: L sequence length, N batch size, H_in input_size,
H_cell hidden_size, H_out proj_size if proj_size > 0 else hidden_size, D 2 if bidirectional
else 1.

Why this module is long: ``LSTM`` and ``LSTMCell`` are drop-ins, so they carry PyTorch's
whole interface (arguments, checks with PyTorch's messages, packed sequences, projections,
two directions) and its documentation; the maths itself is the first 150 lines.
"""

import math
import numbers
import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from lstm_helpers._checks import check_bool, check_int, format_shape
from lstm_helpers._lstm_bptt import bias_sum, lstm_layer_bptt

__all__ = [
    "GATES", "lstm_cell", "lstm_layer", "lstm_layer_packed", "lstm_layer_bptt",
    "LSTMCell", "LSTM",
]

GATES = ("i", "f", "g", "o")
"""PyTorch's gate order in the stacked weights and biases: input, forget, candidate, output."""


def lstm_cell(input, hx, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    r"""One LSTM time step, like ``torch.nn.functional``'s ``lstm_cell`` (``torch.lstm_cell``).

    Gate order in the stacked weights is i, f, g, o (PyTorch's):
    ``weight_ih = [W_ii; W_if; W_ig; W_io]``.

    .. math::
        i = \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}), \quad
        f = \sigma(\dots), \quad g = \tanh(\dots), \quad o = \sigma(\dots), \\
        c' = f \odot c + i \odot g, \qquad h' = o \odot \tanh(c')

    Args:
        input: :math:`(N, H_{in})` or unbatched :math:`(H_{in})`.
        hx: the pair ``(h, c)``, each :math:`(N, H)` (or :math:`(H)` for unbatched input).
        weight_ih: :math:`(4H, H_{in})`. weight_hh: :math:`(4H, H)`.
        bias_ih, bias_hh: :math:`(4H)` each, or ``None`` (that bias left out; either may be
            given alone, as in PyTorch). Default: ``None``.

    Returns:
        ``(h_next, c_next)``, each shaped like ``h``.
    """
    _check_cell_args(input, hx, weight_ih, weight_hh, bias_ih, bias_hh)
    h, c = hx  # (N, H), (N, H)
    gates = input @ weight_ih.T + h @ weight_hh.T  # (N, 4H)
    if bias_ih is not None:
        gates = gates + bias_ih  # (N, 4H)
    if bias_hh is not None:
        gates = gates + bias_hh  # (N, 4H)
    z_i, z_f, z_g, z_o = gates.chunk(4, dim=-1)  # 4 x (N, H), PyTorch's order i, f, g, o
    i = torch.sigmoid(z_i)  # (N, H) input gate: how much of g to write
    f = torch.sigmoid(z_f)  # (N, H) forget gate: how much of c to keep
    g = torch.tanh(z_g)  # (N, H) candidate values, in (-1, 1)
    o = torch.sigmoid(z_o)  # (N, H) output gate: how much of the memory to show
    c_next = f * c + i * g  # (N, H) the new cell state
    h_next = o * torch.tanh(c_next)  # (N, H) the new hidden state
    return h_next, c_next


def _fused_step(xw_t, h, c, w_hh_t, weight_hr=None):
    """One step of :func:`lstm_layer`: the same maths as :func:`lstm_cell`, fused for speed.

    ``xw_t`` :math:`(N, 4H)` is this step's input projection plus both biases (computed for
    all steps at once), ``w_hh_t`` is ``weight_hh.T`` :math:`(H_{out}, 4H)`: one matmul and
    one sigmoid for all four gates. Returns ``(h, c)``, :math:`(N, H_{out})` and :math:`(N, H)`.
    """
    gates = torch.addmm(xw_t, h, w_hh_t)  # (N, 4H) = x W_ih^T + b + h W_hh^T
    act = gates.sigmoid()  # (N, 4H) sigmoid of all four, the g slot is not used
    i, f, _, o = act.chunk(4, dim=1)  # 4 x (N, H)
    g = gates[:, 2 * c.size(1):3 * c.size(1)].tanh()  # (N, H)
    c = torch.addcmul(f * c, i, g)  # (N, H) f*c + i*g
    h = o * c.tanh()  # (N, H)
    if weight_hr is not None:
        h = h @ weight_hr.T  # (N, H_out) projection
    return h, c


def _input_projection(input, weight_ih, bias_ih, bias_hh):
    """``input @ weight_ih.T`` plus whichever biases are given (either may be ``None``)."""
    xw = torch.matmul(input, weight_ih.T)  # (..., 4H)
    bias = bias_sum(bias_ih, bias_hh)  # (4H,) or None
    return xw if bias is None else xw + bias  # (..., 4H)


def lstm_layer(input, hx, weight_ih, weight_hh, bias_ih=None, bias_hh=None, weight_hr=None):
    """Run one LSTM layer over a whole (padded, time-major) sequence, with autograd.

    The fast way to write it: the input projection of all L steps is one matmul, each step
    one ``(N, H_out) @ (H_out, 4H)`` matmul, and the loop iterates over ``xw.unbind(0)``
    (indexing ``xw[t]`` in the loop makes the backward pass quadratic in L).

    Args:
        input: :math:`(L, N, H_{in})`.
        hx: ``(h_0, c_0)``, shapes :math:`(N, H_{out})` and :math:`(N, H_{cell})`.
        weight_ih: :math:`(4H_{cell}, H_{in})`. weight_hh: :math:`(4H_{cell}, H_{out})`.
        bias_ih, bias_hh: :math:`(4H_{cell})` or ``None``. Default: ``None``.
        weight_hr: projection :math:`(H_{out}, H_{cell})` or ``None``. Default: ``None``.

    Returns:
        ``output`` :math:`(L, N, H_{out})` (every :math:`h_t`) and ``(h_n, c_n)``.
    """
    h, c = hx  # (N, H_out), (N, H_cell)
    xw = _input_projection(input, weight_ih, bias_ih, bias_hh)  # (L, N, 4H) all steps at once
    w_hh_t = weight_hh.T  # (H_out, 4H)
    outputs = []
    for xw_t in xw.unbind(0):  # (N, 4H) per step
        h, c = _fused_step(xw_t, h, c, w_hh_t, weight_hr)  # (N, H_out), (N, H_cell)
        outputs.append(h)
    return torch.stack(outputs), (h, c)  # (L, N, H_out)


def lstm_layer_packed(data, batch_sizes, hx, weight_ih, weight_hh, bias_ih=None, bias_hh=None,
                      weight_hr=None, reverse=False):
    """One LSTM layer over a packed batch (``PackedSequence.data`` and ``.batch_sizes``).

    Step t uses the first ``batch_sizes[t]`` sequences (they are sorted longest first), so a
    sequence's final state is the state after its own last step. In reverse, each sequence
    starts from its own last step with its initial state.

    Args:
        data: :math:`(\\sum_t B_t, H_{in})`. batch_sizes: int64 tensor :math:`(L)`.
        hx: ``(h_0, c_0)``, :math:`(N, H_{out})` and :math:`(N, H_{cell})`, N = batch_sizes[0].
        Weights as in :func:`lstm_layer`. reverse: run from the end. Default: ``False``.

    Returns:
        output data :math:`(\\sum_t B_t, H_{out})` in the packed order, and ``(h_n, c_n)``.
    """
    xw = _input_projection(data, weight_ih, bias_ih, bias_hh)  # (sum B_t, 4H)
    steps = xw.split(batch_sizes.tolist())  # L x (B_t, 4H)
    w_hh_t = weight_hh.T  # (H_out, 4H)
    h0, c0 = hx  # (N, H_out), (N, H_cell)
    outputs = []
    if not reverse:
        h, c, done_h, done_c = h0, c0, [], []
        for xw_t in steps:
            b = xw_t.size(0)
            if b < h.size(0):  # sequences b: have ended: keep their final state
                done_h.append(h[b:])  # (B_prev - B_t, H_out)
                done_c.append(c[b:])
                h, c = h[:b], c[:b]  # (B_t, H_out), (B_t, H_cell)
            h, c = _fused_step(xw_t, h, c, w_hh_t, weight_hr)
            outputs.append(h)
        h_n = torch.cat([h, *reversed(done_h)])  # (N, H_out)
        c_n = torch.cat([c, *reversed(done_c)])  # (N, H_cell)
        return torch.cat(outputs), (h_n, c_n)
    h, c = h0[:0], c0[:0]  # no sequence has started yet
    for xw_t in reversed(steps):
        b = xw_t.size(0)
        if b > h.size(0):  # sequences that start here (at their own last step)
            h = torch.cat([h, h0[h.size(0):b]])  # (B_t, H_out)
            c = torch.cat([c, c0[c.size(0):b]])  # (B_t, H_cell)
        h, c = _fused_step(xw_t, h, c, w_hh_t, weight_hr)
        outputs.append(h)
    return torch.cat(outputs[::-1]), (h, c)


# --- argument checks -------------------------------------------------------------------


def _check_same_place(owner, name, tensor, ref_name, ref):
    """``tensor`` (called ``name``) must have the device and dtype of ``ref`` (``ref_name``)."""
    if tensor.device != ref.device:
        raise RuntimeError(
            f"{owner}: {name} must be on the same device as {ref_name}: "
            f"expected {ref.device}, got {tensor.device}"
        )
    if tensor.dtype != ref.dtype:
        raise RuntimeError(
            f"{owner}: {name} must have the same dtype as {ref_name}: "
            f"expected {ref.dtype}, got {tensor.dtype}"
        )


def _check_hx_pair(owner, hx):
    if (not isinstance(hx, tuple | list) or len(hx) != 2
            or not all(isinstance(t, torch.Tensor) for t in hx)):
        raise TypeError(
            f"{owner}: hx must be a pair of tensors (h_0, c_0), got {type(hx).__name__}"
        )


def _check_cell_args(input, hx, weight_ih, weight_hh, bias_ih, bias_hh):
    if input.dim() not in (1, 2):
        raise ValueError(f"lstm_cell: Expected input to be 1D or 2D, got {input.dim()}D instead")
    _check_hx_pair("lstm_cell", hx)
    hidden = weight_hh.size(0) // 4
    expected = (*input.shape[:-1], hidden)
    for k, (name, t) in enumerate((("h", hx[0]), ("c", hx[1]))):
        if t.shape != expected:
            raise RuntimeError(
                f"lstm_cell: hx[{k}] ({name}) must have shape (*input.shape[:-1], hidden_size) "
                f"for input of shape {format_shape(input.shape)}: expected {expected}, "
                f"got {format_shape(t.shape)}"
            )
    if input.size(-1) != weight_ih.size(1):
        raise RuntimeError(
            f"lstm_cell: input.size(-1) must equal input_size: expected {weight_ih.size(1)}, "
            f"got {input.size(-1)}"
        )
    _check_same_place("lstm_cell", "input", input, "weight_ih", weight_ih)
    for name, t in (("hx[0]", hx[0]), ("hx[1]", hx[1])):
        _check_same_place("lstm_cell", name, t, "input", input)


# --- modules ---------------------------------------------------------------------------


class LSTMCell(nn.Module):
    r"""A long short-term memory (LSTM) cell: one time step; a drop-in for ``nn.LSTMCell``.

    .. math::
        \begin{array}{ll}
        i = \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
        f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
        g = \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
        o = \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
        c' = f \odot c + i \odot g \\
        h' = o \odot \tanh(c')
        \end{array}

    where :math:`\sigma` is the sigmoid function and :math:`\odot` the elementwise product.

    Args:
        input_size: the number of features in the input `x` (H_in).
        hidden_size: the number of features in the hidden state `h` (H).
        bias: if ``False``, the cell has no biases `b_ih`, `b_hh`. Default: ``True``
        device, dtype: where and in which type to create the parameters. Default: ``None``

    Inputs: input, (h_0, c_0)
        - **input**: :math:`(N, H_{in})` or unbatched :math:`(H_{in})`.
        - **h_0**, **c_0**: :math:`(N, H)` or :math:`(H)`; zeros if ``(h_0, c_0)`` is not given.

    Outputs: (h_1, c_1)
        - **h_1**, **c_1**: :math:`(N, H)` or :math:`(H)`: the next hidden and cell states.

    Attributes:
        weight_ih: :math:`(4H, H_{in})`, rows ``W_ii|W_if|W_ig|W_io``.
        weight_hh: :math:`(4H, H)`. bias_ih, bias_hh: :math:`(4H)` (``None`` without bias).

    All parameters start from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})` with
    :math:`k = 1/\text{hidden\_size}`, drawn in the same order as PyTorch (same seed, same
    weights).

    >>> cell = LSTMCell(3, 5)
    >>> h_1, c_1 = cell(torch.randn(2, 3))
    >>> tuple(h_1.shape), tuple(c_1.shape)
    ((2, 5), (2, 5))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size = check_int("input_size", input_size)
        self.hidden_size = check_int("hidden_size", hidden_size)
        self.bias = check_bool("bias", bias)
        factory = {"device": device, "dtype": dtype}
        H = self.hidden_size
        self.weight_ih = nn.Parameter(torch.empty(4 * H, self.input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(4 * H, H, **factory))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(4 * H, **factory))
            self.bias_hh = nn.Parameter(torch.empty(4 * H, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias else s + ", bias=False"

    def forward(self, input, hx=None):
        if not isinstance(input, torch.Tensor):
            raise TypeError(f"LSTMCell: input must be a Tensor, got {type(input).__name__}")
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is None:
            zeros = input.new_zeros(*input.shape[:-1], self.hidden_size)  # (N, H) or (H,)
            hx = (zeros, zeros)
        else:
            _check_hx_pair("LSTMCell", hx)
            for k, t in enumerate(hx):
                if t.dim() not in (1, 2):
                    raise ValueError(
                        f"LSTMCell: Expected hx[{k}] to be 1D or 2D, got {t.dim()}D instead"
                    )
        return lstm_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class LSTM(nn.Module):
    r"""A multi-layer LSTM over a sequence, from scratch; a drop-in for ``torch.nn.LSTM``.

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None)``

    Each layer computes, for every time step t,

    .. math::
        \begin{array}{ll}
        i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t = o_t \odot \tanh(c_t)
        \end{array}

    The input of layer :math:`l \ge 1` is the output :math:`h_t` of layer :math:`l-1`, with
    dropout applied in training mode when ``dropout > 0`` (not after the last layer). With
    ``proj_size > 0``, :math:`h_t = W_{hr}(o_t \odot \tanh(c_t))` has proj_size features.
    With ``bidirectional=True`` a second set of weights (suffix ``_reverse``) reads the
    sequence backwards and the two outputs are concatenated.

    Args:
        input_size: the number of features of the input `x` (H_in).
        hidden_size: the number of features of the cell state `c` (H_cell).
        num_layers: the number of stacked layers. Default: 1
        bias: if ``False``, no biases `b_ih`, `b_hh`. Default: ``True``
        batch_first: if ``True``, input and output are `(N, L, feature)` instead of
            `(L, N, feature)`; does not apply to h and c. Default: ``False``
        dropout: probability of zeroing each output of every layer but the last, in training
            mode. Default: 0
        bidirectional: if ``True``, a bidirectional LSTM. Default: ``False``
        proj_size: if ``> 0``, an LSTM with projections of that size (H_out). Default: 0
        device, dtype: where and in which type to create the parameters. Default: ``None``

    Inputs: input, (h_0, c_0)
        - **input**: :math:`(L, H_{in})` unbatched, :math:`(L, N, H_{in})`, or
          :math:`(N, L, H_{in})` with ``batch_first=True``; or a ``PackedSequence``.
        - **h_0**: :math:`(D \cdot \text{num\_layers}, N, H_{out})` (or without N for unbatched
          input); zeros if not given.
        - **c_0**: :math:`(D \cdot \text{num\_layers}, N, H_{cell})` (or without N); zeros if
          not given.

    Outputs: output, (h_n, c_n)
        - **output**: :math:`(L, N, D \cdot H_{out})` (:math:`(N, L, D \cdot H_{out})` with
          ``batch_first``, :math:`(L, D \cdot H_{out})` unbatched, a ``PackedSequence`` for
          packed input): the last layer's :math:`h_t` for every t.
        - **h_n**: :math:`(D \cdot \text{num\_layers}, N, H_{out})`: each layer and direction's
          final hidden state (for the reverse direction, its state after reading the first step,
          so ``h_n`` is not ``output[-1]`` there; for packed input, each sequence's own last step).
        - **c_n**: :math:`(D \cdot \text{num\_layers}, N, H_{cell})`: the final cell states.

    where L = sequence length, N = batch size, D = 2 if bidirectional else 1,
    H_in = input_size, H_cell = hidden_size, H_out = proj_size if proj_size > 0 else hidden_size.

    Attributes:
        weight_ih_l[k]: :math:`(4H_{cell}, H_{in})` for k = 0, else
            :math:`(4H_{cell}, D \cdot H_{out})`; rows ``W_ii|W_if|W_ig|W_io``.
        weight_hh_l[k]: :math:`(4H_{cell}, H_{out})`.
        bias_ih_l[k], bias_hh_l[k]: :math:`(4H_{cell})`.
        weight_hr_l[k]: :math:`(H_{out}, H_{cell})`, only with ``proj_size > 0``.
        ..._reverse: the same for the reverse direction.

    All parameters start from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})` with
    :math:`k = 1/\text{hidden\_size}`, registered and drawn in PyTorch's order, so
    ``load_state_dict`` works both ways and the same seed gives the same weights.
    ``use_bptt`` (default ``True``): padded sequences go through the hand-derived backward of
    :func:`lstm_layer_bptt`; set it to ``False`` for the autograd version :func:`lstm_layer`
    (for example to take second derivatives).

    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> ours, theirs = LSTM(10, 20, num_layers=2), nn.LSTM(10, 20, num_layers=2)
    >>> ours.load_state_dict(theirs.state_dict())
    <All keys matched successfully>
    >>> x = torch.randn(5, 3, 10)  # (L, N, H_in)
    >>> output, (h_n, c_n) = ours(x)
    >>> tuple(output.shape), tuple(h_n.shape)  # (L, N, H_out), (num_layers, N, H_out)
    ((5, 3, 20), (2, 3, 20))
    >>> torch.allclose(output, theirs(x)[0], atol=1e-6)
    True
    """

    use_bptt = True

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.input_size = check_int("input_size", input_size)
        self.hidden_size = check_int("hidden_size", hidden_size)
        self.num_layers = check_int("num_layers", num_layers)
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Real)
                or not 0 <= dropout <= 1):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                f"an element being zeroed, got {dropout!r}"
            )
        self.dropout = float(dropout)
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        self.proj_size = check_int("proj_size", proj_size, minimum=0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                "proj_size has to be smaller than hidden_size: expected proj_size < "
                f"{self.hidden_size}, got proj_size={self.proj_size}"
            )
        factory = {"device": device, "dtype": dtype}
        H, D = self.hidden_size, 2 if bidirectional else 1
        H_out = self.proj_size or H
        self._all_weights = []  # parameter names per (layer, direction), PyTorch's order
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else D * H_out
            for direction in range(D):
                shapes = {"weight_ih": (4 * H, layer_input), "weight_hh": (4 * H, H_out)}
                if bias:
                    shapes.update(bias_ih=(4 * H,), bias_hh=(4 * H,))
                if self.proj_size:
                    shapes["weight_hr"] = (H_out, H)
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                for name, shape in shapes.items():
                    self.register_parameter(name + suffix,
                                            nn.Parameter(torch.empty(shape, **factory)))
                self._all_weights.append([name + suffix for name in shapes])
        self.reset_parameters()

    @property
    def all_weights(self):
        """The parameters as a list (one per layer and direction) of lists, like PyTorch."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """Does nothing (kept so that code written for ``nn.LSTM`` runs unchanged)."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    def _weights(self, layer, direction):
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        w = {name.split("_l")[0]: getattr(self, name) for name in names}
        return (w["weight_ih"], w["weight_hh"], w.get("bias_ih"), w.get("bias_hh"),
                w.get("weight_hr"))

    def _check_input(self, data, packed):
        weight = self.weight_ih_l0
        if not packed and data.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {data.dim()}D instead")
        if packed and data.dim() != 2:
            raise RuntimeError(
                "LSTM: packed input data must have 2 dimensions (sum of lengths, H_in): "
                f"got {data.dim()}"
            )
        if data.dtype != weight.dtype:
            raise ValueError(
                f"LSTM: input dtype ({data.dtype}) does not match weight dtype ({weight.dtype}): "
                f"convert the input with input.to({weight.dtype}) or the model with "
                f"model.to({data.dtype})"
            )
        _check_same_place("LSTM", "input", data, "the parameters", weight)
        if data.size(-1) != self.input_size:
            raise RuntimeError(
                f"LSTM: input.size(-1) must equal input_size: expected {self.input_size}, "
                f"got {data.size(-1)}"
            )

    def _check_hx(self, hx, batch, batched, data):
        _check_hx_pair("LSTM", hx)
        want = 3 if batched else 2
        if hx[0].dim() != want or hx[1].dim() != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"LSTM: for {kind} input, h_0 and c_0 should also be {want}-D: "
                f"got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
            )
        D = 2 if self.bidirectional else 1
        n = (batch,) if batched else ()
        sizes = (self.proj_size or self.hidden_size, self.hidden_size)
        for k, (name, t) in enumerate(zip(("h_0", "c_0"), hx, strict=True)):
            expected = (D * self.num_layers, *n, sizes[k])
            if tuple(t.shape) != expected:
                raise RuntimeError(  # PyTorch's own message writes the shape got as a list
                    f"LSTM: wrong {name} shape. Expected hidden[{k}] size {expected}, "
                    f"got {list(t.shape)}"
                )
            _check_same_place("LSTM", name, t, "input", data)

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            self._check_input(data, packed=True)
            batch, batched = int(batch_sizes[0]), True
        else:
            if not isinstance(input, torch.Tensor):
                raise TypeError(
                    f"LSTM: input must be a Tensor or a PackedSequence, got {type(input).__name__}"
                )
            self._check_input(input, packed=False)
            batched = input.dim() == 3
            if not batched:
                data = input.unsqueeze(1)  # (L, 1, H_in)
            else:
                data = input.transpose(0, 1) if self.batch_first else input  # (L, N, H_in)
            if data.size(0) == 0:
                raise RuntimeError("LSTM: expected sequence length to be larger than 0, got 0")
            batch = data.size(1)
        D = 2 if self.bidirectional else 1
        if hx is None:
            h0 = data.new_zeros(D * self.num_layers, batch, self.proj_size or self.hidden_size)
            c0 = data.new_zeros(D * self.num_layers, batch, self.hidden_size)
        else:
            self._check_hx(hx, batch, batched, data)
            h0, c0 = hx if batched else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            if packed and sorted_indices is not None:  # h_0 is in the user's batch order
                h0 = h0.index_select(1, sorted_indices)
                c0 = c0.index_select(1, sorted_indices)
        layer_input, h_n, c_n = data, [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(D):
                k = layer * D + direction
                weights = self._weights(layer, direction)
                if packed:
                    out, (h, c) = lstm_layer_packed(layer_input, batch_sizes, (h0[k], c0[k]),
                                                    *weights, reverse=bool(direction))
                else:
                    run = lstm_layer_bptt if self.use_bptt else lstm_layer
                    x = layer_input.flip(0) if direction else layer_input  # (L, N, H_in)
                    out, (h, c) = run(x, (h0[k], c0[k]), *weights)
                    out = out.flip(0) if direction else out  # (L, N, H_out)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_input = torch.cat(outputs, -1) if D == 2 else outputs[0]  # (L, N, D*H_out)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
        h_n, c_n = torch.stack(h_n), torch.stack(c_n)  # (D*num_layers, N, H_out / H_cell)
        if packed:
            if unsorted_indices is not None:  # back to the user's batch order
                h_n = h_n.index_select(1, unsorted_indices)
                c_n = c_n.index_select(1, unsorted_indices)
            output = PackedSequence(layer_input, batch_sizes, sorted_indices, unsorted_indices)
            return output, (h_n, c_n)
        if not batched:
            return layer_input.squeeze(1), (h_n.squeeze(1), c_n.squeeze(1))
        output = layer_input.transpose(0, 1) if self.batch_first else layer_input
        return output, (h_n, c_n)
