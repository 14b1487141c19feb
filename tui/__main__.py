"""``python -m tui`` runs the ``paperdeck`` command."""

import sys

from .cli import main

sys.exit(main())
