"""Write the shipped diagrams from their tables, each with a tidy drawing.

Edit a table module (customer_request.py, repair_replacement.py, returns_exchange.py,
replenish_stock.py, quarterly_appraisal.py, appraisal_results.py, appraisal_appeal.py), then
run `.venv/bin/python diagrams/tools/layout.py` from the project root and review the diff. The drawing machinery is in bpmn_kit.py.
"""

from __future__ import annotations

import appraisal_appeal
import appraisal_results
import customer_request
import quarterly_appraisal
import repair_replacement
import replenish_stock
import returns_exchange

DIAGRAMS = [
    customer_request.DIAGRAM,
    repair_replacement.DIAGRAM,
    returns_exchange.DIAGRAM,
    replenish_stock.DIAGRAM,
    quarterly_appraisal.DIAGRAM,
    appraisal_results.DIAGRAM,
    appraisal_appeal.DIAGRAM,
]

if __name__ == "__main__":
    for diagram in DIAGRAMS:
        print(f"wrote {diagram.write()}")
