"""The files the app reads at run time (the sample tables, the icon) are package data: found
through importlib.resources, and declared in pyproject.toml so a wheel carries them. Building a
wheel is left to .ci/run, which installs one in a fresh environment and opens every table."""
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

import numpy as np

from nnviz.data import csvdata, csvread
from ui import data_actions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ROWS = {"breast_cancer.csv": 569, "diabetes.csv": 442, "iris_petals.csv": 100, "iris.csv": 150}


def _declared_package_data() -> set[Path]:
    """Every file matched by ``[tool.setuptools.package-data]``, globbed the way setuptools does
    (each pattern relative to its package's folder)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = set()
    for package, patterns in config["tool"]["setuptools"]["package-data"].items():
        folder = ROOT.joinpath(*package.split("."))
        assert (folder / "__init__.py").is_file(), f"package-data names {package!r}, not a package"
        for pattern in patterns:
            declared |= {p.resolve() for p in folder.glob(pattern) if p.is_file()}
    return declared


def _shipped_non_python_files() -> set[Path]:
    """Every file in the packages that is not Python source (what must be package data)."""
    found = set()
    for top in ("nnviz", "ui"):
        for p in (ROOT / top).rglob("*"):
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts:
                found.add(p.resolve())
    return found


def _names(paths) -> str:
    return ", ".join(sorted(p.relative_to(ROOT).as_posix() for p in paths))


def test_samples_table_lists_exactly_the_bundled_files():
    assert [f for f, _, _ in data_actions.SAMPLES] == list(SAMPLE_ROWS)
    folder = files("nnviz.data") / "samples"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv")) == sorted(SAMPLE_ROWS)


@pytest.mark.parametrize("file, target", [(f, t) for f, t, _ in data_actions.SAMPLES])
def test_sample_tables_are_found_through_importlib_resources(file, target):
    resource = files("nnviz.data") / "samples" / file
    assert resource.is_file()
    lines = resource.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[-1] == target                     # the target is the last column
    assert len(lines) - 1 == SAMPLE_ROWS[file]
    # The app's own path to the folder is the same resource.
    assert Path(data_actions.DATASETS / file).resolve() == Path(str(resource)).resolve()
    ds = csvdata.load_dataset(data_actions.DATASETS / file, target)
    assert ds.n_samples == SAMPLE_ROWS[file]
    # The app opens a sample with its format given, not guessed: the guess must agree.
    assert csvread.sniff(data_actions.DATASETS / file) == data_actions.SAMPLE_FORMAT
    given = csvdata.load_dataset(data_actions.DATASETS / file, target, fmt=data_actions.SAMPLE_FORMAT)
    np.testing.assert_array_equal(given.X, ds.X)
    np.testing.assert_array_equal(given.y, ds.y)


def test_sample_readme_gives_every_table_a_source_and_a_licence():
    text = (files("nnviz.data") / "samples" / "README.md").read_text(encoding="utf-8")
    for file in SAMPLE_ROWS:
        assert f"## {file}" in text
    assert text.count("Licence:") >= len(SAMPLE_ROWS)


def test_icon_is_found_through_importlib_resources():
    svg = (files("ui") / "icons" / "nnviz.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg ")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert svg.rstrip().endswith("</svg>")


def test_app_icon_is_drawn_at_every_size(qapp):
    from ui.main_window import ICON_SIZES, app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)
    image = icon.pixmap(64, 64).toImage()
    assert (image.width(), image.height()) == (64, 64)
    # Drawn, not blank: the corners are transparent, the middle is not.
    assert image.pixelColor(0, 0).alpha() == 0 and image.pixelColor(32, 32).alpha() == 255


def test_pyproject_declares_the_runtime_files_as_package_data():
    declared = _declared_package_data()
    needed = {(ROOT / "nnviz" / "data" / "samples" / f).resolve()
              for f in (*SAMPLE_ROWS, "README.md")}
    needed.add((ROOT / "ui" / "icons" / "nnviz.svg").resolve())
    assert needed <= declared, f"not in package-data: {_names(needed - declared)}"


def test_every_non_python_file_in_the_packages_is_declared():
    """A file added next to the code but not to package-data would be missing from a wheel."""
    missing = _shipped_non_python_files() - _declared_package_data()
    assert not missing, f"add to [tool.setuptools.package-data]: {_names(missing)}"
