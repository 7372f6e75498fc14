"""Generation: how max new tokens, greedy or sampling, top-k, top-p and temperature shape the output."""

from ui import common, generation

common.show_page("integrate", "Generation", generation.render)
