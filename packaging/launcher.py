"""Entry point of the frozen application (PyInstaller runs this file)."""

from detainer_desk.__main__ import main

if __name__ == "__main__":
    main()
