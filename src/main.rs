//! `refund`: evaluate orders, check policies and run their examples from the command line.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
