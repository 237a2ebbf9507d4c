"""The ``nnviz`` console script: the app with no arguments (or ``gui``), else the headless CLI.

Qt is imported only when the app starts, so ``nnviz train`` runs without a display.
"""
from __future__ import annotations

import sys

from nnviz.cli import main as cli


def _launch() -> int:
    from .app import run

    return run()


def main(argv=None) -> int:
    return cli.main(sys.argv[1:] if argv is None else argv, launch_gui=_launch)


if __name__ == "__main__":
    raise SystemExit(main())
