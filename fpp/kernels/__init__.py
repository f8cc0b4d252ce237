"""Numba kernels of the hot path: many flight plans at once, in flat arrays.

The kernels turn a stream of ADEXP messages into conversion outcomes without creating a Python
object per plan. :class:`fpp.convert.batch.BatchConverter` is their public interface; its
outcomes equal those of :class:`fpp.convert.hardened.HardenedConverter`, message by message.

============================  ===========================================================
module                        kernels (twin)
============================  ===========================================================
:mod:`~fpp.kernels.strings`   designator matching by hash (a Python ``dict``)
:mod:`~fpp.kernels.adexp`     stream splitting and ADEXP tokenizing (``split_messages``,
                              ``parse_adexp``)
:mod:`~fpp.kernels.item15`    Item 15 tokenizing (``parse_item15``)
:mod:`~fpp.kernels.route`     resolution of Item 15, placement of RTEPTS, geography check
                              (the hardened converter's steps)
:mod:`~fpp.kernels.expand`    airway expansion (``resolve_route``)
:mod:`~fpp.kernels.geometry`  great-circle geometry and point-in-polygon (:mod:`fpp.geo`)
:mod:`~fpp.kernels.clip`      airspace crossings (``inside_stretches``)
:mod:`~fpp.kernels.portion`   reconciliation and portion extraction (Python lists)
:mod:`~fpp.kernels.convert`   the fused pipeline over a batch
============================  ===========================================================

Every kernel performs the floating-point operations of its twin in the same order, so the two
agree bit for bit; ``tests/kernels`` compares them on generated and recorded traffic and on
Hypothesis examples. With ``NUMBA_DISABLE_JIT=1`` the kernels run as Python, which lets
coverage tools measure them. Compiled code is cached on disk (:mod:`fpp.kernels._jit`).

A message in a form the kernels do not read (see :mod:`fpp.kernels.adexp` and
:mod:`fpp.kernels.item15`), or with a syntax or route error, gets the status
:data:`~fpp.kernels.scratch.FALLBACK`, and the batch converter hands it to the hardened
converter.
"""

from fpp.kernels.scratch import CONVERTED, FALLBACK, STATUS_CODES

__all__ = ["CONVERTED", "FALLBACK", "STATUS_CODES"]
