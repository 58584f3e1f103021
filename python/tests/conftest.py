from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"


def refund_binary() -> Path:
    """The CLI the package is compared with: $REFUND_BIN, else the repository's debug build."""
    given = os.environ.get("REFUND_BIN")
    binary = Path(given) if given else ROOT / "target" / "debug" / "refund"
    if not binary.exists():
        pytest.fail(f"no refund binary at {binary}: run `cargo build --bin refund` or set REFUND_BIN")
    return binary


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


#: The policy of the many-orders tests: its five-day no-reason refund is once per account per
#: calendar year, so decisions depend on the account's earlier orders.
QUOTA_POLICY = POLICIES / "alibaba-ecs.policy"
#: Orders generated for the Spark test; the first MANY of them for the other many-orders tests.
SPARK_ORDERS = 200_000
MANY = 100_000


@pytest.fixture(scope="session")
def generated() -> List[Dict[str, Any]]:
    import orders

    return orders.orders(SPARK_ORDERS)


@pytest.fixture(scope="session")
def generated_jsonl(generated, tmp_path_factory) -> Path:
    import orders

    path = tmp_path_factory.mktemp("orders") / "orders.jsonl"
    path.write_text(orders.json_lines(generated), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def batch_texts(generated_jsonl) -> List[str]:
    """`refund batch` of the quota policy over every generated order: each output record's text
    without its `line`, so a decision compares byte for byte with the package's decision JSON.
    The orders are in time order, so the first N records are also the batch of the first N orders."""
    out = generated_jsonl.with_suffix(".decisions.jsonl")
    run = subprocess.run(
        [str(refund_binary()), "batch", str(QUOTA_POLICY), "--orders", str(generated_jsonl), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 1), run.stderr
    texts = []
    for line in out.read_text(encoding="utf-8").splitlines():
        head, rest = line.split(",", 1)
        assert head.startswith('{"line":'), line
        texts.append("{" + rest)
    assert len(texts) == SPARK_ORDERS
    return texts


@pytest.fixture(scope="session")
def spark():
    """One Spark on local[2] for the whole run (its start is most of a Spark test's time)."""
    from pyspark.sql import SparkSession

    # The executors' Python is this one, where the package is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    # Spark reads relative paths from the folder its JVM starts in: the repository's root, as
    # for a notebook there (python/README.md).
    before = os.getcwd()
    os.chdir(ROOT)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("refund-rules-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    os.chdir(before)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
