"""Pre-train your own: a compute budget on the Kaplan and Chinchilla curves."""

from ui import common, pretrain_own

common.show_page("select", "Pre-train your own", pretrain_own.render)
