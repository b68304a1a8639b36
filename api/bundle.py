"""One script and one stylesheet per page, made from the files the page names.

On a slow phone line (Chrome's "Fast 3G": 562 ms a round trip) every request costs,
and a browser opens at most six connections to a host: twenty files of a page queue
behind each other. A page template names its files (``bundle_css`` and ``bundle_js``
in :func:`template_globals`); they are served as one minified file each, under a
content-hashed URL (``/static/bundle/<hash>.js``) cached as immutable, made in Python
when the page is first rendered (and again when a file changes): no build step and no
Node.js at run time.

The script bundle is a classic ``defer`` script: the vendored scripts as they are,
then the page's ES module and every module it imports (``./name.js``, transitively),
each module wrapped in an async function whose imports become constants read from the
modules before it, in dependency order. What a module may use is what the pages' own
modules use: ``import {a, b as c} from "./x.js"``, ``import * as x from "./x.js"``,
``export`` before ``function``, ``async function``, ``class`` or ``const``, and
``export {a, b as c}``. Anything else (``export default``, ``export let``, a dynamic
``import()``, ``import.meta``, an import cycle) is a :class:`BundleError`, and the page
is served its files one by one, as before (the tests fail on it, so it is seen).

Other files are served under ``/static/<path>?v=<hash>`` by :func:`asset_url`, and
cached as immutable when the hash matches (``api.routers.pages.static_file``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode

import rcssmin
import rjsmin
from markupsafe import Markup

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
BUNDLE_PREFIX = "/static/bundle/"
IMMUTABLE = "public, max-age=31536000, immutable"
HASH_CHARS = 16

IMPORT = re.compile(
    r"^[ \t]*import\s+(?P<what>[^;'\"]*?)\s*from\s*(?P<q>['\"])(?P<src>[^'\"]+)(?P=q)\s*;?",
    re.M,
)
BARE_IMPORT = re.compile(r"^[ \t]*import\s*(['\"])(?P<src>[^'\"]+)\1\s*;?", re.M)
EXPORT_DECL = re.compile(
    r"^(?P<indent>[ \t]*)export\s+(?P<kind>(?:async\s+)?function\s*\*?|class|const)\s+(?P<name>[\w$]+)",
    re.M,
)
EXPORT_LIST = re.compile(r"^[ \t]*export\s*\{(?P<names>[^}]*)\}\s*;?", re.M)
UNSUPPORTED = (
    (re.compile(r"^[ \t]*export\s+default\b", re.M), "export default"),
    (re.compile(r"^[ \t]*export\s+(?:let|var)\b", re.M), "export let/var (a live binding)"),
    (re.compile(r"^[ \t]*export\s*\*", re.M), "export * from"),
    (re.compile(r"\bimport\s*\("), "a dynamic import()"),
    (re.compile(r"\bimport\.meta\b"), "import.meta"),
)
CSS_URL = re.compile(r"url\(\s*(?P<q>['\"]?)(?P<url>[^'\")]+)(?P=q)\s*\)")
REGISTRY = "__kkpr_modules"


class BundleError(ValueError):
    """A page's files cannot be bundled: they are served one by one instead."""


@dataclass(frozen=True)
class Bundle:
    name: str  # "<hash>.js" or "<hash>.css"
    body: bytes
    media_type: str
    sources: tuple[str, ...]  # every file read, as static paths
    recipe: str  # what it is made of, as a query string: another worker can make it too

    @property
    def url(self) -> str:
        return f"{BUNDLE_PREFIX}{self.name}?{self.recipe}"


def static_path(path: str) -> Path:
    target = (STATIC / path).resolve()
    if not target.is_relative_to(STATIC) or not target.is_file():
        raise BundleError(f"no static file {path}")
    return target


# ---------------------------------------------------------------- ES modules


def _resolve(importer: str, src: str) -> str:
    if not src.startswith("./") and not src.startswith("../"):
        raise BundleError(f"{importer}: only relative imports are bundled, not {src!r}")
    joined = PurePosixPath(importer).parent / src
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                raise BundleError(f"{importer}: {src!r} leaves the static folder")
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _bindings(what: str, module: str, where: str) -> str:
    """``import <what> from`` as a constant declaration reading ``module``'s exports."""
    source = f"{REGISTRY}[{module!r}]"
    what = what.strip()
    star = re.fullmatch(r"\*\s+as\s+([\w$]+)", what)
    if star:
        return f"const {star.group(1)} = {source};"
    names = re.fullmatch(r"\{(?P<names>[^}]*)\}", what)
    if not names:
        raise BundleError(f"{where}: import {what} from {module!r} (a default import)")
    pairs = []
    for item in names.group("names").split(","):
        item = item.strip()
        if not item:
            continue
        m = re.fullmatch(r"([\w$]+)(?:\s+as\s+([\w$]+))?", item)
        if not m:
            raise BundleError(f"{where}: cannot read the import {item!r}")
        pairs.append(m.group(1) if not m.group(2) else f"{m.group(1)}: {m.group(2)}")
    return f"const {{ {', '.join(pairs)} }} = {source};"


