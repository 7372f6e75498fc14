"""The Hugging Face id box in a browser: the app server reads a local Hub (HF_ENDPOINT on 127.0.0.1) through the
real huggingface_hub client, shows the exact counts and stores the model for the team."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import goto, wait_for_app_run
from tests.support.app_server import app_server
from tests.support.fake_hub import FakeHub

pytestmark = pytest.mark.e2e
MIXTRAL = json.loads((Path(__file__).parents[1] / "data" / "moe-configs" / "mixtral-8x7b.json").read_text())
SHA = "d" * 40


@pytest.fixture(scope="module")
def hub_app(tmp_path_factory):
    home = tmp_path_factory.mktemp("hf")
    repos = {"mistralai/Mixtral-8x7B-v0.1": {"revisions": {"main": SHA}, "configs": {SHA: MIXTRAL},
                                             "params": {"BF16": 46_702_792_704}}}
    with FakeHub(repos) as hub, app_server(f"sqlite:///{home / 'e2e.db'}",
                                           env={"HF_ENDPOINT": hub.url, "HF_HOME": str(home / "cache"),
                                                "HF_HUB_DISABLE_TELEMETRY": "1"}) as url:
        yield url


def test_a_hub_id_is_fetched_counted_and_added(page, hub_app):
    goto(page, f"{hub_app}/add_model")
    box = page.get_by_label("Hugging Face model id (ORG/NAME or ORG/NAME@REVISION)")
    box.fill("mistralai/Mixtral-8x7B-v0.1")
    box.press("Enter")
    wait_for_app_run(page)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("46,702,792,704 parameters: config.json and the Hub's safetensors metadata agree")
    expect(main).to_contain_text("12.880B")  # active per token
    page.get_by_role("button", name="Add to the team catalog").click()
    wait_for_app_run(page)
    expect(main).to_contain_text("Added mixtral-8x7b-v0-1")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_will_it_fit_and_the_new_catalog_rows_in_a_browser(page, hub_app):
    goto(page, f"{hub_app}/will_it_fit")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(1)
    expect(main).to_contain_text("GGUF Q4_K_M")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    goto(page, f"{hub_app}/catalog")
    # the shipped rows (+ the team model the test above may have added)
    from lifecycle.models.catalog import list_models

    n = len(list_models())
    expect(page.get_by_test_id("stMain")).to_contain_text(re.compile(rf"({n}|{n + 1}) of ({n}|{n + 1}) models"))
