//! The book's calculator server computes what a client sends. Here that is whole-number
//! arithmetic: `+ - * /` with the usual precedence, parentheses and unary minus, by recursive
//! descent; `/` truncates toward zero, as Rust's does. Bad input is answered with a reason.

/// Evaluates `expr`, or says what is wrong with it.
pub fn eval(expr: &str) -> Result<i64, String> {
    let mut p = Parser { s: expr.as_bytes(), at: 0 };
    let v = p.sum()?;
    p.space();
    match p.peek() {
        None => Ok(v),
        Some(c) => Err(format!("unexpected '{}' at {}", c as char, p.at + 1)),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn sum(&mut self) -> Result<i64, String> {
        let mut v = self.product()?;
        loop {
            self.space();
            let op = match self.peek() {
                Some(op @ (b'+' | b'-')) => op,
                _ => return Ok(v),
            };
            self.at += 1;
            let r = self.product()?;
            v = if op == b'+' { v.checked_add(r) } else { v.checked_sub(r) }.ok_or("overflow")?;
        }
    }

    fn product(&mut self) -> Result<i64, String> {
        let mut v = self.atom()?;
        loop {
            self.space();
            let op = match self.peek() {
                Some(op @ (b'*' | b'/')) => op,
                _ => return Ok(v),
            };
            self.at += 1;
            let r = self.atom()?;
            v = match op {
                b'*' => v.checked_mul(r).ok_or("overflow")?,
                _ if r == 0 => return Err("division by zero".into()),
                _ => v.checked_div(r).ok_or("overflow")?,
            };
        }
    }

    fn atom(&mut self) -> Result<i64, String> {
        self.space();
        match self.peek() {
            Some(b'(') => {
                self.at += 1;
                let v = self.sum()?;
                self.space();
                if self.peek() != Some(b')') {
                    return Err(format!("expected ')' at {}", self.at + 1));
                }
                self.at += 1;
                Ok(v)
            }
            Some(b'-') => {
                self.at += 1;
                self.atom()?.checked_neg().ok_or_else(|| "overflow".into())
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.at += 1;
                }
                std::str::from_utf8(&self.s[start..self.at]).expect("digits are ASCII").parse().map_err(|_| "overflow".to_string())
            }
            Some(c) => Err(format!("unexpected '{}' at {}", c as char, self.at + 1)),
            None => Err("expected a number at the end".into()),
        }
    }
}
