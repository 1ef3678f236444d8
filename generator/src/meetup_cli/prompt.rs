//! Questions for what the flags of `maillage meetup new` leave out, one a
//! line on the terminal (or any input: the answers can be piped in).

use std::io::{BufRead, Write};

use crate::failure::{Failure, Outcome};

pub(super) struct Prompter<'a> {
    input: &'a mut dyn BufRead,
    output: &'a mut dyn Write,
}

impl<'a> Prompter<'a> {
    pub(super) fn new(input: &'a mut dyn BufRead, output: &'a mut dyn Write) -> Prompter<'a> {
        Prompter { input, output }
    }

    /// Asks until `check` accepts the answer; `flag` names the option that
    /// gives it without a question, for when the input ends.
    pub(super) fn ask<T>(
        &mut self,
        question: &str,
        flag: &str,
        check: impl Fn(&str) -> Result<T, String>,
    ) -> Outcome<T> {
        loop {
            let answer = self.line(question, flag)?;
            match check(&answer) {
                Ok(value) => return Ok(value),
                Err(why) => {
                    let _ = writeln!(self.output, "  {why}");
                }
            }
        }
    }

    /// Lines until an empty one.
    pub(super) fn ask_lines(&mut self, question: &str, flag: &str) -> Outcome<Vec<String>> {
        let _ = writeln!(self.output, "{question} (one a line; an empty line ends)");
        let mut lines = Vec::new();
        loop {
            let line = self.line("  ", flag)?;
            if line.is_empty() {
                return Ok(lines);
            }
            lines.push(line);
        }
    }

    fn line(&mut self, question: &str, flag: &str) -> Outcome<String> {
        let _ = write!(self.output, "{question} ");
        let _ = self.output.flush();
        let mut answer = String::new();
        let read = self
            .input
            .read_line(&mut answer)
            .map_err(|e| Failure::other("the answers", e))?;
        if read == 0 {
            return Err(Failure::other(
                flag,
                "missing (the input ended before this question was answered)",
            ));
        }
        Ok(answer.trim().to_string())
    }
}
