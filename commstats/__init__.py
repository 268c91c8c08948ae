"""commstats: monthly statistics of a Department of Information and Communications."""

__version__ = "0.1.0"
