use std::process::ExitCode;

fn main() -> ExitCode {
    onehour::cli::main()
}
