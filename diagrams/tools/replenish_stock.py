"""Spare-part replenishment (备件补货): the tables of diagrams/replenish_stock.bpmn;
`layout.py` writes it.

Started by the daily stock check (workflows.jobs.check_spare_stock) for a part family whose
stock falls below 3 % of its service volume, with family, on_hand, required and service_volume
as its data (docs/records.md).
"""

from __future__ import annotations

from bpmn_kit import Diagram, Flow, Lane, Node

STORE = "warehouse"

NODES = [
    Node("stock_short", "start", "备件库存不足", "Stock below 3 %", STORE, 0),
    Node(
        "replenish_family",
        "user",
        "补货入库",
        "Replenish the stock",
        STORE,
        1,
        form="replenish_family",
        properties=(("effect", "parts.receive"),),
    ),
    Node("stock_replenished", "end", "已补货", "Stock replenished", STORE, 2),
]

DIAGRAM = Diagram(
    process_id="replenish_stock",
    name="备件补货",
    name_en="Spare-part replenishment",
    starters="warehouse,admin",
    lanes=[Lane(STORE, "备件管理", "Spare parts")],
    nodes=NODES,
    flows=[Flow("stock_short", "replenish_family"), Flow("replenish_family", "stock_replenished")],
)
