use clap::Parser;

fn main() {
    let cli = bientap::cli::Cli::parse();
    std::process::exit(bientap::cli::run(cli));
}
