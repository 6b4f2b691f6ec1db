"""A supervisor in a real browser: log in, open the queue, open a case, record a
decision and see it in the history (Debian's Chromium driven by Playwright)."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUNGUAN = Path(sys.executable).with_name("qunguan")
PASSWORD = "Browser-Test-2025"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but Chromium is missing: .ci/run must install Debian's chromium", pytrace=False)
    pytest.skip("no Chromium on this machine (apt-get install chromium fonts-wqy-microhei)", allow_module_level=True)


@pytest.fixture
def server(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("users", "add", "li-sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(QUNGUAN), "serve", "--db", str(db_path), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/-/login", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


def test_supervisor_logs_in_reviews_a_case_and_sees_the_decision(server, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("QUNGUAN_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(f"{server}/-/qunguan/queue")
        assert "登录群管" in page.content()  # not served without a login
        page.fill("input[name=username]", "li-sup")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/-/qunguan/queue")
        assert "审核队列" in page.content()
        page.click("table.qg-table tbody tr >> nth=0 >> td >> nth=4 >> a")
        page.wait_for_url("**/-/qunguan/flags/*")
        page.select_option("select[name=status]", "confirmed")
        page.select_option("select[name=action]", "talked")
        page.fill("textarea[name=note]", "已约谈当事人，浏览器测试")
        page.click("form.qg-form input[type=submit]")
        page.wait_for_selector("#history")
        history = page.inner_text("#history")
        assert "li-sup" in history and "属实" in history and "约谈" in history and "浏览器测试" in history
        page.screenshot(path=str(shots / "case-after-decision.png"), full_page=True)
        # The archive's own table pages: their column menus, built in the browser, in Chinese too.
        page.goto(f"{server}/archive/messages")
        page.click("th.col-sent_at .dropdown-menu-icon")
        menu = page.inner_text(".dropdown-menu")
        assert "升序排列" in menu and "类型：TEXT（非空）" in menu and "Sort" not in menu
        browser.close()
    assert (shots / "case-after-decision.png").stat().st_size > 10_000
