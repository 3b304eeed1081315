"""The hostile-input tests' counts are summed in tests/conftest.py, which the xdist controller
loads (it never loads this folder's conftest)."""
