#!/usr/bin/env python3
"""Reads a JUnit XML file with junitparser (a real JUnit reader) and prints what it understood
as JSON: per suite its counts and per testcase the result kind (passed, failure, skipped) and
message. Usage: read_junit.py FILE"""
import json, sys
from junitparser import JUnitXml, Failure, Skipped, Error

xml = JUnitXml.fromfile(sys.argv[1])
suites = []
for suite in xml:
    cases = []
    for case in suite:
        kind, message = "passed", None
        for r in case.result:
            if isinstance(r, Failure): kind, message = "failure", r.message
            elif isinstance(r, Skipped): kind, message = "skipped", r.message
            elif isinstance(r, Error): kind, message = "error", r.message
        cases.append({"classname": case.classname, "name": case.name, "result": kind, "message": message})
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures, "skipped": suite.skipped,
                   "errors": suite.errors, "properties": {p.name: p.value for p in suite.properties()}, "cases": cases})
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "skipped": xml.skipped, "suites": suites}))
