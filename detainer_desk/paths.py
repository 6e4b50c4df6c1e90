"""Where Detainer Desk keeps its data, and where it finds its bundled resources.

Nothing here runs at import time: the composition root calls :func:`resolve_paths`
once, then :func:`ensure_data_dir`, and hands the resulting :class:`AppPaths` on.

The data folder is chosen, in order of precedence, from

1. the explicit argument (the ``--data-dir`` command-line option),
2. the ``DETAINER_DESK_HOME`` environment variable (so an IT department can point
   every workstation at the same place without editing shortcuts),
3. the per-user data folder that :mod:`platformdirs` reports for this platform.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "DetainerDesk"
APP_AUTHOR = "DetainerDesk"
HOME_ENV_VAR = "DETAINER_DESK_HOME"
DATABASE_FILENAME = "detainer-desk.sqlite3"

# Top-level folders shipped next to the package in a checkout and inside a frozen bundle.
KNOWN_RESOURCES = ("forms", "migrations")


class DataDirError(Exception):
    """The data folder cannot be used. The message is plain words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ResourceNotFoundError(Exception):
    """A bundled resource folder is missing: the installation is incomplete."""


@dataclass(frozen=True)
class AppPaths:
    """Every location the application writes to, derived from one data folder."""

    data_dir: Path
    database_file: Path
    log_dir: Path
    backups_dir: Path

    @classmethod
    def under(cls, data_dir: Path) -> AppPaths:
        return cls(
            data_dir=data_dir,
            database_file=data_dir / DATABASE_FILENAME,
            log_dir=data_dir / "logs",
            backups_dir=data_dir / "backups",
        )


def _as_absolute(value: str | os.PathLike[str]) -> Path:
    # absolute(), not resolve(): keep the user's symlinks as they typed them.
    return Path(value).expanduser().absolute()


def resolve_paths(
    data_dir: str | os.PathLike[str] | None,
    environ: Mapping[str, str] = os.environ,
) -> AppPaths:
    """Choose the data folder (argument, then environment, then platform default)."""
    if data_dir is not None and str(data_dir).strip():
        chosen = _as_absolute(data_dir)
    elif environ.get(HOME_ENV_VAR, "").strip():
        chosen = _as_absolute(environ[HOME_ENV_VAR].strip())
    else:
        chosen = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return AppPaths.under(chosen)


def ensure_data_dir(paths: AppPaths) -> tuple[str, ...]:
    """Create the data folder and its subfolders, private to this account, and prove it
    can be written to. Returns what the user should be told (an older installation's
    folder made private, or files in it that could not be).

    The data folder holds every record (criminal-justice information), the password
    hashes, the logs, the backups and the checkpoint key: it is 0700 and everything in it
    0600, whatever the umask. A folder left readable by an older version is tightened here,
    at every start, and the user told once. Raises :class:`DataDirError` with a message fit
    to show the user as it is.
    """
    for folder in (paths.data_dir, paths.log_dir, paths.backups_dir):
        _make_folder(folder, data_dir=paths.data_dir)
    _check_writable(paths.data_dir)
    return _tighten(paths.data_dir)


def _tighten(data_dir: Path) -> tuple[str, ...]:
    from detainer_desk.adapters.files import tighten

    changed, refused = tighten(data_dir)
    notices = []
    if changed:
        notices.append(
            f"the data folder {data_dir} could be read by other accounts on this computer; "
            f"it is now private to your account ({len(changed)} files and folders made "
            "readable by you only)."
        )
    if refused:
        notices.append(
            f"{len(refused)} files in the data folder {data_dir} can be read by other "
            "accounts on this computer and could not be made private, because they belong "
            f"to another account (for example {refused[0]}). Ask IT to give them to your "
            "account or make them readable by their owner only."
        )
    return tuple(notices)


def _make_folder(folder: Path, *, data_dir: Path) -> None:
    from detainer_desk.adapters.files import make_private_folder

    prefix = f"Cannot use {data_dir} as the data folder"
    if folder.exists() and not folder.is_dir():
        raise DataDirError(f"{prefix}: {folder} is a file, not a folder.")
    try:
        make_private_folder(folder, parents=True)
    except FileExistsError as exc:
        # A file stands where a folder should be (the folder itself or a parent).
        raise DataDirError(f"{prefix}: {_name_of(exc, folder)} is a file, not a folder.") from exc
    except NotADirectoryError as exc:
        raise DataDirError(f"{prefix}: part of the path {folder} is a file, not a folder.") from exc
    except PermissionError as exc:
        raise DataDirError(
            f"{prefix}: permission denied when creating {_name_of(exc, folder)}."
        ) from exc
    except OSError as exc:
        raise DataDirError(f"{prefix}: {_reason(exc)}.") from exc


def _check_writable(data_dir: Path) -> None:
    # os.access() is unreliable (network shares, ACLs, running as root), so try it.
    prefix = f"Cannot use {data_dir} as the data folder"
    try:
        with tempfile.TemporaryFile(dir=data_dir, prefix=".write-check-"):
            pass
    except PermissionError as exc:
        raise DataDirError(f"{prefix}: permission denied when writing to it.") from exc
    except OSError as exc:
        raise DataDirError(f"{prefix}: it cannot be written to ({_reason(exc)}).") from exc


def _name_of(exc: OSError, fallback: Path) -> str:
    return str(exc.filename) if exc.filename else str(fallback)


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def recovery_problem(data_dir: Path, database: Path) -> str | None:
    """Why this operating-system account may not recover an administrator's account
    (``users recover``), or None when it may: it must own the data folder and the SQLite
    file, which it could change at will anyway. On Windows, where files have no single
    owning account in this sense, it must be able to write the database file (what the
    folder's access list grants)."""
    if os.name != "posix":
        if os.access(database, os.W_OK):
            return None
        return f"this account cannot write the database {database}, so it may not recover one"
    me = os.geteuid()
    for what, path in (("data folder", data_dir), ("database", database)):
        try:
            owner = path.stat().st_uid
        except OSError as exc:
            return f"the {what} {path} cannot be examined ({_reason(exc)})"
        if owner != me:
            return (
                f"only the operating-system account that owns the {what} {path} "
                f"({_account_name(owner)}) may recover an account; this is "
                f"{_account_name(me)}. Run the command as that account."
            )
    return None


def current_account_name() -> str:
    """The operating-system account running the program (from its user id on POSIX, not
    from the environment, which anyone can set)."""
    if os.name == "posix":
        return _account_name(os.geteuid())
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _account_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user id {uid}"


def resource_dir(name: str) -> Path:
    """Return the top-level resource folder *name* (``forms`` or ``migrations``).

    In a PyInstaller bundle the folders sit under ``sys._MEIPASS``; in a source
    checkout they sit at the repository root, the parent of the package folder.
    """
    if name not in KNOWN_RESOURCES:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {KNOWN_RESOURCES}")
    candidates: list[Path] = []
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root is not None:
        candidates.append(Path(bundle_root) / name)
    candidates.append(Path(__file__).resolve().parent.parent / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise ResourceNotFoundError(
        f"The {name} folder is missing from this installation (looked in {searched}). "
        "Reinstall Detainer Desk."
    )
