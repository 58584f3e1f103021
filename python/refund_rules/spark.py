"""Refund decisions on a Spark cluster (Spark 3.5+ or 4.x, the wheel installed on the executors).

``decide`` sends each account's orders to one partition (``repartition`` by account), sorts each
partition by request time, and decides it a batch of Arrow records at a time (``mapInArrow``)
with one ledger per partition: an account's no-reason quota and 12-month total carry from order
to order exactly as in ``refund batch`` over the same orders in time order.

The orders' columns are the order's fields, as ``spark.read.json`` gives them from the orders'
JSON Lines (``account.id`` a struct field) or flat dotted names; money as text or decimal.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Union

from . import Policy, _native
from ._tables import MONEY_SCALE, csv_blocks, decide_blocks

if TYPE_CHECKING:
    import pyarrow
    from pyspark.sql import Column, DataFrame

__all__ = ["decide", "impact", "decision_schema"]

PolicyLike = Union[str, "os.PathLike[str]", Policy]


def _policy_text(policy: PolicyLike) -> str:
    """The policy's text, checked on the driver so that a bad policy fails before any task."""
    if isinstance(policy, Policy):
        return policy.source
    text = os.fspath(policy)
    # A policy's text always has a `{`; a path never needs one.
    if "{" in text:
        return Policy.parse(text).source
    return Policy.from_file(text).source


def decision_schema(prefix: str = "", with_json: bool = False) -> List[Any]:
    """The Spark fields ``decide`` adds (money as ``decimal(38, 4)``: every ISO 4217 currency)."""
    from pyspark.sql.types import ArrayType, DecimalType, StringType, StructField, StructType

    money = DecimalType(38, MONEY_SCALE)
    refunds = ArrayType(StructType([StructField("to", StringType()), StructField("amount", money)]))
    fields = [
        StructField(prefix + "outcome", StringType()),
        StructField(prefix + "rule", StringType()),
        StructField(prefix + "amount", money),
        StructField(prefix + "currency", StringType()),
        StructField(prefix + "refunds", refunds),
        StructField(prefix + "review", StringType()),
        StructField(prefix + "error", StringType()),
    ]
    if with_json:
        fields.append(StructField(prefix + "decision", StringType()))
    return fields


def _column(df: "DataFrame", path: str) -> "Column":
    from pyspark.sql import functions as F

    if path in df.columns:
        return F.col(f"`{path}`")
    return F.col(path)


def _in_time_order(df: "DataFrame", partitions: Optional[int]) -> "DataFrame":
    from pyspark.sql import functions as F

    account = _column(df, "account.id")
    requested = _column(df, "requested_at").cast("timestamp")
    # Orders at the same instant keep the order in which they were read, as in `refund batch`.
    df = df.withColumn("__refund_rules_seq", F.monotonically_increasing_id())
    spread = df.repartition(partitions, account) if partitions else df.repartition(account)
    return spread.sortWithinPartitions(account, requested, F.col("__refund_rules_seq")).drop("__refund_rules_seq")


