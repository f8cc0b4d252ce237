"""Failure signatures and reproducers: what a campaign writes for each distinct failure.

A :class:`Signature` identifies a failure by the exception type, the error code, the invariant
and the innermost frames of fpp code (module and function, not line numbers, so that an edit
elsewhere in the file keeps the signature). Failures with the same signature are one failure.

A reproducer is a folder with:

``message.txt``
    the input: the ADEXP message a channel receives, or the text given to the parsers;
``navdata.txt``
    for plans, the navigation data the plan needs, in the supplement format of
    :mod:`fpp.navdata.supplement`: every place of every designator in the message, the airway
    pieces Item 15 names, and the aerodromes;
``test_<name>.py``
    a self-contained pytest test with ``@example`` that fails until the defect is fixed;
``failure.json``
    the signature, the message and the traceback.
"""

from __future__ import annotations

import json
import re
import tempfile
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import fpp
from fpp.errors import CriticalException, FormatError
from fpp.formats.adexp import parse_adexp
from fpp.fuzzing.properties import InvariantViolation
from fpp.fuzzing.routes import PlanSpec, build_case
from fpp.fuzzing.targets import TARGETS, run_check
from fpp.fuzzing.world import FuzzWorld, world_from_supplement
from fpp.navdata.store import NavData, PointKind

__all__ = [
    "Signature",
    "describe_error",
    "navdata_supplement",
    "reproducer_test",
    "signature_of",
    "world_from_supplement_text",
    "write_reproducer",
]

_FPP_ROOT = Path(fpp.__file__).resolve().parent
_FUZZING_ROOT = _FPP_ROOT / "fuzzing"
#: Number of innermost fpp frames in a signature.
SIGNATURE_FRAMES = 3


@dataclass(frozen=True)
class Signature:
    """The identity of a failure: two failures with equal signatures are one failure."""

    target: str
    exception: str
    code: str | None
    invariant: str | None
    frames: tuple[str, ...]

    def key(self) -> str:
        """Return a short stable text form, also used as a folder name."""
        parts = [self.target, self.invariant or "-", self.exception, self.code or "-", *self.frames]
        return re.sub(r"[^A-Za-z0-9.-]+", "_", "-".join(parts))[:150]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _root(error: BaseException) -> BaseException:
    """Return the exception that caused a violation, or the error itself."""
    if isinstance(error, InvariantViolation) and error.__cause__ is not None:
        return error.__cause__
    return error


def _fpp_frames(error: BaseException) -> tuple[str, ...]:
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if _FPP_ROOT in path.parents and _FUZZING_ROOT not in path.parents and path.parent != _FUZZING_ROOT:
            module = ".".join(path.relative_to(_FPP_ROOT.parent).with_suffix("").parts)
            frames.append(f"{module}:{frame.name}")
    return tuple(frames[-SIGNATURE_FRAMES:])


def signature_of(error: BaseException, target: str) -> Signature:
    """Compute the signature of a failure raised while checking ``target``."""
    root = _root(error)
    code = getattr(root, "code", None)
    if isinstance(root, CriticalException) and root.cause is not None:
        code = root.cause.code
    invariant = error.invariant if isinstance(error, InvariantViolation) else None
    return Signature(target, type(root).__name__, code, invariant, _fpp_frames(root))


# -- navigation data ------------------------------------------------------------------------------


def _designators(text: str) -> set[str]:
    return {word.split("/")[0] for word in re.findall(r"[A-Z][A-Z0-9/]*", text)}


def navdata_supplement(spec: PlanSpec, adexp_text: str, nav: NavData) -> str:
    """Write the supplement file of the points, airways and aerodromes that a plan needs.

    Every place of every designator that the route or RTEPTS names is listed, so duplicates stay
    duplicates. Airway pieces are listed whole when Item 15 names the airway.
    """
    message = parse_adexp(adexp_text)
    names = {p.ident for p in message.rtepts() if p.ident} | _designators(spec.route)
    lines = [f"# Navigation data for the plan {spec.callsign}: {spec.route}"]
    for name in sorted(names):
        for index in nav.candidates(name).tolist():
            lat, lon = nav.position(index)
            kind = PointKind(int(nav.kind[index])).name
            lines.append(f"POINT {name} {lat:.6f} {lon:.6f} {kind}")
    for airway in sorted(token for token in set(spec.tokens) if nav.is_airway(token)):
        for piece in nav.airway_pieces(airway):
            if not {nav.point_name(int(p)) for p in piece} & names:
                continue
            lines.append(f"AIRWAY {airway}")
            for point in piece.tolist():
                lat, lon = nav.position(point)
                lines.append(f"  {nav.point_name(point)} {lat:.6f} {lon:.6f}")
    return "\n".join(lines) + "\n"


