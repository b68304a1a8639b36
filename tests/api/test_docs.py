"""The API documentation page loads nothing from the internet."""

from __future__ import annotations

import re

from tests.api.conftest import Api


def test_docs_page_uses_only_local_assets(mini_api: Api) -> None:
    page = mini_api.client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(r.startswith("/docs-assets/") for r in refs), refs
    assert "https://" not in page.text.replace("https://kkpr", "")
    for ref in refs:
        assert mini_api.client.get(ref).status_code == 200
