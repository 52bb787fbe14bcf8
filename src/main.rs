fn main() {
    std::process::exit(ruleport::cli::run());
}
