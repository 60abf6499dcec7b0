"""A recurrent network with a linear head: one class per sequence, or one per time step.

- :class:`SequenceClassifier`: ``rnn`` (``nn.LSTM`` by default; ``nn.GRU``, ``nn.RNN`` or
  :class:`lstm_helpers.lstm.LSTM` take its place) reads the padded batch, a linear layer maps
  the final state of each sequence to C logits. ``readout`` chooses how that final state is
  found: ``"packed"`` (``pack_padded_sequence``, then ``h_n``), ``"gather"`` (padded input,
  the output at each sequence's own last step) or ``"last"`` (padded input, ``output[:, -1]``:
  the classic mistake, a pad step for every sequence shorter than the longest).
- :class:`SequenceTagger`: the same network, a class for every time step: logits
  ``(N, C, L)``, the layout ``CrossEntropyLoss`` wants.
- :class:`FlatClassifier`: logistic regression on the padded sequence flattened (a baseline
  with no recurrence).
- :class:`PooledClassifier`: logistic regression on each sequence's per-feature mean and
  standard deviation over its own steps (:func:`pooled_features`: 24 numbers for 12 features,
  at any length): the practitioner's baseline for a sequence label.
- :class:`MajorityClassifier`: always the same class (the floor every model must beat).

Letters: N batch, L longest length, H_in features, H hidden size, C classes, D directions.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .._checks import format_shape

__all__ = [
    "READOUTS", "FlatClassifier", "MajorityClassifier", "PooledClassifier", "SequenceClassifier",
    "SequenceTagger", "last_valid", "pooled_features",
]

READOUTS = ("packed", "gather", "last")


def last_valid(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The output at each sequence's own last step: ``output[n, lengths[n] - 1]``.

    Args:
        output: :math:`(N, L, H)` (batch first). lengths: ``(N,)`` integers in ``[1, L]``.

    Returns:
        :math:`(N, H)`.
    """
    if output.dim() != 3:
        raise ValueError(f"last_valid: output must be (N, L, H), got shape "
                         f"{format_shape(output.shape)}")
    lengths = torch.as_tensor(lengths).to(device=output.device, dtype=torch.int64)
    if lengths.shape != (output.size(0),):
        raise ValueError(
            f"last_valid: lengths must have one entry per sequence: expected shape "
            f"({output.size(0)},), got {format_shape(lengths.shape)}"
        )
    if bool((lengths < 1).any()) or bool((lengths > output.size(1)).any()):
        raise ValueError(f"last_valid: every length must be in [1, {output.size(1)}], "
                         f"got {lengths.tolist()}")
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, output.size(2))  # (N, 1, H)
    return output.gather(1, index).squeeze(1)  # (N, H)


def _h_n(hidden):
    """``h_n`` from what an RNN returns: ``(h_n, c_n)`` for an LSTM, ``h_n`` otherwise."""
    return hidden[0] if isinstance(hidden, tuple) else hidden


