#!/usr/bin/env python3
"""Loads many files with the real DocArray in one process (the JVM tests' oracle).

Usage: batch_check.py MANIFEST.jsonl
Each manifest line: {"path": ..., "spec": {class spec} | null, "expect": "sidecar.json" | {sidecar} | null,
                     "protocol": null, "compress": null, "container": "auto", "ignore_tags": false,
                     "ignore_ids": false, "allow_warn": true}
Prints one line per file ('PASS|WARN|FAIL <path> <first error>') and 'N passed, N failed' at the end;
exits 1 if any file failed. check_docarray_reads.py (the shared oracle, copied here) does the work.
"""
import io
import json
import os
import sys
import contextlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_docarray_reads as oracle  # noqa: E402


def main(manifest):
    oracle.bootstrap_docarray()
    passed = failed = 0
    with open(manifest) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    for e in entries:
        expect = e.get('expect')
        if isinstance(expect, str):
            expect = json.load(open(expect))
        spec = e.get('spec')
        if spec is None and expect is not None:
            spec = expect.get('class_spec')
        try:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                verdict, report = oracle.check(e['path'], spec, e.get('protocol'), e.get('compress'),
                                               e.get('container', 'auto'), expect,
                                               e.get('ignore_ids', False), 0, quiet=True,
                                               ignore_tags=e.get('ignore_tags', False))
        except Exception as ex:  # noqa: BLE001
            verdict, report = 'FAIL', {'errors': [f'{type(ex).__name__}: {ex}'], 'lint': []}
        ok = verdict == 'PASS' or (verdict == 'WARN' and e.get('allow_warn', True))
        detail = (report.get('errors') or report.get('lint') or [''])[0]
        print(f"{verdict} {e['path']} {detail}"[:2000], flush=True)
        if ok:
            passed += 1
        else:
            failed += 1
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
