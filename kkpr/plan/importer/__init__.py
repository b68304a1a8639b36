"""Building a plan package from what a city publishes: a zoning layer (any format GDAL
reads, qgis2web ``.js`` exports included) and the annex tables (the ITBX matrix, its
T/B legend, the intensity table), as ``kkpr plan import`` does.

The core of the import, free of any CLI: ``import_plan(ImportSpec(...), progress)``.
"""

from kkpr.plan.importer.build import ImportResult, ImportSpec, import_plan

__all__ = ["ImportResult", "ImportSpec", "import_plan"]
