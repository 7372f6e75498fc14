"""Report page: the project's decision record as Markdown, HTML or PDF."""

import streamlit as st

from ui import common

project = common.page_setup(None)
st.title("Report")
