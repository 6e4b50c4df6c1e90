"""Detainer Desk: lawful, recorded decisions on ICE detainer requests."""

__version__ = "0.1.0"
