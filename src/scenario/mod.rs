//! Scenarios: edit commands keyed by the network's stable ids, composed with `extends`.
//! Applying a scenario returns a new network, validated again after every scenario step.

mod edits;
mod index;
mod model;

pub use edits::SPEED_FACTOR;
use edits::{apply_edit, Done};
pub use index::work_records;
use index::Index;
pub use model::{Edit, EditOp, RawLink, RawRoad, RawRoadNode, RawStation, Scenario};

use serde::Deserialize;
use std::collections::{HashMap, HashSet};

use crate::network::load::{LineIndex, MAX_DEPTH, MAX_TOTAL_BYTES};
use crate::network::model::*;
use crate::network::problem::{Problem, Problems};
use crate::network::source::{ReadError, Source};
use crate::network::validate;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    project_zh: String,
    #[serde(default)]
    plan_box: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    opening: Option<i32>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    extends: Vec<String>,
    #[serde(default)]
    edit: Vec<toml::Spanned<toml::Table>>,
}

/// A piece of a scenario file holding edits only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditPiece {
    #[serde(default)]
    edit: Vec<toml::Spanned<toml::Table>>,
}

/// Parses one scenario file's text.
pub fn parse_scenario(text: &str, file: &str) -> Result<Scenario, Vec<Problem>> {
    let o = |line| Origin {
        file: file.to_string(),
        line,
    };
    let lines = LineIndex::new(text);
    let invalid = |start: usize, e: toml::de::Error| {
        vec![Problem::error(
            &o(e.span().map(|s| lines.line(start + s.start))),
            "",
            format!("invalid scenario: {}", e.message()),
            "see docs/scenario-format.md",
        )]
    };
    // The top-level keys, then the edits piece by piece (`load::toml_pieces`), unless edits
    // are also written inline at the top: then only the whole file can say whether they clash.
    let whole = vec![(0, text)];
    let mut pieces =
        crate::network::load::toml_pieces(text, "edit").unwrap_or_else(|| whole.clone());
    let mut raw: RawScenario = toml::from_str(pieces[0].1).map_err(|e| invalid(0, e))?;
    if pieces.len() > 1 && !raw.edit.is_empty() {
        pieces = whole;
        raw = toml::from_str(text).map_err(|e| invalid(0, e))?;
    }
    let mut tables: Vec<(usize, toml::Table)> = std::mem::take(&mut raw.edit)
        .into_iter()
        .map(|t| (t.span().start, t.into_inner()))
        .collect();
    for &(start, piece) in &pieces[1..] {
        let more: EditPiece = toml::from_str(piece).map_err(|e| invalid(start, e))?;
        tables.extend(
            more.edit
                .into_iter()
                .map(|t| (start + t.span().start, t.into_inner())),
        );
    }
    let mut problems = Vec::new();
    let mut edits = Vec::new();
    for (i, (at, mut table)) in tables.into_iter().enumerate() {
        let line = lines.line(at);
        let source = match table.remove("source") {
            Some(toml::Value::String(s)) => s,
            _ => String::new(),
        };
        let note = match table.remove("note") {
            Some(toml::Value::String(s)) => s,
            _ => String::new(),
        };
        for k in ["project", "status", "opening"] {
            table.remove(k);
        }
        match toml::Value::Table(table).try_into::<EditOp>() {
            Ok(op) => edits.push(Edit {
                op,
                source,
                note,
                origin: o(Some(line)),
                index: i + 1,
            }),
            Err(e) => problems.push(Problem::error(
                &o(Some(line)),
                format!("edit {}", i + 1),
                format!("invalid edit: {}", e.message().trim()),
                "see docs/scenario-format.md for the edit commands and their fields",
            )),
        }
    }
    if let Some(y) = raw.opening.filter(|y| !(1800..=2200).contains(y)) {
        problems.push(Problem::error(
            &o(crate::network::load::key_line(text, "", "opening")),
            format!("scenario {}", raw.name),
            format!("opening = {y} is not a year in 1800..2200"),
            "give the expected opening year, e.g. opening = 2030",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Scenario {
        name: raw.name,
        title: raw.title,
        description: if raw.description.is_empty() {
            raw.note
        } else {
            raw.description
        },
        project_zh: raw.project_zh,
        plan_box: raw.plan_box,
        status: raw.status,
        opening: raw.opening,
        source: raw.source,
        extends: raw.extends,
        edits,
        file: file.to_string(),
    })
}

/// All scenarios of a folder, by name.
#[derive(Clone, Debug)]
pub struct Library {
    /// The folder (or bundled files) read.
    pub src: Source,
    /// Scenarios by name.
    pub scenarios: HashMap<String, Scenario>,
    /// Names in file order.
    pub names: Vec<String>,
}

impl Library {
    /// Reads every `*.toml` under the source. Every problem is reported. The files are read
    /// under the same limits as a network's (`source::MAX_FILE_BYTES` each,
    /// `load::MAX_TOTAL_BYTES` together, UTF-8, regular files only); the walk does not follow
    /// symlinks out of the folder or round a loop.
    pub fn load(src: Source) -> Result<Library, Problems> {
        let (files, mut problems) = src.files_with_ext(".toml");
        let mut scenarios = HashMap::new();
        let mut names = Vec::new();
        let mut total = 0u64;
        for rel in files {
            let file = src.display(&rel);
            let text = match src.read(&rel) {
                Ok(t) => t,
                Err(e) => {
                    let line = match e {
                        ReadError::NotUtf8 { line, .. } => Some(line),
                        _ => None,
                    };
                    problems.push(Problem::error(
                        &Origin { file, line },
                        "",
                        e.to_string(),
                        e.fix(),
                    ));
                    continue;
                }
            };
            total += text.len() as u64;
            if total > MAX_TOTAL_BYTES {
                problems.push(Problem::error(
                    &Origin { file, line: None },
                    "",
                    format!(
                        "the scenario files add up to more than the limit of {} MiB",
                        MAX_TOTAL_BYTES >> 20
                    ),
                    "keep only scenario files in the folder (see docs/network-format.md, \"Limits\")",
                ));
                break;
            }
            match parse_scenario(&text, &file) {
                Ok(s) => {
                    let stem = rel
                        .rsplit('/')
                        .next()
                        .unwrap_or(&rel)
                        .trim_end_matches(".toml")
                        .to_string();
                    if s.name != stem {
                        problems.push(Problem::error(
                            &Origin {
                                file: file.clone(),
                                line: Some(1),
                            },
                            format!("scenario {}", s.name),
                            format!("name '{}' differs from the file name '{stem}'", s.name),
                            format!("set name = \"{stem}\" or rename the file"),
                        ));
                    }
                    if let Some(prev) = scenarios.get(&s.name) {
                        let prev: &Scenario = prev;
                        problems.push(Problem::error(
                            &Origin {
                                file: file.clone(),
                                line: Some(1),
                            },
                            format!("scenario {}", s.name),
                            format!("duplicate scenario name, also in {}", prev.file),
                            "give each scenario a unique name",
                        ));
                        continue;
                    }
                    names.push(s.name.clone());
                    scenarios.insert(s.name.clone(), s);
                }
                Err(p) => problems.extend(p),
            }
        }
        if problems.is_empty() {
            Ok(Library {
                src,
                scenarios,
                names,
            })
        } else {
            Err(Problems(problems))
        }
    }

    /// The scenario `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.get(name)
    }

    fn unknown(&self, name: &str, origin: &Origin, record: &str) -> Problem {
        let mut close: Vec<&String> = self.names.iter().filter(|n| similar(n, name)).collect();
        close.truncate(5);
        Problem::error(
            origin,
            record,
            format!("unknown scenario '{name}'"),
            if close.is_empty() {
                "run `onehour scenarios` to list them".to_string()
            } else {
                format!(
                    "did you mean {}?",
                    close
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        )
    }

    /// The scenarios to apply for `name`, in order: its `extends` (recursively, each once),
    /// then itself. Walked with an explicit stack, at most `load::MAX_DEPTH` deep.
    pub fn chain(&self, name: &str) -> Result<Vec<&Scenario>, Problems> {
        let cli = Origin {
            file: "command line".into(),
            line: None,
        };
        let first = self
            .get(name)
            .ok_or_else(|| Problems(vec![self.unknown(name, &cli, "")]))?;
        let mut out = Vec::new();
        let mut done: HashSet<&str> = HashSet::new();
        // The scenarios being expanded, each with the index of its next `extends` entry.
        let mut stack: Vec<(&Scenario, usize)> = vec![(first, 0)];
        while let Some(&(s, i)) = stack.last() {
            let Some(e) = s.extends.get(i) else {
                stack.pop();
                done.insert(&s.name);
                out.push(s);
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            let here = Origin {
                file: s.file.clone(),
                line: None,
            };
            let record = format!("scenario {}, extends", s.name);
            let path = || {
                let mut v: Vec<&str> = stack.iter().map(|(x, _)| x.name.as_str()).collect();
                v.push(e);
                if v.len() > 8 {
                    let n = v.len();
                    format!(
                        "{} -> ... ({} more) ... -> {}",
                        v[..3].join(" -> "),
                        n - 6,
                        v[n - 3..].join(" -> ")
                    )
                } else {
                    v.join(" -> ")
                }
            };
            if stack.iter().any(|(x, _)| x.name == *e) {
                return Err(Problems(vec![Problem::error(
                    &here,
                    &record,
                    format!("cycle in extends: {}", path()),
                    "remove one of the extends so that no scenario extends itself",
                )]));
            }
            if done.contains(e.as_str()) {
                continue;
            }
            if stack.len() > MAX_DEPTH {
                return Err(Problems(vec![Problem::error(
                    &here,
                    &record,
                    format!("extends nested more than {MAX_DEPTH} deep: {}", path()),
                    "extend fewer levels: a horizon can list all its projects in one extends",
                )]));
            }
            let next = self
                .get(e)
                .ok_or_else(|| Problems(vec![self.unknown(e, &here, &record)]))?;
            stack.push((next, 0));
        }
        Ok(out)
    }
}

/// Whether two names look alike (shared prefix or one contains the other).
pub fn similar(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    a.contains(&b) || b.contains(&a) || strsim::levenshtein(&a, &b) <= 3.max(b.len() / 3)
}

/// When `apply` re-runs the network's validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// After every scenario of the chain, so that a problem is blamed on the scenario that
    /// introduced it. What the CLI uses.
    EachStep,
    /// Once, on the final network: the same errors are caught, attributed to the last
    /// scenario. `rank` uses it for its many variants of chains already checked step by step.
    End,
}

/// Applies scenarios in order to a copy of `base`, validating after each one. Conflicting
/// edits (adding an id twice, editing a service that an earlier edit removed) are errors.
///
/// `base` is a network that validated (its ids unique). Each edit finds what it names through
/// maps built once per application (and again after each validation), so the work is linear in
/// the records and edits, not their product.
pub fn apply(base: &Network, chain: &[&Scenario]) -> Result<Network, Problems> {
    apply_checked(base, chain, Check::EachStep)
}

/// `apply` with a choice of when to validate.
pub fn apply_checked(
    base: &Network,
    chain: &[&Scenario],
    check: Check,
) -> Result<Network, Problems> {
    let mut net = base.clone();
    let mut done = Done::default();
    let mut ix = Index::new(&net);
    for (k, s) in chain.iter().enumerate() {
        let validate_now = check == Check::EachStep || k + 1 == chain.len();
        let mut problems = Vec::new();
        for e in &s.edits {
            if let Err(p) = apply_edit(&mut net, &mut ix, s, e, &mut done) {
                problems.push(p);
            }
        }
        if problems.is_empty() && validate_now {
            ix.compact(&mut net);
            problems.extend(
                validate::validate(&net)
                    .into_iter()
                    .filter(Problem::is_error)
                    .map(|mut p| {
                        p.message = format!("{} (after applying scenario {})", p.message, s.name);
                        p
                    }),
            );
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
    }
    ix.compact(&mut net);
    Ok(net)
}
