"""Will it fit: one model on the team's GPU, weight formats × workloads."""

from ui import common, will_it_fit

common.show_page("select", "Will it fit", will_it_fit.render)
