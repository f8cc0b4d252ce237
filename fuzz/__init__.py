"""Property-based fuzzers of fpp, collected by pytest; see README.md in this folder."""
