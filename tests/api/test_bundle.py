"""A page's files as one script and one stylesheet: the pre-check page is bundled (never
silently one by one), each bundle is cached for good under its content's hash, another
worker can make a bundle it has not rendered, and what cannot be bundled falls back to
the files one by one. The browser tests (tests/web) run the bundled page itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import bundle
from api.bundle import IMMUTABLE, BundleError, module_graph, script_bundle, style_bundle
from tests.api.conftest import Api, make_api

LINKS = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
SCRIPTS = re.compile(r'<script(?: defer| type="module")? src="([^"]+)"></script>')


def page_files(api: Api, path: str = "/") -> tuple[list[str], list[str]]:
    html = api.client.get(path).text
    unescape = lambda s: s.replace("&amp;", "&")  # noqa: E731
    return [unescape(u) for u in LINKS.findall(html)], [unescape(u) for u in SCRIPTS.findall(html)]


def test_the_precheck_page_asks_for_one_script_and_one_stylesheet(kupang_api: Api) -> None:
    styles, scripts = page_files(kupang_api)
    assert len(styles) == 1 and styles[0].startswith("/static/bundle/")
    assert len(scripts) == 1 and scripts[0].startswith("/static/bundle/")
    js = kupang_api.client.get(scripts[0])
    assert js.status_code == 200
    assert js.headers["cache-control"] == IMMUTABLE
    assert js.headers["content-type"].startswith("text/javascript")
    # Leaflet, Leaflet.draw and every module the page's module imports, in that file
    text = js.text
    for path, _body in module_graph("js/precheck.js"):
        assert f"__kkpr_modules['{path}']" in text
    assert "L.Draw" in text and "leaflet" in text.lower()
    assert not re.search(r"^\s*import\s", text, re.M)
    css = kupang_api.client.get(styles[0])
    assert css.status_code == 200 and css.headers["cache-control"] == IMMUTABLE
    # Leaflet's images, relative to its own stylesheet, are found from the bundle too
    images = re.findall(r'url\("(/static/vendor/[^"]+)"\)', css.text)
    assert images and all(kupang_api.client.get(u).status_code == 200 for u in images)


def test_the_staff_page_asks_for_one_script_and_one_stylesheet(kupang_api: Api) -> None:
    """The staff map's first paint on a slow line: its files bundled as the pre-check's,
    tabs.js alone in the head (a classic script, so a tab works from the first paint)."""
    client = TestClient(kupang_api.client.app, base_url="http://testserver")
    r = client.post("/staf/login", data={"key": kupang_api.keys["staff"]}, follow_redirects=False)
    assert r.status_code == 303
    html = client.get("/staf").text
    styles = [u.replace("&amp;", "&") for u in LINKS.findall(html)]
    scripts = [u.replace("&amp;", "&") for u in SCRIPTS.findall(html)]
    assert len(styles) == 1 and styles[0].startswith("/static/bundle/")
    assert scripts[0].startswith("/static/js/tabs.js?v=")
    assert len(scripts) == 2 and scripts[1].startswith("/static/bundle/")
    js = client.get(scripts[1])
    assert js.status_code == 200 and js.headers["cache-control"] == IMMUTABLE
    for path, _body in module_graph("js/staff.js"):
        assert f"__kkpr_modules['{path}']" in js.text
    assert "VectorGrid" in js.text
    assert client.get(styles[0]).headers["cache-control"] == IMMUTABLE


def test_a_worker_that_did_not_render_the_page_makes_the_bundle(kupang_api: Api) -> None:
    _styles, scripts = page_files(kupang_api)
    bundle.BUNDLES.by_name.clear()
    bundle.BUNDLES._made.clear()
    again = kupang_api.client.get(scripts[0])
    assert again.status_code == 200 and again.headers["cache-control"] == IMMUTABLE
    name = scripts[0].split("?")[0].rsplit("/", 1)[1]
    bundle.BUNDLES.by_name.clear()
    assert kupang_api.client.get(f"/static/bundle/{name}").status_code == 404  # no recipe


def test_files_one_by_one_when_bundling_is_off(kupang_dir: Path, tmp_path: Path) -> None:
    api = make_api(kupang_dir, tmp_path, bundle_assets=False)
    styles, scripts = page_files(api)
    assert len(styles) == 3 and len(scripts) == 4  # Leaflet, Leaflet.draw, VectorGrid, page
    assert scripts[-1].startswith("/static/js/precheck.js?v=")
    # a file asked by its content's hash is cached for good; by another, briefly
    assert api.client.get(scripts[-1]).headers["cache-control"] == IMMUTABLE
    stale = scripts[-1].split("?")[0] + "?v=0000"
    assert api.client.get(stale).headers["cache-control"] == "public, max-age=300"


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "js").mkdir()
    monkeypatch.setattr(bundle, "STATIC", tmp_path)
    monkeypatch.setattr(bundle, "BUNDLES", bundle.Bundles())
    return tmp_path


def test_modules_come_after_what_they_import_with_their_names(static: Path) -> None:
    (static / "js/a.js").write_text(
        'import { b, c as see } from "./b.js";\nimport * as all from "./c.js";\n'
        "export function a() { return b() + see + all.c; }\n"
    )
    (static / "js/b.js").write_text(
        'import { c } from "./c.js";\nexport async function b() { return c; }\n'
        "const hidden = 1;\nexport { c, hidden as shown };\n"
    )
    (static / "js/c.js").write_text("export const c = 2;\nexport class K {}\n")
    graph = dict(module_graph("js/a.js"))
    assert list(graph) == ["js/c.js", "js/b.js", "js/a.js"]
    assert "return { c, K };" in graph["js/c.js"]
    assert "const { c } = __kkpr_modules['js/c.js'];" in graph["js/b.js"]
    assert "return { b, c, shown: hidden };" in graph["js/b.js"]
    assert "const { b, c: see } = __kkpr_modules['js/b.js'];" in graph["js/a.js"]
    assert "const all = __kkpr_modules['js/c.js'];" in graph["js/a.js"]
    assert "export" not in " ".join(graph.values())


@pytest.mark.parametrize(
    "source",
    [
        "export default function () {}\n",
        "export let counter = 0;\n",
        'const m = await import("./c.js");\n',
        "console.log(import.meta.url);\n",
        'import thing from "./c.js";\n',
        'import { x } from "https://example.org/x.js";\n',
    ],
)
def test_what_the_bundler_does_not_read_is_refused(static: Path, source: str) -> None:
    (static / "js/c.js").write_text("export const c = 2;\n")
    (static / "js/a.js").write_text(source)
    with pytest.raises(BundleError):
        module_graph("js/a.js")


def test_an_import_cycle_is_refused_and_the_page_gets_its_files(static: Path) -> None:
    (static / "js/a.js").write_text('import { b } from "./b.js";\nexport const a = 1;\n')
    (static / "js/b.js").write_text('import { a } from "./a.js";\nexport const b = 1;\n')
    with pytest.raises(BundleError, match="cycle"):
        script_bundle([], "js/a.js")
    tags = str(bundle.template_globals(True)["bundle_js"]([], "js/a.js"))  # type: ignore[operator]
    assert '<script type="module" src="/static/js/a.js?v=' in tags


def test_stylesheets_keep_their_images(static: Path) -> None:
    (static / "vendor/x").mkdir(parents=True)
    (static / "vendor/x/x.css").write_text(
        ".a { background: url(images/a.png); }\n.b { background: url('data:image/png;base64,AA'); }\n"
        ".c { background: url(/static/c.png); }\n"
    )
    css = style_bundle(["vendor/x/x.css"]).body.decode()
    assert 'url("/static/vendor/x/images/a.png")' in css
    assert "url('data:image/png;base64,AA')" in css and "url(/static/c.png)" in css
