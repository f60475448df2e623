"""imi: the project intelligence service."""

__version__ = "3.0.0"