def _module(path: str, text: str) -> tuple[str, list[str]]:
    """One module as a function body returning its exports, and the modules it imports."""
    for pattern, what in UNSUPPORTED:
        if pattern.search(text):
            raise BundleError(f"{path}: {what} is not bundled")
    deps: list[str] = []
    head: list[str] = []

    def take_import(m: re.Match[str]) -> str:
        dep = _resolve(path, m.group("src"))
        deps.append(dep)
        head.append(_bindings(m.group("what"), dep, path))  # imports are hoisted: first
        return ""

    def take_bare(m: re.Match[str]) -> str:
        deps.append(_resolve(path, m.group("src")))
        return ""

    body = IMPORT.sub(take_import, text)
    body = BARE_IMPORT.sub(take_bare, body)
    exports: list[str] = []

    def take_decl(m: re.Match[str]) -> str:
        exports.append(m.group("name"))
        return f"{m.group('indent')}{m.group('kind')} {m.group('name')}"

    def take_list(m: re.Match[str]) -> str:
        for item in m.group("names").split(","):
            item = item.strip()
            if not item:
                continue
            named = re.fullmatch(r"([\w$]+)(?:\s+as\s+([\w$]+))?", item)
            if not named:
                raise BundleError(f"{path}: cannot read the export {item!r}")
            local, public = named.group(1), named.group(2) or named.group(1)
            exports.append(local if local == public else f"{public}: {local}")
        return ""

    body = EXPORT_DECL.sub(take_decl, body)
    body = EXPORT_LIST.sub(take_list, body)
    if re.search(r"^[ \t]*(?:import|export)\b(?!\s*\()", body, re.M):
        raise BundleError(f"{path}: an import or export the bundler does not read")
    wrapped = "\n".join(head) + "\n" + body + f"\nreturn {{ {', '.join(exports)} }};"
    return wrapped, deps


def module_graph(entry: str) -> list[tuple[str, str]]:
    """``entry`` and every module it imports, each after the modules it imports:
    ``[(path, wrapped body)]``."""
    done: dict[str, str] = {}
    visiting: list[str] = []

    def visit(path: str) -> None:
        if path in done:
            return
        if path in visiting:
            cycle = " → ".join([*visiting[visiting.index(path) :], path])
            raise BundleError(f"an import cycle: {cycle}")
        visiting.append(path)
        body, deps = _module(path, static_path(path).read_text(encoding="utf-8"))
        for dep in deps:
            visit(dep)
        visiting.pop()
        done[path] = body

    visit(entry)
    return list(done.items())


def script_bundle(scripts: list[str], module: str | None) -> Bundle:
    parts = []
    sources = list(scripts)
    for path in scripts:  # vendored, minified already: as they are, licences kept
        parts.append(f"/* {path} */\n{static_path(path).read_text(encoding='utf-8')}\n;")
    if module:
        graph = module_graph(module)
        sources += [path for path, _body in graph]
        app = [f"const {REGISTRY} = {{}};"]
        for path, wrapped in graph:
            app.append(f"{REGISTRY}[{path!r}] = await (async () => {{\n{wrapped}\n}})();")
        # strict, as a module is; an error still reaches the console as uncaught
        program = '(async () => {\n"use strict";\n' + "\n".join(app) + "\n})();"
        parts.append(rjsmin.jsmin(program))
    body = "\n".join(parts).encode("utf-8")
    recipe = urlencode({"s": ",".join(scripts), "m": module or ""})
    return Bundle(
        _hashed(body, "js"), body, "text/javascript; charset=utf-8", tuple(sources), recipe
    )


# ---------------------------------------------------------------- CSS


def _css_urls(path: str, text: str) -> str:
    """Relative ``url()``s (Leaflet's images) made absolute, as seen from the file."""

    def absolute(m: re.Match[str]) -> str:
        url = m.group("url").strip()
        if re.match(r"^(?:[a-z]+:|/|#)", url, re.I):
            return m.group(0)
        return f'url("/static/{_resolve(path, "./" + url)}")'

    return CSS_URL.sub(absolute, text)


