"""Many orders at once: lists of dicts, Arrow tables, pandas and polars DataFrames.

Tables reach the engine as CSV blocks written by Arrow's C++ writer, with the order's field
paths as columns (``paid.cash``), exactly what ``refund batch`` reads from a CSV file: one
reading of orders for the CLI and for Python, and no Python object per cell on the way in.
"""

from __future__ import annotations

import decimal
import io
import json
from typing import TYPE_CHECKING, Any, Dict, List, Sequence

from . import _native

if TYPE_CHECKING:
    import pyarrow

#: Records per block handed to the engine: blocks are read on every core.
BLOCK = 8192

#: Spark's decimal scale for money: the largest number of minor units of any ISO 4217 currency.
MONEY_SCALE = 4


def evaluate_many(policy: Any, orders: Any, *, with_json: bool) -> Any:
    decider = _native.Decider(policy._native)
    if isinstance(orders, (list, tuple)):
        return _decide_dicts(decider, orders, with_json)
    module = type(orders).__module__.split(".")[0]
    if module == "pyarrow":
        return append_decisions(orders, decide_table(decider, orders, with_json=with_json))
    if module == "pandas":
        import pyarrow as pa

        table = pa.Table.from_pandas(orders, preserve_index=False)
        decisions = decide_table(decider, table, with_json=with_json)
        result = orders.copy()
        for name in decisions.column_names:
            result[name] = decisions.column(name).to_pandas().values
        return result
    if module == "polars":
        import polars as pl

        decisions = decide_table(decider, orders.to_arrow(), with_json=with_json)
        return orders.with_columns(pl.from_arrow(decisions).get_columns())
    raise TypeError(
        f"evaluate_many takes a list of dicts, a pyarrow.Table, or a pandas or polars DataFrame, "
        f"not {type(orders).__name__}"
    )


def _decide_dicts(decider: Any, orders: Sequence[Any], with_json: bool) -> List[Dict[str, Any]]:
    from . import _order_json

    lines = [_order_json(order).replace("\n", " ") for order in orders]
    blocks = ["\n".join(lines[start : start + BLOCK]).encode("utf-8") for start in range(0, len(lines), BLOCK)]
    columns = decider.decide(blocks, csv=False, with_json=True)
    decisions = []
    for text, error in zip(columns["decision"], columns["error"]):
        if text is None:
            decisions.append({"error": error})
        else:
            decisions.append(json.loads(text, parse_float=decimal.Decimal))
    if len(decisions) != len(orders):
        raise ValueError(f"{len(orders)} orders gave {len(decisions)} decisions: is one of them empty?")
    return decisions


def csv_blocks(table: "pyarrow.Table") -> List[bytes]:
    """The table as CSV blocks of the order's field paths: structs flattened to ``a.b`` columns,
    times as RFC 3339 text. Money must be decimal or text: a float is refused, not rounded."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    columns = []
    for field, column in zip(table.schema, table.columns):
        kind = field.type
        if pa.types.is_floating(kind):
            raise TypeError(
                f"the column {field.name!r} holds floats, which cannot hold money exactly: "
                "give it as decimal.Decimal or as text ('120.00'); in pandas, read the file with dtype=str"
            )
        if pa.types.is_timestamp(kind):
            if kind.tz is None:
                raise TypeError(
                    f"the column {field.name!r} holds times without a time zone: give them a zone "
                    "(pandas: .dt.tz_localize('Asia/Shanghai'); polars: .dt.replace_time_zone(...)) "
                    "or give RFC 3339 text with an offset"
                )
            utc = column.cast(pa.timestamp(kind.unit, tz="UTC"))
            column = pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ")
        elif pa.types.is_date(kind):
            column = column.cast(pa.string())
        elif pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
        columns.append(column)
    table = pa.table(columns, names=table.column_names)
    blocks = []
    for start in range(0, max(table.num_rows, 1), BLOCK):
        sink = io.BytesIO()
        pacsv.write_csv(table.slice(start, BLOCK), sink)
        blocks.append(sink.getvalue())
    return blocks if table.num_rows else []


def decide_table(
    decider: Any, table: "pyarrow.Table", *, with_json: bool, money_scale: "int | None" = None
) -> "pyarrow.Table":
    """The decision columns of a table's orders, one row per row. The order's own ``currency``
    column is kept where the order has no decision."""
    import pyarrow.compute as pc

    decisions = decide_blocks(decider, csv_blocks(table), table.num_rows, with_json=with_json, money_scale=money_scale)
    for index, name in enumerate(decisions.column_names):
        if name in table.column_names and table.schema.field(name).type == decisions.schema.field(name).type:
            filled = pc.coalesce(decisions.column(name), table.column(name))
            decisions = decisions.set_column(index, name, filled)
    return decisions


def decide_blocks(
    decider: Any, blocks: List[bytes], rows: int, *, with_json: bool, money_scale: "int | None" = None
) -> "pyarrow.Table":
    """The decision columns of the orders of CSV blocks (from ``csv_blocks``); money as
    ``decimal128(38, money_scale)``, by default the largest scale of the amounts."""
    import pyarrow as pa

    columns = decider.decide(blocks, csv=True, with_json=with_json)
    if len(columns["outcome"]) != rows:
        raise ValueError(f"{rows} rows gave {len(columns['outcome'])} decisions")
    scale = columns["scale"] if money_scale is None else money_scale
    money = pa.decimal128(38, scale)
    refunds = pa.ListArray.from_arrays(
        pa.array(columns["refund_offsets"], pa.int32()),
        pa.StructArray.from_arrays(
            [pa.array(columns["refund_to"], pa.string()), pa.array(columns["refund_amount"], pa.string()).cast(money)],
            names=["to", "amount"],
        ),
    )
    arrays = {
        "outcome": pa.array(columns["outcome"], pa.string()),
        "rule": pa.array(columns["rule"], pa.string()),
        "amount": pa.array(columns["amount"], pa.string()).cast(money),
        "currency": pa.array(columns["currency"], pa.string()),
        "refunds": refunds,
        "review": pa.array(columns["review"], pa.string()),
        "error": pa.array(columns["error"], pa.string()),
    }
    if with_json:
        arrays["decision"] = pa.array(columns["decision"], pa.string())
    return pa.table(arrays)


def append_decisions(table: "pyarrow.Table", decisions: "pyarrow.Table") -> "pyarrow.Table":
    for name in decisions.column_names:
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, decisions.column(name))
    return table
