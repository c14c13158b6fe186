"""Write the shipped diagrams from their tables, each with a tidy drawing.

Edit a table module (customer_request.py, repair_replacement.py, returns_exchange.py,
replenish_stock.py, quarterly_appraisal.py, appraisal_results.py, appraisal_appeal.py), then
run `.venv/bin/python diagrams/tools/layout.py` from the project root and review the diff. The drawing machinery is in bpmn_kit.py.
It also writes the grade table, appraisal_grade.dmn, for the bands of Art. 16
(workflows/appraisal/grades.py: the same writer HR's settings page deploys through).
"""

from __future__ import annotations

import sys
from pathlib import Path

import appraisal_appeal
import appraisal_results
import customer_request
import quarterly_appraisal
import repair_replacement
import replenish_stock
import returns_exchange

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = [
    customer_request.DIAGRAM,
    repair_replacement.DIAGRAM,
    returns_exchange.DIAGRAM,
    replenish_stock.DIAGRAM,
    quarterly_appraisal.DIAGRAM,
    appraisal_results.DIAGRAM,
    appraisal_appeal.DIAGRAM,
]


def write_grade_table() -> Path:
    sys.path.insert(0, str(ROOT))
    from workflows.appraisal.grades import GRADE_FILE, table_dmn
    from workflows.appraisal.scoring import DEFAULT_BANDS

    path = ROOT / "diagrams" / GRADE_FILE
    path.write_text(table_dmn(DEFAULT_BANDS), encoding="utf-8")
    return path


if __name__ == "__main__":
    for diagram in DIAGRAMS:
        print(f"wrote {diagram.write()}")
    print(f"wrote {write_grade_table()}")