def world_from_supplement_text(text: str) -> FuzzWorld:
    """Build a small world from the text of a supplement file (see :func:`world_from_supplement`)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "navdata.txt"
        path.write_text(text, encoding="utf-8")
        return world_from_supplement(path)


# -- reproducers ------------------------------------------------------------------------------------


_TEST_TEMPLATE = '''"""Reproducer written by ``fpp fuzz``: {title}.

Signature: {signature}
Found with: {command}
"""

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from fpp.fuzzing.reproduce import world_from_supplement_text
from fpp.fuzzing.routes import PlanSpec
from fpp.fuzzing.targets import TARGETS, run_check
from fpp.fuzzing.world import default_world

NAVDATA = {navdata!r}
TARGET = TARGETS[{target!r}]


def _world():
    return {world}


VALUE = {value}


@settings(phases=[Phase.explicit], database=None, deadline=None)
@example({argument}=VALUE)
@given({argument}=st.just(VALUE))
def test_{name}({argument}):
    run_check(TARGET, {argument}, _world())
'''


def reproducer_test(name: str, target: str, argument: str, value: Any, signature: Signature, title: str,
                    command: str, navdata: str | None) -> str:
    """Write the text of a self-contained pytest module that replays one failure."""
    world = "world_from_supplement_text(NAVDATA)" if navdata else "default_world()"
    return _TEST_TEMPLATE.format(title=title, signature=signature.key(), command=command, navdata=navdata or "",
                                 target=target, world=world, argument=argument, value=repr(value), name=name)


def _replays(target: str, value: Any, world: FuzzWorld, signature: Signature) -> bool:
    try:
        run_check(TARGETS[target], value, world)
    except Exception as error:  # noqa: BLE001 - any failure is compared by signature
        return signature_of(error, target) == signature
    return False


def describe_error(error: BaseException) -> dict[str, str | None]:
    """Describe a failure by its message, cause and traceback, as plain text that crosses process boundaries."""
    root = _root(error)
    return {
        "message": str(error),
        "cause": f"{type(root).__name__}: {root}" if root is not error else None,
        "traceback": "".join(traceback.format_exception(root)),
    }


def write_reproducer(folder: Path, target: str, value: Any, signature: Signature, error: dict[str, str | None],
                     world: FuzzWorld, command: str) -> dict[str, Any]:
    """Write the reproducer of one failure into ``folder`` and describe it.

    ``error`` is the output of :func:`describe_error`. A failure of the strategy itself (``value``
    is ``None``) gets ``failure.json`` only. For a plan, the reproducer uses the small
    supplement world when the failure replays on it with the same signature, and the default
    data otherwise (``"navdata": "default"`` in the returned description).
    """
    folder.mkdir(parents=True, exist_ok=True)
    if value is None:
        description = {"signature": signature.to_dict(), "key": signature.key(), **error, "navdata": "none",
                       "folder": str(folder), "value": None}
        (folder / "failure.json").write_text(json.dumps(description, indent=2), encoding="utf-8")
        return description
    name = re.sub(r"\W+", "_", signature.key()).strip("_").lower()[:60] or "failure"
    argument = TARGETS[target].argument
    navdata = None
    navdata_kind = "none"
    if isinstance(value, PlanSpec):
        case = build_case(value, world)
        (folder / "message.txt").write_text(case.adexp_text + "\n", encoding="utf-8")
        navdata = navdata_supplement(value, case.adexp_text, world.nav)
        (folder / "navdata.txt").write_text(navdata, encoding="utf-8")
        try:
            small = world_from_supplement_text(navdata)
            replays_small = _replays(target, value, small, signature)
        except (FormatError, KeyError, ValueError):
            replays_small = False
        navdata_kind = "supplement" if replays_small else "default"
        if not replays_small:
            navdata = None
    else:
        (folder / "message.txt").write_text(value if isinstance(value, str) else repr(value), encoding="utf-8")
    title = f"{signature.invariant or signature.exception} in {target}"
    test_text = reproducer_test(name, target, argument, value, signature, title, command, navdata)
    (folder / f"test_{name}.py").write_text(test_text, encoding="utf-8")
    description = {
        "signature": signature.to_dict(),
        "key": signature.key(),
        **error,
        "navdata": navdata_kind,
        "folder": str(folder),
        "value": repr(value),
    }
    (folder / "failure.json").write_text(json.dumps(description, indent=2), encoding="utf-8")
    return description
