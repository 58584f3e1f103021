"""Benchmark (BENCHMARKS.md, "Python and Spark"): `evaluate_many` on a 1M-row Arrow table
against `refund batch` on the same orders as JSON Lines, in the same run; then Spark local[2]
on the same orders.

    python python/bench.py [COUNT] [--no-spark]     # from the repository's root, after
                                                    # cargo build --release --bin refund
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python" / "tests"))

import orders as generated  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.json as pajson  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from refund_rules import Policy  # noqa: E402

POLICY = ROOT / "policies" / "alibaba-ecs.policy"


def timed(label: str, count: int, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds:7.2f} s  {count / seconds:>10,.0f} orders/s", flush=True)
    return result


def main() -> None:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "1000000"))
    folder = Path(tempfile.mkdtemp(prefix="refund-bench-"))
    given = os.environ.get("REFUND_BENCH_ORDERS")
    jsonl = Path(given) if given else folder / "orders.jsonl"
    if not given:
        jsonl.write_text(generated.json_lines(generated.orders(count)), encoding="utf-8")
    # Times as written (RFC 3339 with the offset): Arrow's JSON reader would turn them into
    # timestamps without a zone, which the package refuses.
    times = pa.schema([(name, pa.string()) for name in ("purchased_at", "expires_at", "requested_at")])
    table = pajson.read_json(
        jsonl, parse_options=pajson.ParseOptions(explicit_schema=times, unexpected_field_behavior="infer")
    )
    count = table.num_rows
    print(f"{count:,} orders, {os.cpu_count()} cores, policy {POLICY.name}", flush=True)
    refund = os.environ.get("REFUND_BIN", str(ROOT / "target" / "release" / "refund"))
    timed(
        "refund batch (JSON Lines in, decisions JSON Lines out)",
        count,
        lambda: subprocess.run(
            [refund, "batch", str(POLICY), "--orders", str(jsonl), "--out", str(folder / "out.jsonl")],
            check=False,
            capture_output=True,
        ),
    )
    policy = Policy.from_file(POLICY)
    decided = timed("evaluate_many(pyarrow.Table) -> decision columns", count, lambda: policy.evaluate_many(table))
    timed(
        "evaluate_many(pyarrow.Table, with_json=True)",
        count,
        lambda: policy.evaluate_many(table, with_json=True),
    )
    assert decided.num_rows == count
    if "--no-spark" in sys.argv:
        return
    parquet = folder / "orders.parquet"
    pq.write_table(table, parquet)
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    from refund_rules import spark as refund_spark

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    frame = session.read.parquet(str(parquet))
    timed(
        "Spark local[2]: decide (read parquet, shuffle, decide, noop)",
        count,
        lambda: refund_spark.decide(frame, POLICY).write.format("noop").mode("overwrite").save(),
    )
    timed("Spark local[2]: impact (both policies, aggregates)", count, lambda: refund_spark.impact(
        frame, POLICY, ROOT / "policies" / "kufanyun.policy"
    ))
    session.stop()


if __name__ == "__main__":
    main()
