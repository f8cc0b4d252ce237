"""Scenario folders sent with Dask tasks, so that workers on other machines need no copy of them.

The client reads a scenario folder into a :class:`ScenarioBundle`: every file's relative path
and content, and a SHA-256 digest of both. A worker writes a bundle once per machine, under the
temporary folder in a sub-folder named by the digest, and loads the scenario from there. Equal
contents give the same folder, and a changed file gives a new one.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fpp.errors import FppError

__all__ = ["MAX_BUNDLE_BYTES", "ScenarioBundle", "bundle_scenario", "materialise_scenario"]

#: Largest scenario folder that is sent to workers [bytes].
MAX_BUNDLE_BYTES = 20 * 2**20


@dataclass(frozen=True)
class ScenarioBundle:
    """The files of a scenario folder.

    Attributes
    ----------
    name
        The folder's name.
    files
        Relative path (with ``/``) and content of each file; hidden files are left out.
    digest
        SHA-256 of the paths and contents, in hexadecimal.
    """

    name: str
    files: tuple[tuple[str, bytes], ...]
    digest: str


def bundle_scenario(name_or_path: str) -> ScenarioBundle:
    """Read a scenario folder, given by name or path, into a bundle.

    Raises
    ------
    FppError
        When the scenario is not found, or its files add up to more than :data:`MAX_BUNDLE_BYTES`.
    """
    from fpp.scenario import find_scenario

    try:
        folder = find_scenario(name_or_path)
    except FileNotFoundError as error:
        raise FppError(str(error)) from None
    files = []
    total = 0
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        content = path.read_bytes()
        total += len(content)
        if total > MAX_BUNDLE_BYTES:
            raise FppError(f"scenario folder {folder} contains more than {MAX_BUNDLE_BYTES // 2**20} MiB; "
                           "move large files out of it")
        files.append((relative.as_posix(), content))
        digest.update(relative.as_posix().encode() + b"\0" + content + b"\0")
    return ScenarioBundle(folder.name, tuple(files), digest.hexdigest())


def materialise_scenario(bundle: ScenarioBundle, root: str | Path | None = None) -> Path:
    """Write a bundle's files once and return the scenario folder.

    Parameters
    ----------
    bundle
        The scenario's files.
    root
        Parent folder; ``fpp-scenarios`` in the system's temporary folder by default.

    Raises
    ------
    OSError
        When the files cannot be written.
    """
    base = Path(root) if root is not None else Path(tempfile.gettempdir()) / "fpp-scenarios"
    parent = base / bundle.digest[:24]
    folder = parent / bundle.name
    if (folder / "scenario.toml").is_file():
        return folder
    parent.mkdir(parents=True, exist_ok=True)
    # Write into a staging folder and rename it, so that another worker process on this machine
    # never loads a half-written scenario.
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=parent))
    try:
        for relative, content in bundle.files:
            target = staging / bundle.name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        try:
            (staging / bundle.name).rename(folder)
        except OSError:
            if not (folder / "scenario.toml").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
