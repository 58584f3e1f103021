//! `refund eval` and `refund explain`.

use std::path::{Path, PathBuf};

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::{EvalError, Policy};

use super::{check::load, orders, receipt, Exit, ReceiptFormat as Format};
use super::{out, outln};

/// Decides every order in `order_files` with the policy at `policy_path`.
pub fn run(policy_path: &Path, order_files: &[PathBuf], format: Format, explain: bool) -> Exit {
    let policy = match load(policy_path) {
        Ok(policy) => policy,
        Err(exit) => return exit,
    };
    let mut exit = Exit::Ok;
    let mut decisions = Vec::new();
    let mut many = order_files.len() > 1;
    for file in order_files {
        let inputs = match orders::read(file) {
            Ok((inputs, batch)) => {
                many |= batch;
                inputs
            }
            Err(message) => {
                eprintln!("error: {message}");
                exit = exit.and(Exit::Input);
                continue;
            }
        };
        for input in inputs {
            let decided = input.order.map_err(EvalError::from).and_then(|order| {
                if explain {
                    policy.explain(&order)
                } else {
                    policy.evaluate(&order)
                }
            });
            match decided {
                Ok(decision) => {
                    match format {
                        Format::Text => out!("{}", receipt::render(&decision)),
                        Format::Markdown => {
                            let gap = if decisions.is_empty() { "" } else { "\n" };
                            out!("{gap}{}", receipt::markdown(&decision));
                        }
                        Format::Json => {}
                    }
                    decisions.push(decision);
                }
                Err(error) => exit = exit.and(report(&policy, policy_path, &input.origin, &error)),
            }
        }
    }
    if format == Format::Json {
        let json = if many {
            serde_json::to_string_pretty(&decisions)
        } else {
            match decisions.first() {
                Some(one) => serde_json::to_string_pretty(one),
                None => Ok(String::new()),
            }
        };
        match json {
            Ok(json) if !json.is_empty() => outln!("{json}"),
            Ok(_) => {}
            Err(error) => {
                eprintln!("error: cannot write JSON: {error}");
                exit = exit.and(Exit::Input);
            }
        }
    }
    exit
}

/// Prints why an order could not be decided; says whether the order or the policy is at fault.
fn report(policy: &Policy, policy_path: &Path, origin: &str, error: &EvalError) -> Exit {
    match error {
        EvalError::Order(order_error) => {
            eprintln!("error[{}]: {origin}: {order_error}", error.code());
            Exit::Input
        }
        _ => {
            eprintln!("error: {origin}: the policy could not decide this order");
            let name = policy_path.display().to_string();
            eprint!(
                "{}",
                super::style::diagnostics(&diagnostic::render(&name, policy.source(), &[Diagnostic::from(error)]))
            );
            Exit::Policy
        }
    }
}
