"""One module per source. Each `extract(...)` takes raw content and yields RawRow."""
