"""Adapters: the database, PDFs, files. They depend on the domain, never the reverse."""