class SequenceClassifier(nn.Module):
    """An RNN over a padded batch and a linear head on each sequence's final state.

    Args:
        input_size: features per step (H_in). hidden_size: H. num_classes: C.
        rnn: the recurrent class, called like ``nn.LSTM(input_size, hidden_size,
            num_layers=..., batch_first=True, bidirectional=..., device=..., dtype=...)``.
            Default: ``nn.LSTM``.
        num_layers: stacked layers. Default: 1.
        bidirectional: read both ways; the head sees both directions' last states,
            concatenated (2H features). Default: False.
        readout: ``"packed"``, ``"gather"`` or ``"last"`` (see the module). Default: "packed".
        device, dtype: of the parameters. Default: None.

    Inputs: ``x`` :math:`(N, L, H_{in})` padded, ``lengths`` ``(N,)``.
    Outputs: logits :math:`(N, C)`.
    """

    def __init__(self, input_size, hidden_size, num_classes, rnn=nn.LSTM, num_layers=1,
                 bidirectional=False, readout="packed", device=None, dtype=None):
        super().__init__()
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        self.readout = readout
        self.bidirectional = bidirectional
        self.rnn = rnn(input_size, hidden_size, num_layers=num_layers, batch_first=True,
                       bidirectional=bidirectional, device=device, dtype=dtype)
        D = 2 if bidirectional else 1
        self.head = nn.Linear(D * hidden_size, num_classes, device=device, dtype=dtype)

    def features(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The final state of each sequence that the head reads: :math:`(N, D \\cdot H)`."""
        H = self.rnn.hidden_size
        if self.readout == "packed":
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                          enforce_sorted=False)
            _, hidden = self.rnn(packed)
            h_n = _h_n(hidden)  # (D * num_layers, N, H), each sequence's own last step
            if self.bidirectional:  # last layer: forward h_n[-2], backward h_n[-1]
                return torch.cat([h_n[-2], h_n[-1]], dim=1)  # (N, 2H)
            return h_n[-1]  # (N, H)
        output, _ = self.rnn(x)  # (N, L, D*H), pad steps included
        if self.readout == "last":  # the mistake: column L-1 (step L) is a pad for shorter ones
            return output[:, -1]  # (N, D*H)
        forward = last_valid(output[..., :H], lengths)  # (N, H)
        if not self.bidirectional:
            return forward
        # the backward direction ends at step 1 (column 0), but it began on the pads and
        # read them: a bidirectional model must pack (or reverse within each length)
        return torch.cat([forward, output[:, 0, H:]], dim=1)  # (N, 2H)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x, lengths))  # (N, C)


class SequenceTagger(nn.Module):
    """An RNN with a linear head on every step: one class per time step.

    Same arguments as :class:`SequenceClassifier` (no ``readout``: packed input always).

    Inputs: ``x`` :math:`(N, L, H_{in})`, ``lengths`` ``(N,)``.
    Outputs: logits :math:`(N, C, L)`: classes in dimension 1, as ``CrossEntropyLoss`` wants
    (:meth:`per_step` gives the head's own layout :math:`(N, L, C)`). Steps past a
    sequence's end hold the logits of a zero state; give them the label ``ignore_index``.
    """

    def __init__(self, input_size, hidden_size, num_classes, rnn=nn.LSTM, num_layers=1,
                 bidirectional=False, device=None, dtype=None):
        super().__init__()
        self.rnn = rnn(input_size, hidden_size, num_layers=num_layers, batch_first=True,
                       bidirectional=bidirectional, device=device, dtype=dtype)
        D = 2 if bidirectional else 1
        self.head = nn.Linear(D * hidden_size, num_classes, device=device, dtype=dtype)

    def per_step(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits in the head's layout :math:`(N, L, C)`."""
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        output, _ = pad_packed_sequence(out, batch_first=True,
                                        total_length=x.size(1))  # (N, L, D*H)
        return self.head(output)  # (N, L, C)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.per_step(x, lengths).permute(0, 2, 1)  # (N, C, L)


class FlatClassifier(nn.Module):
    """Logistic regression on the padded sequence flattened: no recurrence, no weight sharing
    over time; each (step, feature) position gets its own weight per class.

    Args:
        input_size: H_in. max_length: L the input is padded (or cut) to. num_classes: C.

    Inputs: ``x`` :math:`(N, L', H_{in})`, ``lengths`` (unused). Outputs: :math:`(N, C)`.
    """

    def __init__(self, input_size, max_length, num_classes, device=None, dtype=None):
        super().__init__()
        self.max_length = max_length
        self.linear = nn.Linear(max_length * input_size, num_classes, device=device,
                                dtype=dtype)

    def forward(self, x: torch.Tensor, lengths=None) -> torch.Tensor:
        x = x[:, : self.max_length]  # (N, <= L, H_in)
        x = nn.functional.pad(x, (0, 0, 0, self.max_length - x.size(1)))  # (N, L, H_in)
        return self.linear(x.flatten(1))  # (N, L*H_in) -> (N, C)


def pooled_features(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each sequence's mean and standard deviation over its own steps, per feature.

    Args:
        x: :math:`(N, L, H_{in})` padded (batch first). lengths: ``(N,)``, each in ``[2, L]``.

    Returns:
        :math:`(N, 2 H_{in})`: the means, then the standard deviations (with Bessel's
        correction, dividing by :math:`T_n - 1`). Pad steps count for nothing.
    """
    if x.dim() != 3:
        raise ValueError(f"pooled_features: x must be (N, L, H_in), got shape "
                         f"{format_shape(x.shape)}")
    lengths = torch.as_tensor(lengths).to(device=x.device)
    if lengths.shape != (x.size(0),):
        raise ValueError(f"pooled_features: lengths must have shape ({x.size(0)},), "
                         f"got {format_shape(lengths.shape)}")
    if bool((lengths < 2).any()) or bool((lengths > x.size(1)).any()):
        raise ValueError(f"pooled_features: every length must be in [2, {x.size(1)}], "
                         f"got {lengths.tolist()}")
    steps = torch.arange(x.size(1), device=x.device)  # (L,)
    mask = (steps[None, :] < lengths[:, None]).to(x.dtype).unsqueeze(2)  # (N, L, 1)
    n = lengths.to(x.dtype).view(-1, 1)  # (N, 1)
    mean = (x * mask).sum(1) / n  # (N, H_in)
    var = (((x - mean[:, None]) * mask) ** 2).sum(1) / (n - 1)  # (N, H_in)
    return torch.cat([mean, var.sqrt()], dim=1)  # (N, 2 H_in)


class PooledClassifier(nn.Module):
    """Logistic regression on :func:`pooled_features`: one linear layer on each sequence's
    per-feature mean and standard deviation. It reads any length and ignores the order of
    the steps.

    Args:
        input_size: H_in (the layer sees 2 H_in numbers). num_classes: C.

    Inputs: ``x`` :math:`(N, L, H_{in})` padded, ``lengths`` ``(N,)``. Outputs: :math:`(N, C)`.
    """

    def __init__(self, input_size, num_classes, device=None, dtype=None):
        super().__init__()
        self.linear = nn.Linear(2 * input_size, num_classes, device=device, dtype=dtype)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.linear(pooled_features(x, lengths))  # (N, 2 H_in) -> (N, C)


class MajorityClassifier(nn.Module):
    """Always answers ``label``: logits 0 everywhere except 1 for that class. Nothing to
    train (it holds one dummy parameter so that the training helpers find a dtype).

    Args:
        num_classes: C. label: the class it always names (the most frequent in training).

    Inputs: ``x`` :math:`(N, L, H_{in})`, ``lengths`` (unused). Outputs: :math:`(N, C)`.
    """

    def __init__(self, num_classes, label, device=None, dtype=None):
        super().__init__()
        if not 0 <= int(label) < num_classes:
            raise ValueError(f"label must be in [0, {num_classes - 1}], got {label}")
        self.label = int(label)
        self.anchor = nn.Parameter(torch.zeros((), device=device, dtype=dtype),
                                   requires_grad=False)
        self.num_classes = num_classes

    def forward(self, x: torch.Tensor, lengths=None) -> torch.Tensor:
        logits = torch.zeros(x.size(0), self.num_classes, device=x.device, dtype=x.dtype)
        logits[:, self.label] = 1.0
        return logits + self.anchor  # (N, C)
