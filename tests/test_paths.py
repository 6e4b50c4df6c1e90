from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import platformdirs
import pytest

from detainer_desk import paths as paths_module
from detainer_desk.paths import (
    AppPaths,
    DataDirError,
    ResourceNotFoundError,
    ensure_data_dir,
    resolve_paths,
    resource_dir,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_explicit_argument_wins_over_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "from-arg"
    env = {"DETAINER_DESK_HOME": str(tmp_path / "from-env")}

    resolved = resolve_paths(chosen, environ=env)

    assert resolved.data_dir == chosen
    assert resolved.database_file == chosen / "detainer-desk.sqlite3"
    assert resolved.log_dir == chosen / "logs"
    assert resolved.backups_dir.parent == chosen


def test_environment_used_when_no_argument(tmp_path: Path) -> None:
    env = {"DETAINER_DESK_HOME": str(tmp_path / "from-env")}

    resolved = resolve_paths(None, environ=env)

    assert resolved.data_dir == tmp_path / "from-env"
    assert resolved.database_file == tmp_path / "from-env" / "detainer-desk.sqlite3"


def test_platformdirs_default_when_nothing_given() -> None:
    resolved = resolve_paths(None, environ={})

    expected = Path(platformdirs.user_data_dir("DetainerDesk", "DetainerDesk"))
    assert resolved.data_dir == expected
    assert resolved.database_file == expected / "detainer-desk.sqlite3"


def test_blank_environment_variable_is_ignored() -> None:
    resolved = resolve_paths(None, environ={"DETAINER_DESK_HOME": "  "})

    assert resolved.data_dir == Path(platformdirs.user_data_dir("DetainerDesk", "DetainerDesk"))


def test_relative_and_home_paths_become_absolute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/officer")
    monkeypatch.setenv("USERPROFILE", "/home/officer")

    assert resolve_paths("~/desk", environ={}).data_dir == Path("/home/officer/desk").absolute()
    assert resolve_paths("desk", environ={}).data_dir == Path.cwd() / "desk"


def test_app_paths_is_immutable(tmp_path: Path) -> None:
    resolved = resolve_paths(tmp_path, environ={})

    with pytest.raises(AttributeError):
        resolved.data_dir = tmp_path / "elsewhere"  # type: ignore[misc]


def test_ensure_data_dir_creates_folders(tmp_path: Path) -> None:
    resolved = resolve_paths(tmp_path / "new" / "nested", environ={})

    ensure_data_dir(resolved)

    assert resolved.data_dir.is_dir()
    assert resolved.log_dir.is_dir()
    assert resolved.backups_dir.is_dir()
    assert not resolved.database_file.exists()
    # The write check leaves nothing behind.
    assert set(resolved.data_dir.iterdir()) == {resolved.log_dir, resolved.backups_dir}


def test_ensure_data_dir_is_idempotent(tmp_path: Path) -> None:
    resolved = resolve_paths(tmp_path, environ={})

    ensure_data_dir(resolved)
    ensure_data_dir(resolved)

    assert resolved.log_dir.is_dir()


def test_ensure_data_dir_on_a_file_says_so_plainly(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")

    with pytest.raises(DataDirError) as caught:
        ensure_data_dir(resolve_paths(a_file, environ={}))

    message = str(caught.value)
    assert message.startswith(f"Cannot use {a_file} as the data folder")
    assert "is a file" in message
    assert "Traceback" not in message
    assert "Errno" not in message
    assert a_file.read_text() == "x"


def test_ensure_data_dir_below_a_file_says_so_plainly(tmp_path: Path) -> None:
    a_file = tmp_path / "blocker"
    a_file.write_text("x")

    with pytest.raises(DataDirError) as caught:
        ensure_data_dir(resolve_paths(a_file / "desk", environ={}))

    assert "is a file, not a folder" in str(caught.value)
    assert "Errno" not in str(caught.value)


@pytest.mark.skipif(
    sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="needs POSIX permissions that bind the current user (root ignores them)",
)
def test_ensure_data_dir_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(DataDirError) as caught:
            ensure_data_dir(resolve_paths(locked / "desk", environ={}))
    finally:
        locked.chmod(0o700)

    assert "permission denied" in str(caught.value)


def test_ensure_data_dir_permission_denied_on_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same refusal as above, for when the suite runs as root (chmod binds nobody).
    target = tmp_path / "desk"

    def refuse(self: Path, *_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)

    with pytest.raises(DataDirError) as caught:
        ensure_data_dir(resolve_paths(target, environ={}))

    assert str(caught.value) == (
        f"Cannot use {target} as the data folder: permission denied when creating {target}."
    )


def test_ensure_data_dir_reports_unwritable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for a read-only share, which root cannot be kept out of with chmod.
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)  # the module paths uses

    with pytest.raises(DataDirError) as caught:
        ensure_data_dir(resolve_paths(tmp_path, environ={}))

    assert str(caught.value) == (
        f"Cannot use {tmp_path} as the data folder: permission denied when writing to it."
    )


@pytest.mark.parametrize("name", ["forms", "migrations"])
def test_resource_dir_finds_source_tree_folders(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)

    found = resource_dir(name)

    assert found == REPO_ROOT / name
    assert found.is_dir()


@pytest.mark.parametrize("name", ["forms", "migrations"])
def test_resource_dir_prefers_frozen_bundle(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / name).mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    assert resource_dir(name) == tmp_path / name


def test_resource_dir_missing_everywhere_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An empty bundle and a package file whose parent has no resource folders.
    fake_package = tmp_path / "site" / "detainer_desk"
    fake_package.mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    monkeypatch.setattr(paths_module, "__file__", str(fake_package / "paths.py"))

    with pytest.raises(ResourceNotFoundError, match="migrations folder is missing"):
        resource_dir("migrations")


def test_resource_dir_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown resource folder"):
        resource_dir("../etc")


def test_nothing_is_resolved_at_import_time() -> None:
    module_values = vars(paths_module).values()

    assert not any(isinstance(value, AppPaths | Path) for value in module_values)
