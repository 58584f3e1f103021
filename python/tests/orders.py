"""Deterministic generated orders (every field the Kufanyun policy reads, spread over its
boundaries, as benches/support/orders.rs): the same seed gives the same orders, in time order,
many per account so that the no-reason quota and the 12-month totals carry."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any, Dict, List

CHINA = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 1, 10, 0, tzinfo=CHINA)


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _text(value: Decimal) -> str:
    return f"{value:.2f}"


def order(rng: random.Random, index: int, accounts: int) -> Dict[str, Any]:
    purchased = START + dt.timedelta(minutes=rng.randrange(60 * 24 * 365))
    term_days = rng.choice([30, 90, 365, 730])
    if rng.randrange(100) < 40:
        held = dt.timedelta(seconds=5 * 86_400 - 3_600 + rng.randrange(7_200))
    else:
        held = dt.timedelta(seconds=rng.randrange((term_days + 10) * 86_400))
    list_price = _cents(10_000 + rng.randrange(500_000))
    discount = _cents(rng.randrange(int(list_price * 100) // 4)) if rng.randrange(100) < 30 else Decimal("0.00")
    due = list_price - discount
    voucher = _cents(rng.randrange(int(due * 100) // 3)) if rng.randrange(100) < 40 else Decimal("0.00")
    gift = _cents(rng.randrange(int((due - voucher) * 100) // 3)) if rng.randrange(100) < 20 else Decimal("0.00")
    payg = rng.randrange(100) < 10
    result: Dict[str, Any] = {
        "id": f"gen-{index}",
        "account": {
            "id": f"acct-{rng.randrange(accounts)}",
            "arrears": _text(_cents(rng.randrange(20_000)) if rng.randrange(100) < 20 else Decimal("0.00")),
        },
        "billing": "pay_as_you_go" if payg else "subscription",
        "purchase": rng.choice(["new", "new", "renewal", "upgrade"]),
        "currency": "CNY",
        "purchased_at": purchased.isoformat(),
        "expires_at": (purchased + dt.timedelta(days=term_days)).isoformat(),
        "requested_at": (purchased + held).isoformat(),
        "list_price": _text(list_price),
        "discount": _text(discount),
        "paid": {"cash": _text(due - voucher - gift), "voucher": _text(voucher), "gift": _text(gift)},
        "payment_channel": rng.choice([None, "alipay", "bank_transfer", "wechat"]),
        "refund_to": rng.choice([None, "original", "balance"]),
        "promotion": {"name": "sale", "non_refundable": rng.randrange(100) < 50} if rng.randrange(100) < 5 else None,
        "traffic": (
            {"used_gb": str(rng.randrange(200)), "quota_gb": str(100 + rng.randrange(3) * 50)}
            if rng.randrange(100) < 30
            else None
        ),
        "banned_for_violation": rng.randrange(100) < 3,
        "deposit": _text(_cents(rng.randrange(50_000)) if payg else Decimal("0.00")),
    }
    return result


def orders(count: int, seed: int = 11, accounts: int = 1_000) -> List[Dict[str, Any]]:
    """`count` orders in time of request (then id) order, with `None` for absent fields."""
    rng = random.Random(seed)
    made = [order(rng, index, accounts) for index in range(count)]
    made.sort(key=lambda o: (dt.datetime.fromisoformat(o["requested_at"]), int(o["id"][4:])))
    return made


def json_lines(made: List[Dict[str, Any]]) -> str:
    """The orders as JSON Lines, absent fields left out."""
    return "".join(json.dumps({k: v for k, v in o.items() if v is not None}) + "\n" for o in made)
