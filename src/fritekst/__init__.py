"""fritekst: tag, count and report the free-text answers of Norwegian surveys."""

__version__ = "0.1.0"
