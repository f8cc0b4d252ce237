"""fpp: flight-plan processing simulator and fault-injection testbed."""

__version__ = "0.1.0"
