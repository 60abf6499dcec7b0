"""``python -m lstm_helpers.sine``: see :mod:`lstm_helpers.sine.cli`."""

import sys

from .cli import main

sys.exit(main())
