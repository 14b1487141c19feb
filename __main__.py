"""``python -m paperdeck`` and the ``paperdeck`` command: :func:`run` ends on a Ctrl+C at any
moment quietly, even while the command's modules are still being imported."""

import sys


def run() -> int:
    try:
        from paperdeck.tui.cli import main

        return main()
    except KeyboardInterrupt:
        print("paperdeck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(run())
