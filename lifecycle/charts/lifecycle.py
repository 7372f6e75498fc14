"""The lifecycle's colours, shared by the page strip (``ui.common.lifecycle_strip_html``) and reports."""

ACCENT = "#4C5FD5"  # the current stage, arrows and borders
MUTED = "#E6E8F4"  # the other stages
