//! `cells-auth-assets DIR`: writes what the packages install beside the
//! `cells-auth` binary, from the same clap definition it parses with:
//!
//!   DIR/man/cells-auth.1, cells-auth-login.1, ...   the man pages
//!   DIR/completions/cells-auth.bash         bash
//!   DIR/completions/_cells-auth             zsh
//!   DIR/completions/cells-auth.fish         fish

mod args;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory as _;
use clap_complete::Shell;

fn main() -> ExitCode {
    let mut arguments = std::env::args_os().skip(1);
    let (Some(dir), None) = (arguments.next(), arguments.next()) else {
        eprintln!("cells-auth-assets: give one directory to write into: cells-auth-assets DIR");
        return ExitCode::from(64);
    };
    match write_all(&PathBuf::from(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("cells-auth-assets: {why}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(dir: &Path) -> Result<(), String> {
    let command = args::Cli::command();
    let name = command.get_name().to_string();
    let create = |sub: &str| {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path)
            .map(|()| path)
            .map_err(|e| format!("cannot create {}: {e}", dir.join(sub).display()))
    };

    // cells-auth.1, and one page per command (cells-auth-login.1, ...) that it refers to.
    let man = create("man")?;
    clap_mangen::generate_to(command.clone(), &man).map_err(|e| format!("cannot write the man pages: {e}"))?;

    let completions = create("completions")?;
    for (shell, file) in
        [(Shell::Bash, format!("{name}.bash")), (Shell::Zsh, format!("_{name}")), (Shell::Fish, format!("{name}.fish"))]
    {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command.clone(), &name, &mut script);
        write(&completions.join(file), &script)?;
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
