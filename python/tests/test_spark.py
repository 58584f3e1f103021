"""Spark on local[2]: 200,000 generated orders decided on the cluster equal `refund batch` record
for record, with each account's orders first scattered over several partitions."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from refund_rules import PolicyError, spark as refund_spark

from conftest import POLICIES, QUOTA_POLICY, SPARK_ORDERS, refund_binary


@pytest.fixture(scope="module")
def scattered(spark, generated_jsonl):
    """The orders spread round-robin over 4 partitions: every account's orders start out on
    several partitions and out of time order within them."""
    frame = spark.read.json(str(generated_jsonl)).repartition(4)
    assert frame.rdd.getNumPartitions() == 4
    return frame


def test_decide_equals_refund_batch_record_for_record(scattered, generated, batch_texts):
    decided = refund_spark.decide(scattered, QUOTA_POLICY, with_json=True, partitions=4)
    rows = decided.select("id", "decision", "error", "outcome", "amount").toPandas()
    assert len(rows) == SPARK_ORDERS
    # The batch's records are in the file's order, which is the generated order.
    index_of = {order["id"]: index for index, order in enumerate(generated)}
    compared = 0
    for order_id, text, error, outcome, amount in rows.itertuples(index=False):
        wanted = batch_texts[index_of[order_id]]
        if text is None:
            assert json.loads(wanted)["error"] == error, order_id
        else:
            assert text == wanted, order_id
            decision = json.loads(text)
            assert outcome == decision["outcome"] and amount == Decimal(decision["amount"]), order_id
        compared += 1
    assert compared == SPARK_ORDERS


def test_impact_equals_refund_diff(spark, generated, tmp_path: Path):
    import orders

    path = tmp_path / "orders.jsonl"
    path.write_text(orders.json_lines(generated[:20_000]), encoding="utf-8")
    new = POLICIES / "kufanyun.policy"
    run = subprocess.run(
        [str(refund_binary()), "diff", str(QUOTA_POLICY), str(new), "--orders", str(path), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    wanted = json.loads(run.stdout, parse_float=Decimal)
    found = refund_spark.impact(spark.read.json(str(path)).repartition(3), QUOTA_POLICY, new, partitions=3)
    assert found["orders"] == wanted["orders"]
    assert found["changed"] == wanted["changed"]
    for key in ("old_total", "new_total", "delta"):
        assert found[key] == Decimal(wanted[key]), key
    by_rules = {(g["old_rule"], g["new_rule"]): (g["count"], Decimal(g["delta"])) for g in wanted["groups"]}
    assert {(g["old_rule"], g["new_rule"]): (g["count"], g["delta"]) for g in found["groups"]} == by_rules
    assert [abs(g["delta"]) for g in found["groups"]] == sorted((abs(g["delta"]) for g in found["groups"]), reverse=True)


def test_a_bad_policy_fails_on_the_driver(scattered):
    with pytest.raises(PolicyError):
        refund_spark.decide(scattered, "policy x {")
    with pytest.raises(OSError):
        refund_spark.decide(scattered, POLICIES / "missing.policy")


def test_flat_dotted_columns(spark, generated, batch_texts):
    import pyarrow as pa

    flat = pa.Table.from_pylist(generated[:1_000]).flatten().flatten()
    assert "account.id" in flat.column_names
    frame = spark.createDataFrame(flat.to_pandas()).repartition(2)
    decided = refund_spark.decide(frame, QUOTA_POLICY, with_json=True).select("id", "decision").toPandas()
    # The orders are in time order: the first 1,000 records of the batch are theirs.
    wanted = {order["id"]: text for order, text in zip(generated[:1_000], batch_texts)}
    assert dict(zip(decided["id"], decided["decision"])) == wanted
