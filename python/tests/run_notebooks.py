#!/usr/bin/env python3
"""Executes every PySpark notebook in notebooks/ top to bottom (nbclient), so they never rot.
Usage: run_notebooks.py CONNECTOR_JAR  -- prints 'N passed, N failed'."""
import glob
import os
import sys

import nbformat
from nbclient import NotebookClient

jar = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ['DOCARRAY_SPARK_JAR'] = jar
os.environ['DOCARRAY_SAMPLE'] = os.path.join(root, 'examples', 'src', 'main', 'resources', 'sample')
os.environ['DOCARRAY_FIXTURES'] = os.path.join(root, 'connector', 'src', 'test', 'resources', 'fixtures')
passed = failed = 0
for path in sorted(glob.glob(os.path.join(root, 'notebooks', '*.ipynb'))):
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=600, kernel_name='python3',
                       resources={'metadata': {'path': os.path.dirname(path)}}).execute()
        print(f'PASS {os.path.basename(path)}', flush=True)
        passed += 1
    except Exception as e:  # noqa: BLE001
        print(f'FAIL {os.path.basename(path)}: {e}', flush=True)
        failed += 1
for png in glob.glob(os.path.join(root, 'notebooks', '*.png')):
    os.remove(png)
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
