"""The locked dependency tree: pyproject.toml's pins, requirements/*.lock and what is installed from them.

Every pin in pyproject.toml (and requirements/build.in) is in the locks at its version, so editing
a dependency without `make lock` fails here; every lock entry is pinned and hash-checked; the
serving lock (the container image's) carries no training package.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from backend.core.paths import REPO_ROOT
from tests.support.locks import BUILD_IN, BUILD_LOCK, DEV_LOCK, SERVING_LOCK, Locked, header_command, read_lock

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
MAKEFILE = (REPO_ROOT / "Makefile").read_text()
SELF = canonicalize_name(PROJECT["name"])


def requirements(texts) -> list[Requirement]:
    """The requirements, less the package's own (the dev extra's `digit-recognizer[train]`)."""
    return [r for r in map(Requirement, texts) if canonicalize_name(r.name) != SELF]


BASE = requirements(PROJECT["dependencies"])
EXTRAS = {extra: requirements(texts) for extra, texts in PROJECT["optional-dependencies"].items()}
BUILD = requirements(line for line in BUILD_IN.read_text().splitlines() if line.strip() and not line.startswith("#"))
# What only training needs (the train extra, and TensorFlow by any name): never in the image that serves.
TRAINING = {canonicalize_name(r.name) for r in EXTRAS["train"]} | {"tensorflow", "tensorflow-cpu", "keras"}


@pytest.fixture(scope="module")
def serving() -> dict[str, Locked]:
    return read_lock(SERVING_LOCK)


@pytest.fixture(scope="module")
def dev() -> dict[str, Locked]:
    return read_lock(DEV_LOCK)


def pinned_version(requirement: Requirement) -> str | None:
    specifiers = list(requirement.specifier)
    return specifiers[0].version if len(specifiers) == 1 and specifiers[0].operator == "==" else None


def test_the_extras_split_training_from_serving():
    assert set(EXTRAS) == {"train", "dev"}
    assert f"{SELF}[train]" in [text.replace(" ", "") for text in PROJECT["optional-dependencies"]["dev"]]
    base = {canonicalize_name(r.name) for r in BASE}
    assert {"onnxruntime", "flask", "gunicorn", "sqlalchemy", "scipy"} <= base
    assert not base & TRAINING, "the server's dependencies need no TensorFlow"


def test_pyproject_pins_every_dependency_exactly():
    loose = [str(r) for r in [*BASE, *EXTRAS["train"], *EXTRAS["dev"], *BUILD] if pinned_version(r) is None]
    assert not loose, f"pin exactly (==): {loose}"


@pytest.mark.parametrize(
    ("lock", "pins"),
    [("serving", [*BASE, *BUILD]), ("dev", [*BASE, *EXTRAS["train"], *EXTRAS["dev"], *BUILD])],
)
def test_every_pin_is_in_the_lock_at_its_version(lock, pins, request):
    entries = request.getfixturevalue(lock)
    wrong = []
    for requirement in pins:
        entry = entries.get(canonicalize_name(requirement.name))
        if entry is None or entry.version != pinned_version(requirement):
            wrong.append(f"{requirement} (locked: {entry.version if entry else 'missing'})")
    assert not wrong, f"requirements/{lock}.lock is out of date, run `make lock`: {', '.join(wrong)}"


@pytest.mark.parametrize("path", [SERVING_LOCK, DEV_LOCK, BUILD_LOCK], ids=lambda path: path.name)
def test_every_lock_entry_is_pinned_and_hashed(path):
    entries = read_lock(path)
    if path != BUILD_LOCK:
        assert len(entries) > 20, "the lock holds the whole tree, not only pyproject.toml's pins"
    unpinned = [str(entry.requirement) for entry in entries.values() if entry.version is None]
    assert not unpinned, unpinned
    unhashed = [name for name, entry in entries.items() if not entry.hashes]
    assert not unhashed, unhashed
    malformed = [h for entry in entries.values() for h in entry.hashes if not re.fullmatch(r"sha256:[0-9a-f]{64}", h)]
    assert not malformed, malformed


def test_the_serving_lock_carries_no_training_package_and_what_it_has_is_what_dev_tested(serving, dev):
    assert {"onnxruntime", "flask", "gunicorn", "psycopg-binary", "setuptools", "pip"} <= set(serving)
    assert not set(serving) & TRAINING, sorted(set(serving) & TRAINING)
    assert not [name for name in serving if name.startswith(("tensorflow", "keras"))]
    # the image runs the very files the tests ran with: same versions, same hashes
    differ = [name for name, entry in serving.items() if name not in dev or dev[name] != entry]
    assert not differ, differ


@pytest.mark.parametrize(("path", "extra"), [(SERVING_LOCK, ""), (DEV_LOCK, "--extra dev ")], ids=["serving", "dev"])
def test_each_lock_says_it_was_written_by_make_lock_s_command(path, extra):
    (options,) = re.findall(r"^LOCK_OPTIONS\s*:=\s*(.+)$", MAKEFILE, re.M)
    expected = f"uv pip compile pyproject.toml requirements/build.in {extra}{options} -o requirements/{path.name}"
    assert header_command(path) == expected


def test_the_build_lock_is_build_in_alone_at_the_versions_the_other_locks_carry(serving, dev):
    """The build tools go in first (make venv, the Dockerfile): the very files the other locks name."""
    build = read_lock(BUILD_LOCK)
    assert set(build) == {canonicalize_name(r.name) for r in BUILD}
    for name, entry in build.items():
        assert serving[name] == entry and dev[name] == entry, name
    (options,) = re.findall(r"^LOCK_OPTIONS\s*:=\s*(.+)$", MAKEFILE, re.M)
    assert header_command(BUILD_LOCK) == f"uv pip compile requirements/build.in {options} -o requirements/build.lock"


def test_make_venv_installs_only_the_lock_hash_checked_and_reruns_when_it_changes():
    (rule,) = re.findall(r"^\$\(VENV\)/\.installed:(.*)$", MAKEFILE, re.M)
    assert set(rule.split()) == {"pyproject.toml", "requirements/build.lock", "requirements/dev.lock"}
    recipe = MAKEFILE.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    installs = [line.strip() for line in recipe.splitlines() if "pip install" in line]
    assert installs == [
        "$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/build.lock",
        "$(PY) -m pip install --quiet --require-hashes --no-deps --no-build-isolation -r requirements/dev.lock",
        "$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .",  # built by the locked setuptools
    ]


def test_this_environment_runs_the_locked_versions(dev):
    """The suite tests what the lock says: a stale environment (pyproject or the lock moved on) fails here."""
    wrong = []
    for name, entry in dev.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed == "missing" or Version(installed) != Version(entry.version):
            wrong.append(f"{name} {installed} (locked: {entry.version})")
    assert not wrong, f"run `make venv`: {', '.join(wrong)}"
