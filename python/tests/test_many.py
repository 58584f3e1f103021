"""Many orders: every input kind against `refund batch` on the same generated orders."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Dict, List

import pyarrow as pa
import pytest

from refund_rules import OrderError, Policy

from conftest import MANY, QUOTA_POLICY

COLUMNS = ["outcome", "rule", "amount", "currency", "refunds", "review", "error", "decision"]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_file(QUOTA_POLICY)


@pytest.fixture(scope="module")
def orders(generated) -> List[Dict[str, Any]]:
    return generated[:MANY]


@pytest.fixture(scope="module")
def expected(batch_texts) -> List[str]:
    return batch_texts[:MANY]


@pytest.fixture(scope="module")
def table(orders) -> pa.Table:
    return pa.Table.from_pylist(orders)


def _same_as_batch(decided: pa.Table, expected: List[str]) -> None:
    """Every decision byte for byte the batch's; every error the batch's; the typed columns
    the decision's own (checked on a sample of rows: the JSON carries every field)."""
    assert decided.num_rows == len(expected)
    texts = decided.column("decision").to_pylist()
    errors = decided.column("error").to_pylist()
    for index, (text, error, wanted) in enumerate(zip(texts, errors, expected)):
        if text is None:
            assert wanted.startswith('{"error":'), (index, error)
            assert json.loads(wanted)["error"] == error, index
        else:
            assert error is None and text == wanted, index
    sample = decided.select(COLUMNS).take(list(range(0, decided.num_rows, 97))).to_pylist()
    for row in sample:
        if row["decision"] is None:
            assert row["outcome"] is None and row["amount"] is None
            continue
        decision = json.loads(row["decision"])
        assert row["outcome"] == decision["outcome"]
        assert row["rule"] == decision["rule"]
        assert row["amount"] == Decimal(decision["amount"])
        assert row["currency"] == decision["currency"]
        assert row["review"] == decision["review"]
        assert row["refunds"] == [{"to": r["to"], "amount": Decimal(r["amount"])} for r in decision["refunds"]]


def test_the_orders_make_quotas_matter(policy, orders, expected):
    """Decided each on its own account, many orders would get another decision: the
    comparisons below check that quotas carry, not only single decisions."""
    alone = pa.Table.from_pylist([dict(o, account=dict(o["account"], id=f"alone-{i}")) for i, o in enumerate(orders)])
    texts = policy.evaluate_many(alone, with_json=True).column("decision").to_pylist()
    differing = sum(1 for text, wanted in zip(texts, expected) if text != wanted)
    assert differing > MANY // 100, differing
    assert sum(1 for text in expected if text.startswith('{"error"')) < MANY // 100


def test_a_list_of_dicts(policy, orders, expected):
    present = [{k: v for k, v in order.items() if v is not None} for order in orders]
    decisions = policy.evaluate_many(present)
    assert isinstance(decisions, list)
    assert decisions == [json.loads(text, parse_float=Decimal) for text in expected]


def test_an_arrow_table(policy, table, expected):
    decided = policy.evaluate_many(table, with_json=True)
    assert isinstance(decided, pa.Table)
    assert decided.column("id").to_pylist() == table.column("id").to_pylist()
    assert decided.schema.field("amount").type == pa.decimal128(38, 2)
    _same_as_batch(decided, expected)


def test_a_pandas_data_frame(policy, table, expected):
    import pandas as pd

    frame = table.to_pandas()
    decided = policy.evaluate_many(frame, with_json=True)
    assert isinstance(decided, pd.DataFrame)
    assert list(decided["id"]) == list(frame["id"])
    assert isinstance(decided["amount"].dropna().iloc[0], Decimal)
    _same_as_batch(pa.Table.from_pandas(decided[COLUMNS], preserve_index=False), expected)


def test_a_polars_data_frame(policy, table, expected):
    import polars as pl

    frame = pl.from_arrow(table)
    decided = policy.evaluate_many(frame, with_json=True)
    assert isinstance(decided, pl.DataFrame)
    assert decided["id"].to_list() == frame["id"].to_list()
    _same_as_batch(decided.select(COLUMNS).to_arrow(), expected)


def test_flat_dotted_columns_read_as_in_a_csv(policy, table, expected):
    flat = table.slice(0, 2_000).flatten().flatten()
    assert "paid.cash" in flat.column_names
    _same_as_batch(policy.evaluate_many(flat, with_json=True), expected[:2_000])


def test_bad_rows_become_error_records_not_exceptions(policy, orders):
    rows = [dict(orders[0]), dict(orders[1], paid={"cash": "twelve"})]
    rows = [{k: v for k, v in row.items() if v is not None} for row in rows]
    decisions = policy.evaluate_many(rows)
    assert "outcome" in decisions[0]
    assert decisions[1]["error"].startswith("E201") and "paid.cash" in decisions[1]["error"]


def test_float_money_is_refused_with_a_fix(policy):
    table = pa.table({"id": ["a"], "list_price": pa.array([1.5], pa.float64())})
    with pytest.raises(TypeError, match="decimal.Decimal or as text"):
        policy.evaluate_many(table)


def test_decimal_columns_and_aware_times_read_as_text(policy, orders):
    base = orders[0]
    typed = dict(
        base,
        requested_at=dt.datetime.fromisoformat(base["requested_at"]),
        list_price=Decimal(base["list_price"]),
    )
    table = pa.Table.from_pylist([typed])
    assert pa.types.is_timestamp(table.schema.field("requested_at").type)
    assert pa.types.is_decimal(table.schema.field("list_price").type)
    decided = policy.evaluate_many(table, with_json=True).column("decision").to_pylist()
    assert decided == policy.evaluate_many(pa.Table.from_pylist([base]), with_json=True).column("decision").to_pylist()
    naive = pa.table({"id": ["a"], "requested_at": pa.array([dt.datetime(2026, 1, 1)], pa.timestamp("us"))})
    with pytest.raises(TypeError, match="time zone"):
        policy.evaluate_many(naive)


def test_other_inputs_are_refused(policy):
    with pytest.raises(TypeError, match="list of dicts"):
        policy.evaluate_many("orders.jsonl")


def test_an_unreadable_table_raises_order_error(policy):
    table = pa.table({"id": ["a"], "paid.cash": ["1.00"], "paid": pa.array([{"cash": "2.00"}])})
    with pytest.raises(OrderError):
        policy.evaluate_many(table)


def test_the_orders_own_currency_stays_where_there_is_no_decision(policy, orders):
    rows = pa.Table.from_pylist([orders[0], dict(orders[1], paid={"cash": "twelve"})])
    decided = policy.evaluate_many(rows)
    assert decided.column("currency").to_pylist() == ["CNY", "CNY"]
    assert decided.column("error").to_pylist()[1].startswith("E201")
