//! The file-level dependency graph of one crate: each file's module path,
//! name resolution through `use`, re-exports and globs ([`Crate`]), and
//! the strongly connected components of the result ([`Graph::cycles`]).

use super::source::{parse, Parsed};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// One crate's files and the dependencies between them.
pub(super) struct Graph {
    /// Paths as reported (e.g. `app/src/ports/mod.rs`).
    pub(super) names: Vec<String>,
    /// Each edge with the first reference that made it: (line, path).
    pub(super) edges: BTreeMap<(usize, usize), (usize, String)>,
}

pub(super) struct Crate {
    pub(super) names: Vec<String>,
    pub(super) modules: Vec<Vec<String>>,
    pub(super) files: Vec<Parsed>,
    /// Module path (file or inline module) to its file.
    pub(super) module_file: HashMap<Vec<String>, usize>,
}

impl Crate {
    /// A crate from (reported name, path below `src/`, source) triples.
    pub(super) fn new(sources: Vec<(String, String, String)>) -> Crate {
        let mut parsed: Vec<(String, Vec<String>, Parsed)> = Vec::new();
        for (name, rel, src) in sources {
            let rel = rel.trim_end_matches(".rs");
            let mut module: Vec<String> = rel.split('/').map(String::from).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            parsed.push((name, module, parse(&src)));
        }
        let tests: BTreeSet<Vec<String>> = parsed
            .iter()
            .flat_map(|(_, m, p)| {
                p.test_children
                    .iter()
                    .map(|c| [m.clone(), vec![c.clone()]].concat())
            })
            .collect();
        parsed.retain(|(_, m, _)| !tests.iter().any(|t| m.starts_with(t)));
        let mut krate = Crate {
            names: Vec::new(),
            modules: Vec::new(),
            files: Vec::new(),
            module_file: HashMap::new(),
        };
        for (n, (name, module, p)) in parsed.into_iter().enumerate() {
            for inline in &p.inline {
                krate
                    .module_file
                    .insert([module.clone(), inline.clone()].concat(), n);
            }
            krate.module_file.insert(module.clone(), n);
            krate.names.push(name);
            krate.modules.push(module);
            krate.files.push(p);
        }
        krate
    }

    /// The absolute path of `segs` written in `scope` of file `f`, or `None`
    /// for another crate's.
    fn absolute(
        &self,
        f: usize,
        scope: &[String],
        segs: &[String],
        hops: u8,
    ) -> Option<Vec<String>> {
        let here: Vec<String> = [self.modules[f].clone(), scope.to_vec()].concat();
        let first = segs.first()?.as_str();
        match first {
            "crate" => Some(segs[1..].to_vec()),
            "self" => Some([here, segs[1..].to_vec()].concat()),
            "super" => {
                let ups = segs.iter().take_while(|s| *s == "super").count();
                let base = here.get(..here.len().checked_sub(ups)?)?;
                Some([base.to_vec(), segs[ups..].to_vec()].concat())
            }
            _ if self
                .module_file
                .contains_key(&[here.clone(), vec![first.into()]].concat())
                || (scope.is_empty() && self.files[f].defined.contains(first)) =>
            {
                Some([here, segs.to_vec()].concat())
            }
            _ if hops < 8 => {
                let bound = self.files[f].uses.iter().find(|u| {
                    u.scope == scope && u.bind.as_deref() == Some(first) && u.path != segs
                })?;
                let base = self.absolute(f, &bound.scope, &bound.path, hops + 1)?;
                Some([base, segs[1..].to_vec()].concat())
            }
            _ => None,
        }
    }

