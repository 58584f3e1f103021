//! `refund_rules._native`: the engine for Python. Thin on purpose: orders and decisions cross
//! as the library's own JSON (so a decision in Python is the CLI's decision), tables cross as
//! CSV blocks written by Arrow (the field paths as columns, as `refund batch` reads them), and
//! the Python package (`refund_rules/`) turns them into dicts, Arrow, pandas, polars and Spark.

use std::sync::Arc;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;
use refund_rules::{batch, diagnostic, Decision, EvalError, Ledger, LoadError, Policy, Position, Severity};

/// The exceptions, in a module of their own: `EvalError` is also the library's error type.
mod exceptions {
    use pyo3::create_exception;
    use pyo3::exceptions::PyException;

    create_exception!(refund_rules, RefundRulesError, PyException, "Every error of refund_rules.");
    create_exception!(
        refund_rules,
        PolicyError,
        RefundRulesError,
        "The policy does not parse or check: `code`, `line`, `column`, `help`, and every problem in `diagnostics`."
    );
    create_exception!(
        refund_rules,
        OrderError,
        RefundRulesError,
        "The order is not a valid order: `code` (E201) and `path`, the JSON field at fault (`paid.cash`)."
    );
    create_exception!(
        refund_rules,
        EvalError,
        RefundRulesError,
        "The policy cannot decide this order (no rule matches, a division by zero, a missing attribute): \
         `code`, `help`, and the `line` and `column` in the policy."
    );
}

use exceptions::{OrderError, PolicyError, RefundRulesError};

/// A checked policy, ready to decide orders on any thread.
#[pyclass(frozen, module = "refund_rules._native", name = "Policy")]
struct PyPolicy {
    policy: Arc<Policy>,
    file_name: String,
}

#[pymethods]
impl PyPolicy {
    /// Parses and checks a policy's text; raises `PolicyError` with every problem.
    #[staticmethod]
    #[pyo3(signature = (text, file_name = "<policy>"))]
    fn parse(text: &str, file_name: &str) -> PyResult<PyPolicy> {
        match Policy::parse(text) {
            Ok(policy) => Ok(PyPolicy { policy: Arc::new(policy), file_name: file_name.to_owned() }),
            Err(error) => Err(Python::with_gil(|py| policy_error(py, file_name, text, &error))),
        }
    }

    /// Reads, parses and checks a policy file.
    #[staticmethod]
    fn from_file(path: std::path::PathBuf) -> PyResult<PyPolicy> {
        let file_name = path.display().to_string();
        match Policy::from_file(&path) {
            Ok(policy) => Ok(PyPolicy { policy: Arc::new(policy), file_name }),
            Err(LoadError::Policy { path, text, error }) => {
                Err(Python::with_gil(|py| policy_error(py, &path, &text, &error)))
            }
            Err(error) => Err(PyOSError::new_err(error.to_string())),
        }
    }

    #[getter]
    fn id(&self) -> &str {
        self.policy.id()
    }

    #[getter]
    fn name(&self) -> &str {
        self.policy.name()
    }

    #[getter]
    fn currency(&self) -> &str {
        self.policy.currency()
    }

    #[getter]
    fn versions(&self) -> Vec<String> {
        self.policy.versions().into_iter().map(str::to_owned).collect()
    }

    #[getter]
    fn source(&self) -> &str {
        self.policy.source()
    }

    #[getter]
    fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The policy's in-file examples: (name, order JSON, failures), in the file's order.
    fn examples_json(&self) -> PyResult<Vec<(String, String, Vec<String>)>> {
        let orders = self.policy.example_orders();
        let results = self.policy.run_examples();
        orders
            .iter()
            .zip(results)
            .map(|(order, result)| {
                let json = serde_json::to_string(order).map_err(|e| PyValueError::new_err(e.to_string()))?;
                Ok((result.name, json, result.failures))
            })
            .collect()
    }

    /// The decision JSON of one order given as JSON (the GIL released while deciding).
    fn evaluate_json(&self, py: Python<'_>, order: &str) -> PyResult<String> {
        let decided = py.allow_threads(|| self.policy.evaluate_json(order));
        self.decision_json(py, decided)
    }

