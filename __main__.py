"""``python -m paperdeck`` runs the ``paperdeck`` command."""

import sys

from paperdeck.tui.cli import main

sys.exit(main())
