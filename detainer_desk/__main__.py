"""``python -m detainer_desk`` and the ``detainer-desk`` command."""

from __future__ import annotations

import sys


def main() -> None:
    from detainer_desk.app import main as app_main

    sys.exit(app_main())


if __name__ == "__main__":
    main()
