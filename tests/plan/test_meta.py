"""plan.toml: every value checked, every bad one refused with its key and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kkpr.errors import PlanError
from kkpr.plan.meta import read_meta, valid_plan_id
from kkpr.plan.validate import validate_dir

HEAD = 'id = "mini"\nname = "Uji"\ncrs = "EPSG:32751"\n'
RASTER = '[[raster]]\nid = "banjir"\n'


def write_toml(root: Path, text: str | bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "plan.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


@pytest.mark.parametrize(
    ("toml", "key", "line"),
    [
        (HEAD + RASTER + 'threshold = "high"\n', "raster.threshold", 6),
        (HEAD + '[tolerance]\nsliver_m2 = "lima"\n', "tolerance.sliver_m2", 5),
        (HEAD + "[tolerance]\nsliver_share = 3\n", "tolerance.sliver_share", 5),
        (HEAD + "tolerance = 5\n", "tolerance", 4),
        (HEAD + '[raster]\nid = "banjir"\n', "raster", 4),
        (HEAD + '[[raster]]\npath = "a.tif"\n', "raster.id", None),
        (HEAD + '[overlay]\nKRB = "X"\n', "overlay.KRB", 5),
        (HEAD + '[overlay.KRB]\nefek = "forbid"\n', "overlay.KRB.efek", 5),
        (HEAD + RASTER + 'kind = "slope"\n', "raster.kind", None),
        (HEAD + RASTER + 'path = "../../etc/passwd"\n', "raster.path", None),
        (HEAD + 'effective_from = "kemarin"\n', "effective_from", 4),
        (HEAD + '[flags]\nnone = "Tidak Ada"\n', "flags.none", 5),
        (HEAD + '[tolerance]\ngaps = "strict"\n', "tolerance.gaps", 5),
        ('id = "mini"\nname = ["Uji"]\ncrs = "EPSG:32751"\n', "name", 2),
    ],
)
def test_a_bad_value_is_refused_with_its_key_and_line(
    tmp_path: Path, toml: str, key: str, line: int | None
) -> None:
    root = write_toml(tmp_path / "p", toml)
    with pytest.raises(PlanError) as caught:
        read_meta(root)
    problems = caught.value.problems
    assert problems, caught.value.text
    assert any(f"plan.toml {key}" in p.message_en for p in problems), [
        p.message_en for p in problems
    ]
    if line is not None:
        assert any(p.row == line for p in problems), [(p.row, p.message_en) for p in problems]
    # validate_dir reports the same problems, not a single "unreadable"
    _plan, reported = validate_dir(root)
    assert [p.message_en for p in reported] == [p.message_en for p in problems]


@pytest.mark.parametrize(
    "plan_id", ["../../../../tmp/x", "a/b", "..", "Kupang RDTR", "x" * 65, "-a", "a.", ""]
)
def test_a_plan_id_must_be_a_slug(tmp_path: Path, plan_id: str) -> None:
    root = write_toml(tmp_path / "p", f'id = "{plan_id}"\nname = "Uji"\ncrs = "EPSG:32751"\n')
    with pytest.raises(PlanError):
        read_meta(root)
    assert not valid_plan_id(plan_id)


@pytest.mark.parametrize("plan_id", ["mini", "kupang-rdtr", "rdtr_bintan_2025", "a", "53-71"])
def test_slugs_are_plan_ids(plan_id: str) -> None:
    assert valid_plan_id(plan_id)


def test_a_toml_syntax_error_and_a_non_utf8_file_are_plan_errors(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="line 2"):
        read_meta(write_toml(tmp_path / "a", 'id = "x"\nname = \n'))
    with pytest.raises(PlanError, match="UTF-8"):
        read_meta(write_toml(tmp_path / "b", 'id = "x"\nname = "Kota \xe9"\n'.encode("cp1252")))


def test_the_settings_of_a_good_plan_are_read(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = tmp_path / "good"
    shutil.copytree(mini_plan_dir, root)
    with (root / "plan.toml").open("a") as f:
        f.write('gaps = "error"\n[fields]\nkodszn = "SIMBOL"\n[flags]\nnone = ["Nihil"]\n')
    meta = read_meta(root)
    assert (meta.id, meta.tolerance.sliver_m2, meta.tolerance.gaps) == ("mini", 5.0, "error")
    assert (meta.kodszn_field, meta.flag_none) == ("SIMBOL", ("Nihil",))


def test_unknown_keys_are_warnings_with_their_line(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = tmp_path / "typo"
    shutil.copytree(mini_plan_dir, root)
    text = (root / "plan.toml").read_text().replace("[tolerance]", "[tolerence]")
    (root / "plan.toml").write_text(text + '[fields]\nkodzsn = "SIMBOL"\n')
    plan, problems = validate_dir(root)
    assert plan is not None
    said = [(p.code, p.severity, p.row, p.message_en) for p in problems]
    assert said == [
        ("plan_toml.unknown_key", "warning", 7,
         "plan.toml tolerence is not a known key and is ignored (a typo?)"),
        ("plan_toml.unknown_key", "warning", 11,
         "plan.toml fields.kodzsn is not a known key and is ignored (a typo?)"),
    ]  # fmt: skip


def test_every_key_kkpr_reads_is_known(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = tmp_path / "all"
    shutil.copytree(mini_plan_dir, root)
    with (root / "plan.toml").open("a") as f:
        f.write(
            'gaps = "warning"\n[fields]\nkodszn = "KODSZN"\n[flags]\nnone = ["Tidak Ada"]\n'
            '[rules]\nmixed_intensity = "strictest"\nempty_cell = "X"\n'
            '[overlay.KRB]\nefek = "B"\n'
        )
    _plan, problems = validate_dir(root)
    assert [p.code for p in problems if p.code.startswith("plan_toml")] == []
