"""ETL: each source is an `extract` that yields raw rows; all share `validate` and `load`."""
