#!/usr/bin/env python3
"""Counts the failed testcases of JUnit files as junitparser (a real JUnit reader) reads them.
Usage: junit_failures.py FILE...  Prints `FILE COUNT` per file."""
import sys
from junitparser import JUnitXml, Failure

for path in sys.argv[1:]:
    xml = JUnitXml.fromfile(path)
    count = sum(1 for suite in xml for case in suite if any(isinstance(r, Failure) for r in case.result))
    print(path, count)
