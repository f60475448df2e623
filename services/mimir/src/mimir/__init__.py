"""mimir: durable memory and intent capture."""

__version__ = "1.0.0"
