"""Cloud-server refund policies as data, decided from Python.

>>> from refund_rules import Policy
>>> policy = Policy.from_file("policies/tencent-cvm.policy")      # doctest: +SKIP
>>> policy.evaluate(order)["amount"]                               # doctest: +SKIP
'2267.10'

A decision is a dict equal to the decision JSON of ``refund eval`` (money as exact decimal
strings, never floats). ``evaluate_many`` decides a list of dicts, a ``pyarrow.Table``, a pandas or
a polars DataFrame, carrying each account's no-reason quota and 12-month total in time order as
``refund batch`` does. ``refund_rules.spark`` does the same on a Spark cluster.
"""

from __future__ import annotations

import datetime as _datetime
import decimal as _decimal
import json as _json
import os as _os
from typing import Any, Dict, List, Mapping, Union

from . import _native
from ._native import EvalError, OrderError, PolicyError, RefundRulesError

__all__ = ["Policy", "PolicyError", "OrderError", "EvalError", "RefundRulesError", "DECISION_COLUMNS"]

#: The columns ``evaluate_many`` adds to a table (``decision`` only with ``with_json=True``).
DECISION_COLUMNS = ("outcome", "rule", "amount", "currency", "refunds", "review", "error")

Order = Union[Mapping[str, Any], str, bytes]


def _json_value(value: Any) -> Any:
    """Decimals as their exact text, times as RFC 3339: never a float on the way in."""
    if isinstance(value, _decimal.Decimal):
        return str(value)
    if isinstance(value, _datetime.datetime):
        if value.tzinfo is None:
            raise TypeError(
                f"the time {value.isoformat()} has no time zone: give an aware datetime "
                "(datetime(..., tzinfo=timezone.utc)) or an RFC 3339 string with an offset"
            )
        return value.isoformat()
    if isinstance(value, _datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a JSON value of an order")


def _order_json(order: Order) -> str:
    if isinstance(order, bytes):
        return order.decode("utf-8")
    if isinstance(order, str):
        return order
    return _json.dumps(order, default=_json_value, ensure_ascii=False)


def _decision(text: str) -> Dict[str, Any]:
    # Money is a JSON string in the decision; a number (a quota count) stays exact too.
    return _json.loads(text, parse_float=_decimal.Decimal)


class Policy:
    """A parsed and checked policy. Safe to share between threads.

    Load with :meth:`Policy.from_file` or :meth:`Policy.parse`; a policy with errors raises
    :class:`PolicyError` (``code``, ``line``, ``column``, ``help``, ``diagnostics``).
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_native.Policy") -> None:
        self._native = native

    @classmethod
    def parse(cls, text: str, file_name: str = "<policy>") -> "Policy":
        """Parses and checks the text of a policy; ``file_name`` is only shown in errors."""
        return cls(_native.Policy.parse(text, file_name))

    @classmethod
    def from_file(cls, path: Union[str, "_os.PathLike[str]"]) -> "Policy":
        """Reads, parses and checks a ``.policy`` file. Raises ``OSError`` when it cannot be read."""
        return cls(_native.Policy.from_file(_os.fspath(path)))

    @property
    def id(self) -> str:
        """The policy's id (``tencent_cvm``)."""
        return self._native.id

    @property
    def name(self) -> str:
        """The policy's display name."""
        return self._native.name

    @property
    def currency(self) -> str:
        """ISO 4217 code of its currency (``CNY``)."""
        return self._native.currency

    @property
    def versions(self) -> List[str]:
        """Its versions, by the date each starts."""
        return list(self._native.versions)

    @property
    def source(self) -> str:
        """The policy's text."""
        return self._native.source

    def examples(self) -> List[Dict[str, Any]]:
        """The examples written in the policy: ``name``, the full ``order`` (a dict, ready for
        :meth:`evaluate`), ``passed`` and the ``failures`` if the policy no longer gives the
        written result."""
        return [
            {"name": name, "order": _json.loads(order), "passed": not failures, "failures": list(failures)}
            for name, order, failures in self._native.examples_json()
        ]

    def evaluate(self, order: Order) -> Dict[str, Any]:
        """Decides one order (a dict or its JSON text): the decision JSON of ``refund eval``
        as a dict. Raises :class:`OrderError` for an invalid order, :class:`EvalError` when the
        policy cannot decide it."""
        return _decision(self._native.evaluate_json(_order_json(order)))

    def explain(self, order: Order) -> Dict[str, Any]:
        """As :meth:`evaluate`, with ``trace``: every rule tried and the arithmetic."""
        return _decision(self._native.explain_json(_order_json(order)))

    def evaluate_many(self, orders: Any, *, with_json: bool = False) -> Any:
        """Decides many orders; each account's orders in time order, carrying its no-reason
        quota and 12-month total, as ``refund batch`` does, on every core.

        ``orders`` is a list of dicts (-> a list of decision dicts, or ``{"error": ...}`` for an
        order that could not be decided), or a ``pyarrow.Table``, a pandas or a polars DataFrame
        with the order's fields as columns (nested structs, or dotted names as in ``refund
        batch``'s CSV) -> the same kind with the columns of :data:`DECISION_COLUMNS` added, and
        ``decision`` (the decision JSON) with ``with_json=True``.
        """
        from ._tables import evaluate_many

        return evaluate_many(self, orders, with_json=with_json)

    def __repr__(self) -> str:
        return f"Policy(id={self.id!r}, versions={self.versions!r})"
