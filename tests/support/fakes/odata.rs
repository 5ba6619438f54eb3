//! The part of OData that Microsoft Graph v1.0 applies to the queries `collect` sends:
//! `$filter` (comparison operators, `and`/`or`/`not`, `in`, `startswith`), `$select`,
//! `$top`, `$count` and server-driven paging with `$skiptoken` / `@odata.nextLink`.
//! Anything outside that is refused with a 400, as Graph refuses what it does not
//! support, so that a query the fake does not understand fails loudly in a test.

use serde_json::{Map, Value};

/// A parsed `$filter`.
#[derive(Debug, Clone)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare(String, Op, Literal),
    In(String, Vec<Literal>),
    StartsWith(String, String),
    EndsWith(String, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone)]
pub enum Literal {
    Text(String),
    /// An unquoted value: a date-time, a number, a GUID.
    Bare(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        // A quote inside a literal is written twice.
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => s.push(c),
                        None => return Err("unterminated string literal".into()),
                    }
                }
                out.push(Token::Text(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, t: Token) -> Result<(), String> {
        match self.next() {
            Some(got) if got == t => Ok(()),
            got => Err(format!("expected {t:?}, found {got:?}")),
        }
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek_word().as_deref() == Some("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek_word().as_deref() == Some("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.peek_word().as_deref() == Some("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Filter, String> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Word(w)) if self.tokens.get(self.at) == Some(&Token::Open) => {
                let function = w.to_ascii_lowercase();
                if function != "startswith" && function != "endswith" {
                    return Err(format!("unsupported function '{w}'"));
                }
                self.at += 1;
                let Some(Token::Word(property)) = self.next() else {
                    return Err(format!("{w}: expected a property"));
                };
                self.expect(Token::Comma)?;
                let Some(Token::Text(prefix)) = self.next() else {
                    return Err(format!("{w}: expected a string"));
                };
                self.expect(Token::Close)?;
                Ok(if function == "startswith" {
                    Filter::StartsWith(property, prefix)
                } else {
                    Filter::EndsWith(property, prefix)
                })
            }
            Some(Token::Word(property)) => {
                let op = self.peek_word().ok_or("expected an operator")?;
                self.at += 1;
                if op == "in" {
                    self.expect(Token::Open)?;
                    let mut list = vec![self.literal()?];
                    while self.tokens.get(self.at) == Some(&Token::Comma) {
                        self.at += 1;
                        list.push(self.literal()?);
                    }
                    self.expect(Token::Close)?;
                    return Ok(Filter::In(property, list));
                }
                let op = match op.as_str() {
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "gt" => Op::Gt,
                    "ge" => Op::Ge,
                    "lt" => Op::Lt,
                    "le" => Op::Le,
                    _ => return Err(format!("unsupported operator '{op}'")),
                };
                Ok(Filter::Compare(property, op, self.literal()?))
            }
            t => Err(format!("unexpected {t:?}")),
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Text(s)) => Ok(Literal::Text(s)),
            Some(Token::Word(w)) => Ok(match w.to_ascii_lowercase().as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                _ => Literal::Bare(w),
            }),
            t => Err(format!("expected a value, found {t:?}")),
        }
    }
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut p = Parser {
            tokens: tokens(text)?,
            at: 0,
        };
        let f = p.or()?;
        if p.at != p.tokens.len() {
            return Err(format!(
                "unexpected text after the expression: {:?}",
                &p.tokens[p.at..]
            ));
        }
        Ok(f)
    }

    /// Uses an operator that Entra ID's directory objects answer only as an advanced
    /// query (`ConsistencyLevel: eventual` and `$count=true`).
    pub fn is_advanced(&self) -> bool {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => a.is_advanced() || b.is_advanced(),
            Filter::Not(_) | Filter::EndsWith(..) => true,
            Filter::Compare(_, op, _) => *op == Op::Ne,
            Filter::In(..) | Filter::StartsWith(..) => false,
        }
    }

    /// The properties it reads, for checking them against the resource's schema.
    pub fn properties(&self) -> Vec<&str> {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                let mut p = a.properties();
                p.extend(b.properties());
                p
            }
            Filter::Not(a) => a.properties(),
            Filter::Compare(p, ..)
            | Filter::In(p, _)
            | Filter::StartsWith(p, _)
            | Filter::EndsWith(p, _) => {
                vec![p.as_str()]
            }
        }
    }

    pub fn matches(&self, item: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(item) && b.matches(item),
            Filter::Or(a, b) => a.matches(item) || b.matches(item),
            Filter::Not(a) => !a.matches(item),
            Filter::Compare(p, op, lit) => compare(lookup(item, p), *op, lit),
            Filter::In(p, list) => list.iter().any(|l| compare(lookup(item, p), Op::Eq, l)),
            Filter::StartsWith(p, prefix) => lookup(item, p)
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase().starts_with(&prefix.to_lowercase())),
            Filter::EndsWith(p, suffix) => lookup(item, p)
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase().ends_with(&suffix.to_lowercase())),
        }
    }
}

/// `a/b/c` in an object; property names without regard to case, as Graph reads them.
fn lookup<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('/').try_fold(item, |v, name| {
        v.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn compare(value: Option<&Value>, op: Op, lit: &Literal) -> bool {
    use std::cmp::Ordering;
    let ordering = match (value, lit) {
        (None | Some(Value::Null), Literal::Null) => Some(Ordering::Equal),
        (None | Some(Value::Null), _) | (Some(_), Literal::Null) => None,
        (Some(Value::Bool(b)), Literal::Bool(l)) => Some(b.cmp(l)),
        (Some(Value::Number(n)), Literal::Bare(l)) => n
            .as_f64()
            .zip(l.parse::<f64>().ok())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Some(Value::String(s)), Literal::Bare(l)) => match (instant(s), instant(l)) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => Some(s.to_lowercase().cmp(&l.to_lowercase())),
        },
        // Directory string comparisons do not mind letter case.
        (Some(Value::String(s)), Literal::Text(l)) => Some(s.to_lowercase().cmp(&l.to_lowercase())),
        _ => None,
    };
    match (op, ordering) {
        (Op::Ne, None) => true,
        (_, None) => false,
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
    }
}

pub fn instant(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// `$select=a,b` as a list, or `None` without it.
pub fn select(raw: Option<&str>) -> Option<Vec<String>> {
    raw.map(|s| {
        s.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    })
}

/// The selected properties of an object, with `@odata.type` kept as Graph keeps it on
/// directory objects.
pub fn project(item: &Value, select: Option<&[String]>) -> Value {
    let (Some(select), Some(object)) = (select, item.as_object()) else {
        return item.clone();
    };
    let kept: Map<String, Value> = object
        .iter()
        .filter(|(k, _)| {
            k.as_str() == "@odata.type" || select.iter().any(|s| s.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// The opaque `$skiptoken` of the page starting at `offset`.
pub fn skiptoken(offset: usize) -> String {
    format!("RFNwdAIAAQAAACo{offset:05}")
}

pub fn offset_of(token: &str) -> Option<usize> {
    token.strip_prefix("RFNwdAIAAQAAACo")?.parse().ok()
}
