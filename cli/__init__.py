"""The ``closure-check`` command line: a thin click layer over :mod:`closure_check`."""
