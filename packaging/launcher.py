"""Entry point of the frozen application (PyInstaller runs this file)."""

import sys

from detainer_desk.__main__ import main

if __name__ == "__main__":
    # Verifying a large record and the litigation export run worker processes; in the frozen
    # program each starts by running this file again with this argument, and
    # freeze_support() turns it into a worker. (multiprocessing is imported only then:
    # an ordinary start does not pay for it.)
    if len(sys.argv) >= 2 and sys.argv[1] == "--multiprocessing-fork":
        import multiprocessing

        multiprocessing.freeze_support()
    main()
