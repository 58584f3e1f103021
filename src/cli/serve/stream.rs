//! The output of `POST .../batch`: the batch tool writes JSON Lines into this, and each whole
//! line is recorded in the decision log, counted, then sent to the client as it comes.

use std::io::Write;

use axum::body::Bytes;
use tokio::sync::mpsc::Sender;

use super::decision_log::Asked;
use super::Shared;

/// A `Write` that sends whole lines to the response body.
pub struct Lines {
    sender: Sender<std::io::Result<Bytes>>,
    state: Shared,
    request_id: String,
    pending: Vec<u8>,
}

impl Lines {
    /// Lines for one request.
    pub fn new(sender: Sender<std::io::Result<Bytes>>, state: Shared, request_id: String) -> Lines {
        Lines { sender, state, request_id, pending: Vec::new() }
    }

    /// Records and sends every whole line written so far.
    fn send_whole_lines(&mut self) -> std::io::Result<()> {
        let Some(end) = self.pending.iter().rposition(|b| *b == b'\n') else {
            return Ok(());
        };
        let rest = self.pending.split_off(end + 1);
        let whole = std::mem::replace(&mut self.pending, rest);
        for line in whole.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            self.record(line)?;
        }
        self.sender
            .blocking_send(Ok(Bytes::from(whole)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client has gone"))
    }

    /// A decision line goes to the decision log before it is sent; an error line is not a
    /// decision.
    fn record(&self, line: &[u8]) -> std::io::Result<()> {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(line) else {
            return Ok(());
        };
        let Some(outcome) = value.get("outcome").cloned() else {
            return Ok(());
        };
        if let Ok(outcome) = serde_json::from_value::<refund_rules::Outcome>(outcome) {
            self.state.metrics.decision(outcome);
        }
        match &self.state.decision_log {
            Some(log) => log.write_value(&Asked { request_id: &self.request_id, endpoint: "batch" }, &value),
            None => Ok(()),
        }
    }
}

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.contains(&b'\n') {
            self.send_whole_lines()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send_whole_lines()?;
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.sender
                .blocking_send(Ok(Bytes::from(rest)))
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client has gone"))?;
        }
        Ok(())
    }
}
