"""Pre-train your own: a compute budget on the Kaplan and Chinchilla curves."""

from ui import common, pretrain_planner

common.show_page("select", "Pre-train your own", pretrain_planner.render)
