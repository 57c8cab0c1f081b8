fn main() -> std::process::ExitCode {
    tapin::cli::main()
}
