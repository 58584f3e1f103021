"""The compiled engine (Rust, pyo3). Use it through ``refund_rules``; this module may change."""

from typing import Any, Dict, List, Optional, Tuple

class RefundRulesError(Exception):
    """Every error of refund_rules: ``code`` (``E001``...), ``line``/``column`` in the policy
    (or ``None``), ``path`` (the order's JSON field at fault, or ``None``) and ``help``."""

    code: Optional[str]
    line: Optional[int]
    column: Optional[int]
    path: Optional[str]
    help: Optional[str]

class PolicyError(RefundRulesError):
    """The policy does not parse or check. ``str(error)`` shows each problem with a caret."""

    file_name: str
    diagnostics: List[Dict[str, Any]]

class OrderError(RefundRulesError):
    """The order is not a valid order; ``path`` names the field (``paid.cash``)."""

class EvalError(RefundRulesError):
    """The policy cannot decide the order (no rule matches, a division by zero, ...)."""

class Policy:
    @staticmethod
    def parse(text: str, file_name: str = "<policy>") -> "Policy": ...
    @staticmethod
    def from_file(path: str) -> "Policy": ...
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def versions(self) -> List[str]: ...
    @property
    def source(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    def examples_json(self) -> List[Tuple[str, str, List[str]]]: ...
    def evaluate_json(self, order: str) -> str: ...
    def explain_json(self, order: str) -> str: ...

class Decider:
    """Decides orders a part at a time, carrying each account's quota and 12-month total."""

    def __init__(self, policy: Policy) -> None: ...
    def decide(self, blocks: List[bytes], csv: bool, with_json: bool = False) -> Dict[str, Any]: ...
