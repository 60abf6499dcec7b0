"""``python -m lstm_helpers.longlag``: see :mod:`lstm_helpers.longlag.cli`."""

import sys

from .cli import main

sys.exit(main())
