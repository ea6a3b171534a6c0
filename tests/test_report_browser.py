"""summary.html in a real browser: copied alone to another folder, it shows its charts and every opinion, and its
search box and filters hide the rows that do not match. Headless Chromium driven by selenium with Debian's
`chromium` and `chromium-driver` (.ci/run installs them); nothing is downloaded.

PUBCOM_SCREENSHOTS=DIR keeps the screenshots there, to look at them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

selenium = pytest.importorskip("selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")

OPINIONS = [  # (opinion, theme, response type, basis, needs_review, reply) written for this test
    ("高齢者向けのスマホ教室を公民館で開いてほしい", "digital_divide", "future", "reply", False, "今後検討します"),
    ("窓口での紙の申請も残してください", "digital_divide", "kept", "reply", True, "原案のとおりとします"),
    ("マイナンバーカードの暗証番号を忘れた人への対応は", "mynumber_auth", "adopted", "reply", False, "追記します"),
    ("電子申請の画面が分かりにくい", "online_procedures", "future", "opinion", True, ""),
    ("オープンデータの公開形式を統一してほしい", "gis_opendata", "kept", "opinion", False, ""),
]


def _scored() -> pd.DataFrame:
    return pd.DataFrame({
        "row_no": range(1, len(OPINIONS) + 1), "opinion": [o[0] for o in OPINIONS],
        "response": [o[5] for o in OPINIONS], "pred_theme": [o[1] for o in OPINIONS],
        "pred_theme_score": [0.91, 0.42, 0.88, 0.35, 0.77], "pred_response_type": [o[2] for o in OPINIONS],
        "pred_response_basis": [o[3] for o in OPINIONS], "needs_review": [o[4] for o in OPINIONS],
        "review_reason": ["確信度が低い" if o[4] else "" for o in OPINIONS]})


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1600", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The report of one consultation, its summary.html copied alone into an empty folder."""
    from pipeline.report import build_report

    written = build_report({"sample": _scored()}, tmp_path_factory.mktemp("report") / "sample")
    alone = tmp_path_factory.mktemp("mailed") / "summary.html"
    shutil.copy(written["summary_html"], alone)
    return alone


def _shown(driver) -> list[str]:
    return [row.text for row in driver.find_elements("css selector", "tr.op-row") if row.is_displayed()]


def _screenshot(driver, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PUBCOM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def test_the_page_alone_shows_its_charts_and_every_opinion(browser, page, tmp_path):
    browser.get(page.as_uri())
    images = browser.find_elements("tag name", "img")
    assert len(images) == 2  # the theme chart and the heatmap of the replied rows
    assert all(browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i) for i in images)
    assert len(_shown(browser)) == len(OPINIONS)
    assert browser.find_element("id", "shown-count").text == str(len(OPINIONS))
    guesses = [row for row in _shown(browser) if "回答前の予測" in row]
    assert len(guesses) == 2  # the two rows without a reply are marked as guesses
    assert _screenshot(browser, "report-top", tmp_path).stat().st_size > 10_000


@pytest.mark.parametrize("query, expected", [("窓口", 1), ("マイナンバー", 1), ("ほしい", 2), ("ほしい　公民館", 1),
                                             ("ﾏｲﾅﾝﾊﾞｰ", 1), ("存在しない語", 0)])
def test_search_box_filters_the_rows(browser, page, query, expected):
    browser.get(page.as_uri())
    browser.find_element("id", "q").send_keys(query)
    assert len(_shown(browser)) == expected
    assert browser.find_element("id", "shown-count").text == str(expected)


@pytest.mark.parametrize("control, value, expected", [("f-theme", "digital_divide", 2), ("f-type", "future", 1),
                                                      ("f-type", "guess", 2), ("f-review", None, 2)])
def test_filters_hide_rows_and_empty_themes(browser, page, control, value, expected, tmp_path):
    from selenium.webdriver.support.ui import Select

    browser.get(page.as_uri())
    element = browser.find_element("id", control)
    if value is None:
        element.click()
    else:
        Select(element).select_by_value(value)
    assert len(_shown(browser)) == expected
    themes = [d for d in browser.find_elements("css selector", "details.theme") if d.is_displayed()]
    assert sum(int(d.find_element("class name", "count").text.rstrip("件")) for d in themes) == expected
    _screenshot(browser, f"filter-{control}-{value}", tmp_path)
