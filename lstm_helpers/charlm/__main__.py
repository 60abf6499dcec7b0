"""``python -m lstm_helpers.charlm``: see :mod:`lstm_helpers.charlm.cli`."""

import sys

from .cli import main

sys.exit(main())
