"""``python -m lstm_helpers.classify``: see :mod:`lstm_helpers.classify.cli`."""

import sys

from .cli import main

sys.exit(main())
