"""Entry point of the frozen application (PyInstaller runs this file)."""

import multiprocessing

from detainer_desk.__main__ import main

if __name__ == "__main__":
    # Verification of a large record runs worker processes; in the frozen program they
    # start by running this file again, and freeze_support() turns them into workers.
    multiprocessing.freeze_support()
    main()
