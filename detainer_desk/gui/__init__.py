"""PySide6 user interface. Only this package (and the composition root) imports Qt."""
