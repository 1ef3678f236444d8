fn main() {
    eprintln!("maillage: not built yet");
    std::process::exit(1);
}