def _decide_partitions(sides: Dict[str, str], with_json: bool):
    """The function run on the executors: one decider (one ledger) per policy per partition."""

    def decide_partition(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        import pyarrow as pa

        deciders = {prefix: _native.Decider(_native.Policy.parse(text)) for prefix, text in sides.items()}
        for batch in batches:
            table = pa.Table.from_batches([batch])
            blocks = csv_blocks(table.rename_columns([name.replace(DOT, ".") for name in table.column_names]))
            for prefix, decider in deciders.items():
                decisions = decide_blocks(
                    decider, blocks, table.num_rows, with_json=with_json, money_scale=MONEY_SCALE
                )
                table = _with_decisions(table, decisions, prefix)
            yield from table.to_batches()

    return decide_partition


def _with_decisions(table: "pyarrow.Table", decisions: "pyarrow.Table", prefix: str) -> "pyarrow.Table":
    import pyarrow.compute as pc

    for name in decisions.column_names:
        column = decisions.column(name)
        if prefix + name in table.column_names:
            # The order's `currency`: the decision's, or the order's where there is none.
            index = table.column_names.index(prefix + name)
            table = table.set_column(index, prefix + name, pc.coalesce(column, table.column(index).cast(column.type)))
        else:
            table = table.append_column(prefix + name, column)
    return table


#: Stands for the dot of a flat column name (`paid.cash`) while Spark runs `mapInArrow`,
#: which cannot resolve a column whose name has a dot.
DOT = "__dot__"


def _map(df: "DataFrame", sides: Dict[str, str], with_json: bool, partitions: Optional[int]) -> "DataFrame":
    from pyspark.sql.types import StructType

    dotted = [name for name in df.columns if "." in name]
    ordered = _in_time_order(df, partitions)
    if dotted:
        ordered = ordered.withColumnsRenamed({name: name.replace(".", DOT) for name in dotted})
    fields = list(ordered.schema.fields)
    for prefix in sides:
        for field in decision_schema(prefix, with_json):
            names = [f.name for f in fields]
            if field.name in names:
                fields[names.index(field.name)] = field
            else:
                fields.append(field)
    decided = ordered.mapInArrow(_decide_partitions(sides, with_json), StructType(fields))
    if dotted:
        decided = decided.withColumnsRenamed({name.replace(".", DOT): name for name in dotted})
    return decided


def decide(
    df: "DataFrame", policy: PolicyLike, *, with_json: bool = False, partitions: Optional[int] = None
) -> "DataFrame":
    """The orders of ``df`` with the decision columns (``outcome``, ``rule``, ``amount``,
    ``currency``, ``refunds``, ``review``, ``error``; ``decision``, the decision JSON, with
    ``with_json``). ``policy``: a path, the policy's text, or a :class:`Policy`.

    The rows come back grouped by account, each account's orders in time order."""
    return _map(df, {"": _policy_text(policy)}, with_json, partitions)


def impact(
    df: "DataFrame", old_policy: PolicyLike, new_policy: PolicyLike, *, partitions: Optional[int] = None
) -> Dict[str, Any]:
    """What changes from ``old_policy`` to ``new_policy`` on the orders of ``df``, computed on
    the cluster (as ``refund diff --orders``): ``orders``, ``changed`` (outcome, amount,
    destinations or rule), ``old_total``, ``new_total``, ``delta`` (``decimal.Decimal``), and
    ``groups``: by (old rule, new rule) the ``count`` and total ``delta``, largest change first.
    Records that are not orders are left out; an order a policy cannot decide counts under the
    rule ``error`` with no refund."""
    from pyspark.sql import functions as F

    sides = {"old_": _policy_text(old_policy), "new_": _policy_text(new_policy)}
    decided = _map(df, sides, False, partitions).where(
        ~(F.coalesce(F.col("old_error"), F.lit("")).startswith("E201"))
    )

    def amount(side: str) -> "Column":
        return F.coalesce(F.col(side + "amount"), F.lit(0).cast(f"decimal(38,{MONEY_SCALE})"))

    def rule(side: str) -> "Column":
        return F.when(F.col(side + "error").isNotNull(), F.lit("error")).otherwise(F.col(side + "rule"))

    same = (
        F.col("old_outcome").eqNullSafe(F.col("new_outcome"))
        & F.col("old_amount").eqNullSafe(F.col("new_amount"))
        & F.col("old_refunds").eqNullSafe(F.col("new_refunds"))
        & rule("old_").eqNullSafe(rule("new_"))
    )
    compared = decided.select(
        amount("old_").alias("old"),
        amount("new_").alias("new"),
        rule("old_").alias("old_rule"),
        rule("new_").alias("new_rule"),
        (~same).alias("changed"),
    ).cache()
    try:
        totals = compared.agg(
            F.count(F.lit(1)).alias("orders"),
            F.sum(F.col("changed").cast("long")).alias("changed"),
            F.sum("old").alias("old_total"),
            F.sum("new").alias("new_total"),
        ).collect()[0]
        groups = (
            compared.where("changed")
            .groupBy("old_rule", "new_rule")
            .agg(F.count(F.lit(1)).alias("count"), F.sum(F.col("new") - F.col("old")).alias("delta"))
            .collect()
        )
    finally:
        compared.unpersist()
    zero = _zero()
    old_total = totals["old_total"] or zero
    new_total = totals["new_total"] or zero
    return {
        "orders": totals["orders"],
        "changed": totals["changed"] or 0,
        "old_total": old_total,
        "new_total": new_total,
        "delta": new_total - old_total,
        "groups": sorted(
            (
                {"old_rule": g["old_rule"], "new_rule": g["new_rule"], "count": g["count"], "delta": g["delta"]}
                for g in groups
            ),
            key=lambda g: (-abs(g["delta"]), g["old_rule"] or "", g["new_rule"] or ""),
        ),
    }


def _zero():
    import decimal

    return decimal.Decimal(0)
