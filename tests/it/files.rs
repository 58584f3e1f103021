//! The CLI never loses a file and never hangs (issue #10): an output that is the input is
//! refused, a stale temporary file or symlink is never written through, two runs never write
//! one output, a signal leaves nothing behind, and an input that cannot be read gives one error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::batch::folder;

const TENCENT: &str = "policies/tencent-cvm.policy";
const TEN_SERVERS: &str = "tests/data/batch/tencent-10-gpu-servers.jsonl";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn start(args: &[&str], stdin: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(args)
        .current_dir(root())
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `refund`; a run still going after a minute is killed and fails the test (the old
/// `batch --orders FOLDER` never ended).
fn refund(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = start(args, Stdio::piped());
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("`refund {}` did not end", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// F4: the input may be named like the old temporary file (`X.part` for `--out X`).
#[test]
fn an_input_named_like_the_temporary_file_is_read_not_truncated() {
    let dir = folder("input-named-part");
    let input = dir.join("decisions.jsonl.part");
    std::fs::copy(root().join(TEN_SERVERS), &input).unwrap();
    let out = dir.join("decisions.jsonl");
    let output = refund(&["batch", TENCENT, "--orders", path(&input), "--out", path(&out)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("10 records: 10 refund"), "{}", stderr(&output));
    assert_eq!(text(&input), text(&root().join(TEN_SERVERS)), "the input was changed");
    assert_eq!(text(&out).lines().count(), 10);
    assert_eq!(names(&dir), ["decisions.jsonl", "decisions.jsonl.part"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// F5: `--out` naming the input, a hard link to it or a symlink to it is refused; the input
/// is left as it was.
#[test]
fn an_output_that_is_the_input_is_refused() {
    let dir = folder("out-is-input");
    let orders = dir.join("orders.jsonl");
    std::fs::copy(root().join(TEN_SERVERS), &orders).unwrap();
    std::fs::hard_link(&orders, dir.join("hard-link.jsonl")).unwrap();
    std::os::unix::fs::symlink(&orders, dir.join("symlink.jsonl")).unwrap();
    for (input, out) in [
        ("orders.jsonl", "orders.jsonl"),
        ("orders.jsonl", "hard-link.jsonl"),
        ("orders.jsonl", "symlink.jsonl"),
        ("symlink.jsonl", "orders.jsonl"),
    ] {
        let (input, out) = (dir.join(input), dir.join(out));
        let output = refund(&["batch", TENCENT, "--orders", path(&input), "--out", path(&out)], None);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let message = stderr(&output).replace(path(&dir), "[dir]");
        assert!(message.contains("writing it would destroy what is being read"), "{message}");
        assert_eq!(text(&orders), text(&root().join(TEN_SERVERS)), "the orders were overwritten");
    }
    assert_eq!(names(&dir), ["hard-link.jsonl", "orders.jsonl", "symlink.jsonl"]);
    let output = refund(&["batch", TENCENT, "--orders", path(&orders), "--out", path(&orders)], None);
    insta::assert_snapshot!("out-is-input", stderr(&output).replace(path(&dir), "[dir]"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// F6: a stale `OUT.part` symlink is neither followed nor written through.
#[test]
fn a_stale_part_symlink_is_never_written_through() {
    let dir = folder("stale-symlink");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let out = dir.join("decisions.jsonl");
    std::os::unix::fs::symlink(&victim, dir.join("decisions.jsonl.part")).unwrap();
    let output = refund(&["batch", TENCENT, "--orders", TEN_SERVERS, "--out", path(&out)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(text(&victim), "keep me\n");
    assert_eq!(text(&out).lines().count(), 10);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A named pipe in a new folder, and a batch started on it (it waits for a writer).
fn batch_on_a_pipe(name: &str) -> (PathBuf, PathBuf, PathBuf, Child) {
    let dir = folder(name);
    let pipe = dir.join("orders.jsonl");
    let made = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success());
    let out = dir.join("decisions.jsonl");
    let child = start(&["batch", TENCENT, "--orders", path(&pipe), "--out", path(&out)], Stdio::null());
    // The batch has its lock and its temporary file once it waits on the pipe.
    let started = Instant::now();
    while !names(&dir).iter().any(|n| n.ends_with(".part")) {
        assert!(started.elapsed() < Duration::from_secs(60), "the batch never started: {:?}", names(&dir));
        std::thread::sleep(Duration::from_millis(20));
    }
    (dir, pipe, out, child)
}

/// F7: a second batch writing the same output is refused, naming the first one's lock; the
/// first one's output is whole.
#[test]
fn a_second_writer_of_the_same_output_is_refused() {
    let (dir, pipe, out, first) = batch_on_a_pipe("two-writers");
    let second = refund(&["batch", TENCENT, "--orders", TEN_SERVERS, "--out", path(&out)], None);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let message = stderr(&second).replace(path(&dir), "[dir]");
    insta::assert_snapshot!("second-writer", message);
    std::fs::write(&pipe, text(&root().join(TEN_SERVERS))).unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let records: Vec<serde_json::Value> = text(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 10);
    assert_eq!(names(&dir), ["decisions.jsonl", "orders.jsonl"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// F7: stopped by SIGTERM or Ctrl-C (SIGINT), a batch leaves neither its temporary file nor
/// its lock, and no output.
#[test]
fn a_stopped_batch_leaves_nothing_behind() {
    for signal in ["-TERM", "-INT"] {
        let (dir, _pipe, _out, child) = batch_on_a_pipe(&format!("signal{signal}"));
        let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let stopped = child.wait_with_output().unwrap();
        assert_eq!(stopped.status.code(), Some(130), "{signal}: {}", stderr(&stopped));
        assert_eq!(names(&dir), ["orders.jsonl"], "{signal}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// F3: a folder as the orders gives one error and ends; no output.
#[test]
fn a_folder_of_orders_gives_one_error_and_ends() {
    let dir = folder("orders-folder");
    let out = dir.join("decisions.jsonl");
    let output = refund(&["batch", TENCENT, "--orders", "tests/data/batch", "--out", path(&out)], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    insta::assert_snapshot!("orders-folder", stderr(&output).replace(path(&dir), "[dir]"));
    assert_eq!(names(&dir), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// F3: a file cut off in the middle of its last line: the lines before are decided, the last
/// one is one error record with its line number that says the input was cut off.
#[test]
fn a_file_cut_off_mid_line_gives_one_error_record_for_that_line() {
    let dir = folder("cut-off");
    let out = dir.join("decisions.jsonl");
    let output = refund(&["batch", TENCENT, "--orders", "tests/data/batch/truncated.jsonl", "--out", path(&out)], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let records: Vec<serde_json::Value> = text(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 4);
    assert!(records[..3].iter().all(|r| r["outcome"] == "refund"), "{records:?}");
    assert_eq!(records[3]["line"], 4);
    insta::assert_snapshot!("cut-off-line", records[3]["error"].as_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// F10: a CSV header with a column twice is refused, naming the column; nothing is written.
#[test]
fn a_duplicated_csv_column_is_refused_by_name() {
    let dir = folder("duplicated-column");
    let out = dir.join("decisions.csv");
    let input = "tests/data/batch/duplicated-column.csv";
    let output = refund(&["batch", TENCENT, "--orders", input, "--out", path(&out)], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output).replace(path(&dir), "[dir]");
    assert!(message.contains("`paid.cash` twice (columns 11 and 12)"), "{message}");
    insta::assert_snapshot!("duplicated-column", message);
    assert_eq!(names(&dir), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-` reads the orders of a batch from standard input.
#[test]
fn batch_reads_orders_from_standard_input() {
    let dir = folder("batch-stdin");
    let out = dir.join("decisions.jsonl");
    let orders = text(&root().join(TEN_SERVERS));
    let output = refund(&["batch", TENCENT, "--orders", "-", "--out", path(&out)], Some(&orders));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(text(&out).lines().count(), 10);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-` may stand for one input only: the second would read nothing.
#[test]
fn standard_input_is_read_once_at_most() {
    let output = refund(&["diff", "-", "-"], Some(""));
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("stdin-twice", stderr(&output));
}

/// `curve --out` writes the form its extension names, and refuses one it does not know.
#[test]
fn curve_writes_the_form_its_extension_names() {
    let dir = folder("curve");
    let args = |out: &Path| {
        ["curve", "policies/kufanyun.policy", "--order", "examples/orders/one-year-server.json", "--to", "30d"]
            .into_iter()
            .map(str::to_owned)
            .chain(["--out".to_owned(), path(out).to_owned()])
            .collect::<Vec<String>>()
    };
    let run = |out: &Path| refund(&args(out).iter().map(String::as_str).collect::<Vec<_>>(), None);
    let jpg = dir.join("chart.jpg");
    let output = run(&jpg);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    insta::assert_snapshot!("curve-unknown-extension", stderr(&output).replace(path(&dir), "[dir]"));
    assert!(!jpg.exists());
    for (name, starts) in
        [("chart.svg", &b"<svg"[..]), ("chart.png", &b"\x89PNG"[..]), ("chart.csv", &b"held_days,"[..])]
    {
        let output = run(&dir.join(name));
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        assert!(std::fs::read(dir.join(name)).unwrap().starts_with(starts), "{name}");
    }
    assert_eq!(names(&dir), ["chart.csv", "chart.png", "chart.svg"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fmt` rewrites a policy in place through the same safe write, keeping a symlink a symlink.
#[test]
fn fmt_rewrites_through_a_symlink_and_leaves_nothing_behind() {
    let dir = folder("fmt");
    let policy = dir.join("kufanyun.policy");
    let canonical = text(&root().join("policies/kufanyun.policy"));
    let careless: String = canonical.lines().map(|l| format!("{}\n", l.trim_start())).collect();
    std::fs::write(&policy, &careless).unwrap();
    let link = dir.join("link.policy");
    std::os::unix::fs::symlink(&policy, &link).unwrap();
    let output = refund(&["fmt", path(&link)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(text(&policy), canonical);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(names(&dir), ["kufanyun.policy", "link.policy"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// F7: when the disk fills up mid-write (here: a file size limit, so writes fail with EFBIG),
/// the batch exits 2, removes its temporary file and leaves the old output as it was.
#[test]
fn a_write_error_keeps_the_old_output_and_leaves_nothing_behind() {
    let dir = folder("disk-full");
    let out = dir.join("decisions.jsonl");
    std::fs::write(&out, "the old decisions\n").unwrap();
    let command = format!(
        "trap '' XFSZ; ulimit -f 4; exec '{}' batch {TENCENT} --orders {TEN_SERVERS} --out '{}'",
        env!("CARGO_BIN_EXE_refund"),
        path(&out)
    );
    let output = Command::new("sh").args(["-c", &command]).current_dir(root()).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    insta::assert_snapshot!("write-error", stderr(&output).replace(path(&dir), "[dir]"));
    assert_eq!(text(&out), "the old decisions\n");
    assert_eq!(names(&dir), ["decisions.jsonl"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