    /// The file that defines what `path` names, and whether the definition
    /// was found (else it is the deepest module on the way).
    fn resolve(&self, path: &[String], hops: u8) -> Option<(usize, bool)> {
        let k = (0..=path.len())
            .rev()
            .find(|k| self.module_file.contains_key(&path[..*k]))?;
        let f = self.module_file[&path[..k]];
        if k == path.len() || self.modules[f].len() != k {
            return Some((f, true));
        }
        let name = &path[k];
        if self.files[f].defined.contains(name) || hops > 8 {
            return Some((f, true));
        }
        let top = self.files[f].uses.iter().filter(|u| u.scope.is_empty());
        if let Some(u) = top.clone().find(|u| u.bind.as_ref() == Some(name)) {
            let Some(base) = self.absolute(f, &[], &u.path, 0) else {
                return Some((f, false));
            };
            return self.resolve(&[base, path[k + 1..].to_vec()].concat(), hops + 1);
        }
        for u in top.filter(|u| u.bind.is_none()) {
            if let Some(base) = self.absolute(f, &[], &u.path, 0) {
                let found = self.resolve(&[base, path[k..].to_vec()].concat(), hops + 1);
                if let Some((g, true)) = found {
                    return Some((g, true));
                }
            }
        }
        Some((f, false))
    }

    /// The names module `module` offers a glob import.
    fn exports(&self, module: &[String], hops: u8) -> BTreeSet<String> {
        let Some(&f) = self.module_file.get(module) else {
            return BTreeSet::new();
        };
        let p = &self.files[f];
        let mut names = p.defined.clone();
        for u in p.uses.iter().filter(|u| u.public && u.scope.is_empty()) {
            match (&u.bind, self.absolute(f, &[], &u.path, 0)) {
                (Some(bind), _) => {
                    names.insert(bind.clone());
                }
                (None, Some(base)) if hops < 8 => names.extend(self.exports(&base, hops + 1)),
                _ => {}
            }
        }
        names
    }

    pub(super) fn graph(&self) -> Graph {
        let mut edges = BTreeMap::new();
        for (f, p) in self.files.iter().enumerate() {
            let mut add = |to: Option<(usize, bool)>, line: usize, text: String| {
                if let Some((g, _)) = to.filter(|(g, _)| *g != f) {
                    edges.entry((f, g)).or_insert((line, text));
                }
            };
            for u in &p.uses {
                let Some(abs) = self.absolute(f, &u.scope, &u.path, 0) else {
                    continue;
                };
                let shown = u.path.join("::");
                match &u.bind {
                    Some(bind) if !u.public || p.idents.contains(bind) => {
                        add(self.resolve(&abs, 0), u.line, shown);
                    }
                    Some(_) => {}
                    None => {
                        for name in self.exports(&abs, 0).intersection(&p.idents) {
                            let to = self.resolve(&[abs.clone(), vec![name.clone()]].concat(), 0);
                            add(to, u.line, format!("{shown}::{name} (glob)"));
                        }
                    }
                }
            }
            for (scope, segs, line) in &p.paths {
                if let Some(abs) = self.absolute(f, scope, segs, 0) {
                    add(self.resolve(&abs, 0), *line, segs.join("::"));
                }
            }
        }
        Graph {
            names: self.names.clone(),
            edges,
        }
    }
}

