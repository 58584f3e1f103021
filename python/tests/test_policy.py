"""One order at a time: policies, decisions equal to the CLI's, typed errors."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

import refund_rules
from refund_rules import EvalError, OrderError, Policy, PolicyError

from conftest import POLICIES, ROOT, refund_binary

SHIPPED = sorted(POLICIES.glob("*.policy"))


def test_every_policy_ships():
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_example_orders_decide_as_the_cli(path: Path, tmp_path: Path):
    policy = Policy.from_file(path)
    examples = policy.examples()
    assert examples, f"{path.name} has no examples"
    assert all(example["passed"] for example in examples), [e["failures"] for e in examples]
    orders = tmp_path / "orders.jsonl"
    orders.write_text("".join(json.dumps(e["order"], ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    run = subprocess.run(
        [str(refund_binary()), "eval", "--format", "json", str(path), str(orders)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    from_cli = json.loads(run.stdout, parse_float=Decimal)
    if not isinstance(from_cli, list):
        from_cli = [from_cli]
    from_python = [policy.evaluate(example["order"]) for example in examples]
    assert from_python == from_cli


def test_policy_facts():
    policy = Policy.from_file(POLICIES / "tencent-cvm.policy")
    assert policy.id == "tencent_cvm"
    assert policy.currency == "CNY"
    assert policy.versions and all(isinstance(v, str) for v in policy.versions)
    assert "policy" in policy.source
    assert Policy.parse(policy.source).id == policy.id


def test_money_is_never_a_float():
    policy = Policy.from_file(POLICIES / "tencent-cvm.policy")
    order = policy.examples()[0]["order"]
    order["paid"]["cash"] = Decimal(order["paid"]["cash"])
    decision = policy.evaluate(order)

    def floats(value):
        if isinstance(value, float):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from floats(item)
        elif isinstance(value, list):
            for item in value:
                yield from floats(item)

    assert not list(floats(decision))
    assert Decimal(decision["amount"]) >= 0
    assert policy.evaluate(json.dumps(policy.examples()[0]["order"])) == policy.evaluate(policy.examples()[0]["order"])


def test_explain_adds_the_trace():
    policy = Policy.from_file(POLICIES / "tencent-cvm.policy")
    order = policy.examples()[0]["order"]
    explained = policy.explain(order)
    assert explained.pop("trace")
    # The named values of the computation come with the explanation only.
    explained.pop("values", None)
    assert explained == policy.evaluate(order)


def test_a_bad_policy_raises_policy_error_with_its_position():
    with pytest.raises(PolicyError) as raised:
        Policy.parse("policy x {", file_name="x.policy")
    error = raised.value
    assert error.code == "E001"
    assert (error.line, error.column) == (1, 11)
    assert error.help
    assert "x.policy:1:11" in str(error) and "^" in str(error)
    assert error.diagnostics[0]["code"] == "E001"
    assert isinstance(error, refund_rules.RefundRulesError)


def test_a_missing_policy_file_raises_os_error(tmp_path: Path):
    with pytest.raises(OSError):
        Policy.from_file(tmp_path / "missing.policy")


def test_a_bad_order_raises_order_error_naming_the_field():
    policy = Policy.from_file(POLICIES / "tencent-cvm.policy")
    order = policy.examples()[0]["order"]
    order["paid"]["cash"] = "twelve"
    with pytest.raises(OrderError) as raised:
        policy.evaluate(order)
    assert raised.value.code == "E201"
    assert raised.value.path == "paid.cash"
    with pytest.raises(OrderError):
        policy.evaluate("{not json")


def test_an_undecidable_order_raises_eval_error_with_the_policy_line():
    folder = ROOT / "tests" / "data" / "eval-errors"
    policy = Policy.from_file(folder / "division-by-zero.policy")
    with pytest.raises(EvalError) as raised:
        policy.evaluate((folder / "division-by-zero.json").read_text(encoding="utf-8"))
    error = raised.value
    assert error.code.startswith("E2") and error.code != "E201"
    assert error.path is None
    line = policy.source.splitlines()[error.line - 1]
    assert "/" in line[error.column - 1 :], (error.line, error.column, line)
    assert error.help


def test_non_json_values_are_refused():
    policy = Policy.from_file(POLICIES / "tencent-cvm.policy")
    order = policy.examples()[0]["order"]
    order["paid"]["cash"] = object()
    with pytest.raises(TypeError):
        policy.evaluate(order)