    /// As `evaluate_json`, with the trace: every rule tried and the arithmetic.
    fn explain_json(&self, py: Python<'_>, order: &str) -> PyResult<String> {
        let decided = py.allow_threads(|| {
            refund_rules::Order::from_json(order).map_err(EvalError::from).and_then(|order| self.policy.explain(&order))
        });
        self.decision_json(py, decided)
    }
}

impl PyPolicy {
    fn decision_json(&self, py: Python<'_>, decided: Result<Decision, EvalError>) -> PyResult<String> {
        match decided {
            Ok(decision) => serde_json::to_string(&decision).map_err(|e| PyValueError::new_err(e.to_string())),
            Err(error) => Err(eval_error(py, &self.policy, &error)),
        }
    }
}

/// Decides orders a part at a time with one ledger, so that each account's no-reason quota
/// and 12-month total carry from part to part exactly as in `refund batch`.
#[pyclass(module = "refund_rules._native")]
struct Decider {
    policy: Arc<Policy>,
    ledger: Ledger,
}

#[pymethods]
impl Decider {
    #[new]
    fn new(policy: &PyPolicy) -> Decider {
        Decider { policy: policy.policy.clone(), ledger: Ledger::for_policy(&policy.policy) }
    }

    /// Decides the records of `blocks` (each a CSV text with its header row, or JSON Lines),
    /// in order, and returns the decision columns as a dict of lists. The GIL is released
    /// while reading and deciding, which use every core.
    #[pyo3(signature = (blocks, csv, with_json = false))]
    fn decide<'py>(
        &mut self,
        py: Python<'py>,
        blocks: Vec<Vec<u8>>,
        csv: bool,
        with_json: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let policy = &self.policy;
        let ledger = &mut self.ledger;
        let columns = py.allow_threads(move || -> Result<Columns, String> {
            let parts: Vec<Vec<batch::Record>> = blocks
                .par_iter()
                .map(|block| {
                    let text = std::str::from_utf8(block).map_err(|e| format!("the orders are not UTF-8 text: {e}"))?;
                    batch::read_all(text, csv).map_err(|e| e.to_string())
                })
                .collect::<Result<_, String>>()?;
            let records: Vec<batch::Record> = parts.into_iter().flatten().collect();
            let results = batch::decide_records_with(policy, &records, ledger);
            Ok(Columns::of(&results, with_json))
        });
        let columns = columns.map_err(|message| {
            let error = OrderError::new_err(message.clone());
            let _ = error.value(py).setattr("code", "E201");
            error
        })?;
        columns.into_dict(py)
    }
}

/// The decisions of a table, a column at a time; `refunds` as flat lists with offsets, which
/// Arrow turns into a list of structs without a Python object per refund.
#[derive(Default)]
struct Columns {
    outcome: Vec<Option<&'static str>>,
    rule: Vec<Option<String>>,
    amount: Vec<Option<String>>,
    currency: Vec<Option<String>>,
    review: Vec<Option<&'static str>>,
    error: Vec<Option<String>>,
    refund_offsets: Vec<i32>,
    refund_to: Vec<&'static str>,
    refund_amount: Vec<String>,
    decision: Option<Vec<Option<String>>>,
    scale: u32,
}

impl Columns {
    fn of(results: &[Result<Decision, String>], with_json: bool) -> Columns {
        let count = results.len();
        let mut columns = Columns {
            outcome: Vec::with_capacity(count),
            rule: Vec::with_capacity(count),
            amount: Vec::with_capacity(count),
            currency: Vec::with_capacity(count),
            review: Vec::with_capacity(count),
            error: Vec::with_capacity(count),
            refund_offsets: Vec::with_capacity(count + 1),
            ..Columns::default()
        };
        columns.refund_offsets.push(0);
        for result in results {
            match result {
                Ok(decision) => {
                    columns.outcome.push(Some(decision.outcome.as_str()));
                    columns.rule.push(Some(decision.rule.clone()));
                    columns.amount.push(Some(refund_rules::money_text(decision.amount)));
                    columns.scale = columns.scale.max(decision.amount.scale());
                    columns.currency.push(Some(decision.currency.clone()));
                    columns.review.push(Some(match decision.review {
                        refund_rules::Review::Manual => "manual",
                        _ => "auto",
                    }));
                    columns.error.push(None);
                    for refund in &decision.refunds {
                        columns.refund_to.push(refund.to.as_str());
                        columns.refund_amount.push(refund_rules::money_text(refund.amount));
                        columns.scale = columns.scale.max(refund.amount.scale());
                    }
                }
                Err(error) => {
                    columns.outcome.push(None);
                    columns.rule.push(None);
                    columns.amount.push(None);
                    columns.currency.push(None);
                    columns.review.push(None);
                    columns.error.push(Some(error.clone()));
                }
            }
            columns.refund_offsets.push(i32::try_from(columns.refund_to.len()).unwrap_or(i32::MAX));
        }
        if with_json {
            // Serializing a decision costs more than deciding it: on every core.
            columns.decision = Some(
                results
                    .par_iter()
                    .map(|result| result.as_ref().ok().and_then(|d| serde_json::to_string(d).ok()))
                    .collect(),
            );
        }
        columns
    }

    fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("outcome", self.outcome)?;
        dict.set_item("rule", self.rule)?;
        dict.set_item("amount", self.amount)?;
        dict.set_item("currency", self.currency)?;
        dict.set_item("review", self.review)?;
        dict.set_item("error", self.error)?;
        dict.set_item("refund_offsets", self.refund_offsets)?;
        dict.set_item("refund_to", self.refund_to)?;
        dict.set_item("refund_amount", self.refund_amount)?;
        dict.set_item("scale", self.scale)?;
        if let Some(decision) = self.decision {
            dict.set_item("decision", decision)?;
        }
        Ok(dict)
    }
}

/// `PolicyError` with the rendered problems (caret and help), the first error's code and
/// position, and every problem as a dict.
fn policy_error(py: Python<'_>, file_name: &str, source: &str, error: &refund_rules::PolicyError) -> PyErr {
    let diagnostics = error.diagnostics();
    let rendered = diagnostic::render(file_name, source, &diagnostics);
    let exception = PolicyError::new_err(rendered.trim_end().to_owned());
    let first = diagnostics.iter().find(|d| matches!(d.severity, Severity::Error)).or(diagnostics.first());
    let value = exception.value(py);
    let list = PyList::empty(py);
    let described: PyResult<()> = (|| {
        for d in &diagnostics {
            let item = PyDict::new(py);
            item.set_item("code", d.code)?;
            item.set_item("severity", if matches!(d.severity, Severity::Error) { "error" } else { "warning" })?;
            item.set_item("message", &d.message)?;
            let position = d.position(source);
            item.set_item("line", position.map(|p| p.line))?;
            item.set_item("column", position.map(|p| p.column))?;
            item.set_item("help", &d.help)?;
            list.append(item)?;
        }
        let position = first.and_then(|d| d.position(source));
        value.setattr("code", first.map(|d| d.code))?;
        value.setattr("line", position.map(|p| p.line))?;
        value.setattr("column", position.map(|p| p.column))?;
        value.setattr("help", first.and_then(|d| d.help.clone()))?;
        value.setattr("file_name", file_name)?;
        value.setattr("path", py.None())?;
        value.setattr("diagnostics", list)?;
        Ok(())
    })();
    match described {
        Ok(()) => exception,
        Err(failure) => failure,
    }
}

/// `OrderError` (the order's fault, with its JSON field) or `EvalError` (the policy cannot
/// decide it, with the line and column of the policy where it stopped).
fn eval_error(py: Python<'_>, policy: &Policy, error: &EvalError) -> PyErr {
    let (exception, path) = match error {
        EvalError::Order(order) => (OrderError::new_err(error.to_string()), Some(order.path().to_owned())),
        _ => (exceptions::EvalError::new_err(error.to_string()), None),
    };
    let position = error.span().map(|span| Position::of(policy.source(), span.start));
    let value = exception.value(py);
    let described: PyResult<()> = (|| {
        value.setattr("code", error.code())?;
        value.setattr("path", path)?;
        value.setattr("line", position.map(|p| p.line))?;
        value.setattr("column", position.map(|p| p.column))?;
        value.setattr("help", error.help())?;
        Ok(())
    })();
    match described {
        Ok(()) => exception,
        Err(failure) => failure,
    }
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_class::<PyPolicy>()?;
    module.add_class::<Decider>()?;
    module.add("RefundRulesError", py.get_type::<RefundRulesError>())?;
    module.add("PolicyError", py.get_type::<PolicyError>())?;
    module.add("OrderError", py.get_type::<OrderError>())?;
    module.add("EvalError", py.get_type::<exceptions::EvalError>())?;
    Ok(())
}
