"""The corridors of the demo data: the Northern Corridor from Mombasa and the
Central Corridor from Dar es Salaam, their member countries and nodes in route
order, the demo agreements that concern them, and their indicator figures.

Figures from the seeds, each citing its seed document and keeping its hedge:
Rwandan cargo through the Port of Mombasa, "approximately 600,000 metric
tonnes in 2024" and "more than 800,000 metric tonnes in 2025" (seed 002); and
"about 70% of Rwandan imports and exports" passing through Tanzania's ports
(seed 000), a share of trade (not of tonnes) stated at the 2026 talks without
a period, recorded on the Central Corridor (gateway Dar es Salaam) for 2026.

Synthetic figures, flagged ``is_synthetic`` and cited to a source titled
"Synthetic corridor figures (not observed)", so that the charts and the
split between corridors have periods to show: Rwandan cargo via the Northern
Corridor 2019-2023 and via the Central Corridor 2019-2025, and both by quarter
from 2025-Q1 to 2026-Q3 (around the January 2026 MoU). Pages mark them.

Runs after ``agreements.demo.load_demo()``, whose organisations, sources and
agreements it links to; re-running changes nothing (see ``agreements.demo``).
"""

from corridors.demo.indicators import load_indicator_demo
from corridors.demo.routes import load_demo

__all__ = ["load_demo", "load_indicator_demo"]
