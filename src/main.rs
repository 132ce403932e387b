use clap::Parser;

fn main() {
    // Behave like a Unix tool when the reader goes away (`bientap list | head`): end quietly.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = bientap::cli::Cli::parse_from(bientap::cli::nfc_args());
    std::process::exit(bientap::cli::run(cli));
}
