fn main() -> std::process::ExitCode {
    lookout_doctor::cli::main()
}
