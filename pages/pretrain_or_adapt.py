"""Pre-train or adapt: start from an existing model, or pre-train your own."""

from ui import common, pretrain_or_adapt

common.show_page("select", "Pre-train or adapt", pretrain_or_adapt.render)
