"""The notebook of python/README.md runs as written, from the repository's root."""

from __future__ import annotations

import os
import re

from conftest import ROOT


def test_the_readme_examples_run(spark):
    # `spark`: the README's `getOrCreate()` gets the suite's session, its workers this Python.
    text = (ROOT / "python" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "python/README.md", "exec"), namespace)
    finally:
        os.chdir(before)