impl Graph {
    /// Strongly connected components with more than one file (Tarjan).
    pub(super) fn cycles(&self) -> Vec<Vec<usize>> {
        struct Tarjan<'a> {
            next: &'a [Vec<usize>],
            index: Vec<Option<usize>>,
            low: Vec<usize>,
            stack: Vec<usize>,
            on_stack: Vec<bool>,
            counter: usize,
            out: Vec<Vec<usize>>,
        }
        impl Tarjan<'_> {
            fn visit(&mut self, v: usize) {
                self.index[v] = Some(self.counter);
                self.low[v] = self.counter;
                self.counter += 1;
                self.stack.push(v);
                self.on_stack[v] = true;
                for &w in &self.next[v] {
                    match self.index[w] {
                        None => {
                            self.visit(w);
                            self.low[v] = self.low[v].min(self.low[w]);
                        }
                        Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                        _ => {}
                    }
                }
                if Some(self.low[v]) == self.index[v] {
                    let mut scc = Vec::new();
                    while let Some(w) = self.stack.pop() {
                        self.on_stack[w] = false;
                        scc.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if scc.len() > 1 {
                        scc.sort();
                        self.out.push(scc);
                    }
                }
            }
        }
        let n = self.names.len();
        let mut next = vec![Vec::new(); n];
        for &(a, b) in self.edges.keys() {
            next[a].push(b);
        }
        let mut t = Tarjan {
            next: &next,
            index: vec![None; n],
            low: vec![0; n],
            stack: Vec::new(),
            on_stack: vec![false; n],
            counter: 0,
            out: Vec::new(),
        };
        for v in 0..n {
            if t.index[v].is_none() {
                t.visit(v);
            }
        }
        t.out.sort();
        t.out
    }

    /// A cycle's files and the references that tie them, for the failure.
    pub(super) fn describe(&self, scc: &[usize]) -> String {
        let inside: BTreeSet<usize> = scc.iter().copied().collect();
        let mut text = format!("cycle of {} files:\n", scc.len());
        // One shortest loop through the first file, to start reading at.
        let mut prev: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([scc[0]]);
        while let Some(v) = queue.pop_front() {
            for (&(a, b), _) in self.edges.range((v, 0)..(v + 1, 0)) {
                if inside.contains(&b) && a == v && !prev.contains_key(&b) {
                    prev.insert(b, v);
                    queue.push_back(b);
                }
            }
        }
        let mut walk = vec![scc[0]];
        while let Some(&p) = prev.get(walk.last().unwrap_or(&scc[0])) {
            if p == scc[0] || walk.len() > scc.len() {
                break;
            }
            walk.push(p);
        }
        walk.push(scc[0]);
        walk.reverse();
        let names: Vec<&str> = walk.iter().map(|&v| self.names[v].as_str()).collect();
        text.push_str(&format!("  e.g. {}\n", names.join(" -> ")));
        for (&(a, b), (line, path)) in &self.edges {
            if inside.contains(&a) && inside.contains(&b) {
                let (from, to) = (&self.names[a], &self.names[b]);
                text.push_str(&format!("  {from}:{line} -> {to} ({path})\n"));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check itself, on a made-up crate.
    #[test]
    fn finds_cycles_through_facades_and_paths() {
        let file = |rel: &str, src: &str| (rel.to_string(), rel.to_string(), src.to_string());
        let krate = Crate::new(vec![
            file("lib.rs", "pub mod a; pub mod b; pub mod c;"),
            file("a/mod.rs", "mod x; pub use x::*; pub trait All: X {}"),
            file("a/x.rs", "pub trait X {} pub struct Y(crate::c::Z);"),
            file(
                "b.rs",
                "use crate::a::All; fn f() -> super::c::Z { todo!() }",
            ),
            file(
                "c.rs",
                "pub struct Z; // crate::b::f\n#[cfg(test)] mod tests { use crate::b::f; }",
            ),
        ]);
        let graph = krate.graph();
        let edge = |a: &str, b: &str| {
            let (a, b) = (
                krate.names.iter().position(|n| n == a),
                krate.names.iter().position(|n| n == b),
            );
            graph.edges.contains_key(&(a.unwrap(), b.unwrap()))
        };
        assert!(
            edge("a/mod.rs", "a/x.rs"),
            "a facade depends on what it uses"
        );
        assert!(!edge("a/x.rs", "a/mod.rs"));
        assert!(edge("b.rs", "a/mod.rs") && edge("b.rs", "c.rs"));
        assert!(
            !edge("c.rs", "b.rs"),
            "comments and tests are no dependencies"
        );
        assert!(graph.cycles().is_empty());
        let krate = Crate::new(vec![
            file("lib.rs", "pub mod a; pub mod b;"),
            file("a.rs", "pub fn f() { crate::b::g() }"),
            file("b.rs", "use super::a; pub fn g() { a::f() }"),
        ]);
        assert_eq!(krate.graph().cycles(), vec![vec![1, 2]]);
    }
}