def style_bundle(styles: list[str]) -> Bundle:
    text = "\n".join(
        _css_urls(path, static_path(path).read_text(encoding="utf-8")) for path in styles
    )
    body = rcssmin.cssmin(text, keep_bang_comments=True).encode("utf-8")
    recipe = urlencode({"s": ",".join(styles)})
    return Bundle(_hashed(body, "css"), body, "text/css; charset=utf-8", tuple(styles), recipe)


def _hashed(body: bytes, ext: str) -> str:
    return f"{hashlib.sha256(body).hexdigest()[:HASH_CHARS]}.{ext}"


# ---------------------------------------------------------------- what pages ask for


class Bundles:
    """The bundles made so far, by name, remade when a file they read has changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[tuple[str, ...], tuple[tuple[float, ...], Bundle]] = {}
        self.by_name: dict[str, Bundle] = {}
        self._hashes: dict[str, tuple[float, str]] = {}

    def get(self, key: tuple[str, ...], make: Callable[[], Bundle]) -> Bundle:
        with self._lock:
            made = self._made.get(key)
            if made is not None and made[0] == _stamps(made[1].sources):
                return made[1]
        bundle = make()
        with self._lock:
            self._made[key] = (_stamps(bundle.sources), bundle)
            self.by_name[bundle.name] = bundle
        return bundle

    def file_hash(self, path: str) -> str:
        target = static_path(path)
        stamp = target.stat().st_mtime
        known = self._hashes.get(path)
        if known and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(target.read_bytes()).hexdigest()[:HASH_CHARS]
        self._hashes[path] = (stamp, digest)
        return digest


def _stamps(paths: tuple[str, ...]) -> tuple[float, ...]:
    try:
        return tuple(static_path(p).stat().st_mtime for p in paths)
    except BundleError:
        return ()


BUNDLES = Bundles()


def bundle_named(name: str, scripts: str = "", module: str = "") -> Bundle:
    """The bundle ``name``, made here from its recipe (``s``, ``m`` of its URL) when this
    process has not made it yet (another worker rendered the page)."""
    known = BUNDLES.by_name.get(name)
    if known is not None:
        return known
    files = [f for f in scripts.split(",") if f]
    if not files and not module:
        raise BundleError(f"no bundle {name}, and no files named to make it")
    if name.endswith(".css"):
        return BUNDLES.get(("css", *files), lambda: style_bundle(files))
    if name.endswith(".js"):
        key = ("js", *files, f"module:{module or None}")
        return BUNDLES.get(key, lambda: script_bundle(files, module or None))
    raise BundleError(f"no bundle {name}")


def asset_url(path: str) -> str:
    """``/static/<path>?v=<hash of its content>``: cached for good, new when it changes."""
    try:
        return f"/static/{path}?v={BUNDLES.file_hash(path)}"
    except BundleError:
        return f"/static/{path}"


def template_globals(enabled: bool) -> dict[str, object]:
    """``asset``, ``bundle_css`` and ``bundle_js`` for the page templates. With
    ``enabled`` false (``KKPR_BUNDLE_ASSETS=false``) the files are linked one by one."""

    def css_tags(styles: list[str]) -> Markup:
        if enabled:
            try:
                b = BUNDLES.get(("css", *styles), lambda: style_bundle(styles))
                return Markup('<link rel="stylesheet" href="{}">').format(b.url)
            except BundleError as exc:
                log.warning("stylesheets served one by one: %s", exc)
        return Markup("\n").join(
            Markup('<link rel="stylesheet" href="{}">').format(asset_url(p)) for p in styles
        )

    def js_tags(scripts: list[str], module: str | None = None) -> Markup:
        if enabled:
            try:
                key = ("js", *scripts, f"module:{module}")
                b = BUNDLES.get(key, lambda: script_bundle(scripts, module))
                return Markup('<script defer src="{}"></script>').format(b.url)
            except BundleError as exc:
                log.warning("scripts served one by one: %s", exc)
        tags = [Markup('<script defer src="{}"></script>').format(asset_url(p)) for p in scripts]
        if module:
            tags.append(
                Markup('<script type="module" src="{}"></script>').format(asset_url(module))
            )
        return Markup("\n").join(tags)

    return {"asset": asset_url, "bundle_css": css_tags, "bundle_js": js_tags}
