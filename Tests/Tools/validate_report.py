#!/usr/bin/env python3
"""Validates virtcheck JSON reports against Data/schema/report.schema.json with the reference
`jsonschema` implementation (draft 2020-12). Usage: validate_report.py SCHEMA REPORT...
Prints one line per report, `ok PATH` or `invalid PATH: message at path`; exits 1 if any is invalid."""
import json, sys
import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    if errors:
        bad += 1
        for e in errors[:5]:
            print(f"invalid {path}: {e.message[:200]} at {e.json_path}")
    else:
        print(f"ok {path}")
sys.exit(1 if bad else 0)
