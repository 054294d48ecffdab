"""Result records, their JSON form and how numbers are written.

- :mod:`.records`: every record rfgraph returns (frozen dataclasses with ``to_dict()``);
- :mod:`.format`: numbers in JSON and text, the JSON document envelope (``"version"``);
- :mod:`.report`: the text reports and tables people read (CLI, ``print``, Jupyter);
- :mod:`.schema`: the JSON Schema of the documents.

This package depends on nothing but :mod:`rfgraph.core`; the passes produce these records
and the views read them.
"""

from .format import SCHEMA_VERSION, document, joined, number, ratio, size_text, text
from .records import (Analysis, AxisResult, BatchRow, Footprint, FootprintList, Mismatch, Nearest, NodeResult, Path,
                      PathGeometry, PathList, Phase, PositionSizes, RegionList, ResolvedPadding, StrideClass, Summary,
                      SummaryRow, Table,
                      WitnessPath)
from .schema import json_schema

__all__ = [
    "SCHEMA_VERSION", "Analysis", "AxisResult", "BatchRow", "Footprint", "FootprintList", "Mismatch", "Nearest",
    "NodeResult", "Path", "PathGeometry", "PathList", "Phase", "PositionSizes", "RegionList", "ResolvedPadding",
    "StrideClass", "Summary", "SummaryRow", "Table", "WitnessPath",
    "document", "joined", "json_schema", "number", "ratio", "size_text", "text",
]
