fn main() -> std::process::ExitCode {
    cells_auth::cli::main()
}
