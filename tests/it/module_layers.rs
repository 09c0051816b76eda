//! The `tenants` crate's modules form layers (issue 22): no top-level module reaches, through
//! the ones it imports, back to itself. The kernel (`tenancy`, `jobs`, `audit`, `calendar`,
//! `collation`…) imports no business module; `reporting` may import them all, none imports it.
//! A file belongs to its first path component (`gdpr/requests.rs` to `gdpr`) and depends on
//! each module it names as `crate::name` (also inside `use crate::{a, b}`) or through as many
//! `super::` as it is deep.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("tenants/src readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a file's code names (comments left out).
fn named_modules(code: &str, depth: usize) -> BTreeSet<String> {
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = BTreeSet::new();
    let up = "super::".repeat(depth);
    for prefix in ["crate::", up.as_str()] {
        for (i, _) in code.match_indices(prefix) {
            // `super::super::x` in a file two deep; not the tail of a longer chain.
            if prefix.starts_with("super") && code[..i].ends_with("super::") {
                continue;
            }
            let rest = &code[i + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',') {
                    names.insert(ident_at(item.trim()).to_owned());
                }
            } else {
                names.insert(ident_at(rest).to_owned());
            }
        }
    }
    names
}

/// Each top-level module and the top-level modules it depends on.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in files {
        let rel: Vec<String> = path
            .strip_prefix(src)
            .expect("under src")
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if rel == ["lib.rs"] {
            continue;
        }
        let top = if rel.len() == 1 {
            rel[0].trim_end_matches(".rs").to_owned()
        } else {
            rel[0].clone()
        };
        let depth = rel.len() - usize::from(rel.last().is_some_and(|f| f == "mod.rs"));
        let code = std::fs::read_to_string(&path).expect("source readable");
        let named = named_modules(&code, depth);
        deps.entry(top.clone())
            .or_default()
            .extend(named.into_iter().filter(|n| *n != top));
    }
    let modules: BTreeSet<String> = deps.keys().cloned().collect();
    for d in deps.values_mut() {
        d.retain(|n| modules.contains(n));
    }
    deps
}

/// The modules from which `from` can be reached again.
fn cycle_through(deps: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    // Depth-first search for a path back to `from`, kept to name the cycle.
    fn walk(
        deps: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        goal: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in deps.get(at).into_iter().flatten() {
            if next == goal {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(deps, next, goal, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_owned()];
    walk(deps, from, from, &mut path, &mut BTreeSet::new()).then(|| {
        path.push(from.to_owned());
        path
    })
}

#[test]
fn tenants_modules_import_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants/src");
    let deps = module_graph(&src);
    // The reading works: these edges exist and are allowed.
    for (module, needs) in [
        ("audit", "jobs"),
        ("reporting", "gdpr"),
        ("gdpr", "tenancy"),
    ] {
        assert!(
            deps.get(module).is_some_and(|d| d.contains(needs)),
            "{module} should depend on {needs}: {:?}",
            deps.get(module)
        );
    }
    let cycles: Vec<String> = deps
        .keys()
        .filter_map(|m| cycle_through(&deps, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules of tenants/src that import themselves back:\n{}",
        cycles.join("\n")
    );
    // The kernel imports no business module.
    let business = [
        "gdpr",
        "procurement",
        "costs",
        "backups",
        "billing",
        "maturity",
        "reporting",
        "alerts",
    ];
    for kernel in [
        "tenancy",
        "jobs",
        "audit",
        "calendar",
        "collation",
        "paging",
        "fault",
    ] {
        let reached: Vec<&String> = deps
            .get(kernel)
            .into_iter()
            .flatten()
            .filter(|d| business.contains(&d.as_str()))
            .collect();
        assert!(reached.is_empty(), "{kernel} imports {reached:?}");
    }
}

#[test]
fn the_reader_sees_crate_paths_groups_and_supers() {
    let code = "use crate::{gdpr::x, jobs};\nuse super::super::audit::Entry; // crate::costs\nlet a = crate::fr::month(1);";
    let got = named_modules(code, 2);
    let want: BTreeSet<String> = ["gdpr", "jobs", "audit", "fr"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(got, want);
    // One deep: `super::x` names a sibling of the crate root's module, not a top-level one.
    assert!(named_modules("use super::audit;", 2).is_empty());
}
