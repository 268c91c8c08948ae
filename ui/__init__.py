"""Streamlit-facing helpers: the cache module, the shared frame and screen labels."""
