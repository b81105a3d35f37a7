"""Debian's chromium driven by Playwright, and a tab on the explorer that keeps what it saw."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CHROMIUM = shutil.which("chromium") or next((p for p in ("/usr/bin/chromium",) if Path(p).exists()), None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = os.environ.get("PROVNEWS_SCREENSHOTS")


class Page:
    """A browser tab on the explorer, and what it saw: dialogs opened, script errors."""

    def __init__(self, page, base_url: str, folder: Path):
        self.page, self.base_url, self.folder = page, base_url, folder
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector("#summary[data-total]")

    @contextmanager
    def step(self, name: str):
        """A step of the test; if it fails, a screenshot of the page goes to the test's temporary folder."""
        try:
            yield
        except BaseException:
            shot = self.folder / f"failed-{name}.png"
            try:
                self.page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failed step {name!r}: {shot}")
            except Exception as exc:  # noqa: BLE001 - the original failure matters more
                print(f"no screenshot of {name!r}: {exc}")
            raise

    def keep(self, name: str, *, readme: bool = True) -> None:
        """A picture in the temporary folder, and one for the README when asked for (make screenshot)."""
        self.page.screenshot(path=str(self.folder / name))
        if SCREENSHOTS and readme:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.folder / name, Path(SCREENSHOTS) / name)

    def total(self) -> int:
        return int(self.page.get_attribute("#summary", "data-total"))

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)
