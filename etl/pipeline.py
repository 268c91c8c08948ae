"""Compatibility names for the one import sequence, which lives in etl.sources (the Source contract).

`import_content` / `import_path` import a file of any registered kind (found from its content), as
etl.sources.import_file / import_path do; the report type is etl.sources.base.ImportReport.
"""

from __future__ import annotations

from etl.sources import import_file as import_content
from etl.sources import import_path
from etl.sources.base import ImportReport, size_problem

__all__ = ["ImportReport", "import_content", "import_path", "size_problem"]
