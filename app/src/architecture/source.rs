//! Reading Rust source as far as the architecture checks need: tokens
//! without comments, literals and lifetimes ([`lex`]), and per file the
//! items it defines, its `use` trees, the paths it writes and its
//! `#[cfg(test)]` parts ([`parse`]).

use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
}

/// Tokens of Rust source with their lines; comments, literals and
/// lifetimes are dropped.
pub(super) fn lex(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    // Skips a quoted literal whose opening quote is at `i`; returns the end.
    let skip_quoted = |mut i: usize, quote: char, line: &mut usize| {
        i += 1;
        while i < c.len() && c[i] != quote {
            if c[i] == '\\' {
                i += 1;
            }
            if at(i) == '\n' {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_quoted(i, '"', &mut line);
        } else if ch == '\'' {
            if at(i + 1) == '\\' || (at(i + 2) == '\'' && at(i + 1) != '\'') {
                i = skip_quoted(i, '\'', &mut line);
            } else {
                // A lifetime or label: skip its name too.
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
        } else if ch.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if raw && (at(i) == '#' || at(i) == '"') {
                let hashes = (i..).take_while(|&k| at(k) == '#').count();
                if at(i + hashes) == '"' {
                    // A raw string: ends at `"` and as many `#`.
                    i += hashes + 1;
                    while i < c.len() && !(c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#')) {
                        line += usize::from(c[i] == '\n');
                        i += 1;
                    }
                    i += hashes + 1;
                    continue;
                }
                if word == "r" && hashes == 1 {
                    i += 1; // `r#ident`: the identifier follows.
                    continue;
                }
            }
            if matches!(word.as_str(), "b" | "c") && (at(i) == '"' || at(i) == '\'') {
                i = skip_quoted(i, at(i), &mut line);
                continue;
            }
            out.push((Tok::Ident(word), line));
        } else if ch == ':' && at(i + 1) == ':' {
            out.push((Tok::Sep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// One `use` leaf: a named import (`bind`) or a glob (`None`).
#[derive(Clone, Debug)]
pub(super) struct Use {
    pub(super) scope: Vec<String>,
    pub(super) path: Vec<String>,
    pub(super) bind: Option<String>,
    pub(super) public: bool,
    pub(super) line: usize,
}

/// What one file says, as far as the check needs.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// Names of the items defined at the file's top level.
    pub(super) defined: BTreeSet<String>,
    /// Inline modules (not `#[cfg(test)]`), as paths below the file's module.
    pub(super) inline: Vec<Vec<String>>,
    pub(super) uses: Vec<Use>,
    /// Paths written in code: (scope, segments, line).
    pub(super) paths: Vec<(Vec<String>, Vec<String>, usize)>,
    /// Every identifier outside `use` statements and attributes.
    pub(super) idents: BTreeSet<String>,
    /// `#[cfg(test)] mod x;`: child files that are tests.
    pub(super) test_children: Vec<String>,
    /// Lines outside `#[cfg(test)]` modules and items.
    pub(super) code_lines: usize,
}

fn is(t: Option<&(Tok, usize)>, want: &str) -> bool {
    matches!(t, Some((Tok::Ident(w), _)) if w == want)
}

fn punct(t: Option<&(Tok, usize)>, want: char) -> bool {
    matches!(t, Some((Tok::Punct(p), _)) if *p == want)
}

/// Index just past the bracket group opening at `i`.
fn skip_group(toks: &[(Tok, usize)], mut i: usize) -> usize {
    let mut depth = 0i32;
    while i < toks.len() {
        match toks[i].0 {
            Tok::Punct('{' | '[' | '(') => depth += 1,
            Tok::Punct('}' | ']' | ')') => depth -= 1,
            _ => {}
        }
        i += 1;
        if depth == 0 {
            break;
        }
    }
    i
}

/// Parses a use tree at `i` below `prefix`; returns the index after it.
fn use_tree(
    toks: &[(Tok, usize)],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) -> usize {
    if matches!(toks.get(i), Some((Tok::Sep, _))) {
        prefix.push("::".into()); // `::extern_crate`, never ours
        i += 1;
    }
    loop {
        match toks.get(i).map(|t| &t.0) {
            Some(Tok::Punct('{')) => {
                i += 1;
                while i < toks.len() && !punct(toks.get(i), '}') {
                    i = use_tree(toks, i, prefix.clone(), out);
                    if punct(toks.get(i), ',') {
                        i += 1;
                    }
                }
                return i + 1;
            }
            Some(Tok::Punct('*')) => {
                out.push((prefix, None));
                return i + 1;
            }
            Some(Tok::Ident(name)) if matches!(toks.get(i + 1), Some((Tok::Sep, _))) => {
                prefix.push(name.clone());
                i += 2;
            }
            Some(Tok::Ident(name)) => {
                let mut bind = if name == "self" {
                    prefix.last().cloned().unwrap_or_default()
                } else {
                    name.clone()
                };
                if name != "self" {
                    prefix.push(name.clone());
                }
                i += 1;
                if is(toks.get(i), "as") {
                    if let Some((Tok::Ident(alias), _)) = toks.get(i + 1) {
                        bind = alias.clone();
                    }
                    i += 2;
                }
                out.push((prefix, Some(bind)));
                return i;
            }
            _ => return i + 1,
        }
    }
}

/// Whether an attribute's tokens are a `cfg` that holds only under test.
fn cfg_test(attr: &[(Tok, usize)]) -> bool {
    is(attr.first(), "cfg")
        && (0..attr.len())
            .any(|k| is(attr.get(k), "test") && !(k >= 2 && is(attr.get(k - 2), "not")))
}

pub(super) fn parse(src: &str) -> Parsed {
    let toks = lex(src);
    let mut p = Parsed {
        code_lines: src.lines().count(),
        ..Parsed::default()
    };
    // Inline modules open at this point: (name, brace depth of its body).
    let mut stack: Vec<(String, i32)> = Vec::new();
    let (mut depth, mut i, mut test_attr) = (0i32, 0, false);
    while i < toks.len() {
        let scope: Vec<String> = stack.iter().map(|(n, _)| n.clone()).collect();
        let module_level = depth == stack.last().map_or(0, |s| s.1);
        // A test-only field, statement or arm: nothing to leave out.
        test_attr &= module_level || punct(toks.get(i), '#');
        let (tok, line) = (&toks[i].0, toks[i].1);
        match tok {
            Tok::Punct('#') => {
                let open = i + 1 + usize::from(punct(toks.get(i + 1), '!'));
                let end = skip_group(&toks, open);
                test_attr |= cfg_test(&toks[(open + 1).min(end)..end.saturating_sub(1)]);
                i = end;
                continue;
            }
            _ if test_attr && module_level => {
                // Leave out the test-only item: to its `;` or its body's end.
                test_attr = false;
                let start_line = line;
                if is(Some(&toks[i]), "mod") && punct(toks.get(i + 2), ';') {
                    if let Some((Tok::Ident(name), _)) = toks.get(i + 1) {
                        p.test_children.push(name.clone());
                    }
                }
                while i < toks.len() && !punct(toks.get(i), ';') && !punct(toks.get(i), '{') {
                    i += 1;
                }
                if punct(toks.get(i), '{') {
                    i = skip_group(&toks, i);
                } else {
                    i += 1;
                }
                let end_line = toks.get(i.saturating_sub(1)).map_or(start_line, |t| t.1);
                p.code_lines = p.code_lines.saturating_sub(end_line - start_line + 1);
                continue;
            }
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if stack.last().is_some_and(|s| depth < s.1) {
                    stack.pop();
                }
            }
            Tok::Ident(w) if w == "use" && !punct(toks.get(i + 1), '<') => {
                let back = |k: usize| i.checked_sub(k).and_then(|j| toks.get(j));
                let public = is(back(1), "pub") || (punct(back(1), ')') && is(back(4), "pub"));
                let mut leaves = Vec::new();
                i = use_tree(&toks, i + 1, Vec::new(), &mut leaves);
                for (path, bind) in leaves {
                    let scope = scope.clone();
                    p.uses.push(Use {
                        scope,
                        path,
                        bind,
                        public,
                        line,
                    });
                }
                continue;
            }
            Tok::Ident(w) if module_level && w == "mod" && punct(toks.get(i + 2), '{') => {
                if let Some((Tok::Ident(name), _)) = toks.get(i + 1) {
                    let mut path = scope.clone();
                    path.push(name.clone());
                    p.inline.push(path);
                    stack.push((name.clone(), depth + 1));
                    if scope.is_empty() {
                        p.defined.insert(name.clone());
                    }
                }
            }
            Tok::Ident(w) => {
                let kind = matches!(
                    w.as_str(),
                    "fn" | "struct" | "enum" | "trait" | "type" | "const" | "static" | "mod"
                ) || (w == "macro_rules" && punct(toks.get(i + 1), '!'));
                let at = i + 1 + usize::from(w == "macro_rules");
                if let (true, true, Some((Tok::Ident(name), _))) =
                    (kind && module_level, scope.is_empty(), toks.get(at))
                {
                    if !matches!(name.as_str(), "fn" | "unsafe" | "async" | "extern" | "_") {
                        p.defined.insert(name.clone());
                    }
                }
                let mid_path = matches!(i.checked_sub(1).map(|j| &toks[j].0), Some(Tok::Sep));
                if !mid_path {
                    let mut segs = vec![w.clone()];
                    let mut k = i + 1;
                    while let (Some((Tok::Sep, _)), Some((Tok::Ident(s), _))) =
                        (toks.get(k), toks.get(k + 1))
                    {
                        segs.push(s.clone());
                        k += 2;
                    }
                    if segs.len() > 1 {
                        p.paths.push((scope, segs, line));
                    }
                }
                p.idents.insert(w.clone());
            }
            _ => {}
        }
        i += 1;
    }
    p
}
