"""Maps of a route, its airspace portions and every place that shares a designator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from fpp.convert.airspace import AirspaceVolume  # noqa: E402
from fpp.geo import interpolate  # noqa: E402

__all__ = ["plot_route_map"]


def _densify(lat: Sequence[float], lon: Sequence[float], steps: int = 16) -> tuple[list[float], list[float]]:
    """Points along each great-circle leg, so legs draw as curves on a lat/lon map."""
    out_lat, out_lon = [lat[0]], [lon[0]]
    for k in range(len(lat) - 1):
        for s in range(1, steps + 1):
            la, lo = interpolate(lat[k], lon[k], lat[k + 1], lon[k + 1], s / steps)
            out_lat.append(la)
            out_lon.append(lo)
    return out_lat, out_lon


def plot_route_map(
    path: str | Path,
    title: str,
    route: Sequence[tuple[str, float, float]],
    volume: AirspaceVolume,
    duplicates: dict[str, Sequence[tuple[float, float, str]]],
    portions: Sequence[tuple[tuple[float, float, str], tuple[float, float, str]]] = (),
    wrong_match: tuple[float, float, str] | None = None,
    labelled: set[str] | None = None,
) -> Path:
    """Draw a world panel and an airspace close-up of a route; return the PNG path.

    Parameters
    ----------
    route
        ``(name, lat_deg, lon_deg)`` of each expanded route point, in order.
    duplicates
        For each designator to highlight, every place that carries it: ``(lat, lon, label)``.
    portions
        Entry and exit of each portion: ``((lat, lon, name), (lat, lon, name))``.
    wrong_match
        The place the legacy logic matched by name, drawn as a dashed link from the exit.
    labelled
        Names of the route points to label in the close-up (all when ``None``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (world, close) = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"width_ratios": [1.6, 1]})
    lat = [p[1] for p in route]
    lon = [p[2] for p in route]
    dense_lat, dense_lon = _densify(lat, lon)

    for axis in (world, close):
        for polygon in volume.polygons:
            ring_lat = list(polygon.lat_deg) + [polygon.lat_deg[0]]
            ring_lon = list(polygon.lon_deg) + [polygon.lon_deg[0]]
            axis.fill(ring_lon, ring_lat, color="tab:blue", alpha=0.15, lw=0)
            axis.plot(ring_lon, ring_lat, color="tab:blue", lw=1)
        axis.plot(dense_lon, dense_lat, color="black", lw=1.2, label="expanded route (RTEPTS)")
        axis.plot(lon, lat, "o", color="black", ms=2.5)
        for name, places in duplicates.items():
            for k, (la, lo, label) in enumerate(places):
                axis.plot(lo, la, "*", color="tab:red", ms=13, mec="black", mew=0.5, label=f"every {name}" if k == 0 else None)
                # Labels go below and right of the star, away from the route that passes above it.
                axis.annotate(f"{name}\n{label}", (lo, la), xytext=(8, -22), textcoords="offset points", fontsize=8, color="tab:red")
        for number, (entry, exit_) in enumerate(portions, start=1):
            axis.plot(entry[1], entry[0], "^", color="tab:green", ms=9, label="entry")
            axis.plot(exit_[1], exit_[0], "v", color="tab:orange", ms=9, label="exit")
            if axis is close:
                axis.annotate(f"P{number} in", (entry[1], entry[0]), xytext=(-34, 4), textcoords="offset points", fontsize=7, color="tab:green")
                axis.annotate(f"P{number} out", (exit_[1], exit_[0]), xytext=(6, 4), textcoords="offset points", fontsize=7, color="tab:orange")
        if wrong_match is not None and portions:
            exit_ = portions[-1][1]
            axis.plot([exit_[1], wrong_match[1]], [exit_[0], wrong_match[0]], "--", color="tab:red", lw=1, label=f"legacy logic: exit matched by name to {wrong_match[2]}")
        axis.set_xlabel("longitude [deg]")
        axis.set_ylabel("latitude [deg]")
        axis.grid(True, lw=0.3)

    all_lat = lat + [la for places in duplicates.values() for la, _, _ in places]
    all_lon = lon + [lo for places in duplicates.values() for _, lo, _ in places]
    world.set_xlim(min(all_lon) - 5, max(all_lon) + 5)
    world.set_ylim(min(all_lat) - 5, max(all_lat) + 5)
    world.set_title(title)
    south = min(float(p.lat_deg.min()) for p in volume.polygons)
    north = max(float(p.lat_deg.max()) for p in volume.polygons)
    west = min(float(p.lon_deg.min()) for p in volume.polygons)
    east = max(float(p.lon_deg.max()) for p in volume.polygons)
    close.set_xlim(west - 4, east + 4)
    close.set_ylim(south - 3, north + 1)
    close.set_title(f"{volume.name}: entry, exit and the points near them")
    for name, la, lo in route:
        if (labelled is None or name in labelled) and west - 4 <= lo <= east + 4 and south - 3 <= la <= north + 1:
            close.annotate(name, (lo, la), xytext=(3, -9), textcoords="offset points", fontsize=7)
    handles, labels = close.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    world.legend(unique.values(), unique.keys(), loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
