"""Composition root: arguments -> paths -> (database -> services) -> GUI or CLI.

Nothing is built at import time; ``main`` builds what the chosen command needs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from detainer_desk.cli import main as cli_main

    return cli_main(list(sys.argv[1:] if argv is None else argv))
