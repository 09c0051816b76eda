//! The stored report as documents: the consolidated report (every commune side by side, with
//! charts) and a commune's one-page summary for its municipal council (its figures beside the
//! whole intercommunality's).
use super::snapshot::{stored, CommuneFigures, Figures};
use super::summary::{commune_line, not_computed, CommuneLine, Sections};
use super::ReportError;
use crate::calendar::Period;
use crate::entities::report_snapshot;
use crate::tenancy::{can, Can, Scope};
use chrono::Utc;
use formats::{Bar, Cell, Chart, Column, Document, Sheet, Tone, ValueFormat};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// What a share of the register reads where the commune has no activity at all.
pub const NO_ACTIVITY: &str = "aucune activité";

/// A share of the register as every document prints it (the console formats the same basis
/// points): one decimal, or « aucune activité ».
fn share(bp: Option<i64>) -> Cell {
    bp.map_or(Cell::text(NO_ACTIVITY), |b| {
        Cell::text(ValueFormat::BasisPoints.print(b))
    })
}

fn backup_state(s: &str) -> &'static str {
    match s {
        "ok" => "à jour",
        "late" => "en retard",
        "failing" => "en échec",
        "never" => "aucune",
        _ => "",
    }
}

fn gb_months(milli: i64) -> String {
    format!("{},{:03}", milli / 1000, milli % 1000)
}

fn maturity(bp: Option<i64>) -> Cell {
    bp.map_or(Cell::Empty, |b| {
        Cell::text(ValueFormat::BasisPoints.print(b))
    })
}

fn computed_line(row: &report_snapshot::Model) -> String {
    format!(
        "Calculé le {}",
        row.computed_at
            .with_timezone(&chrono_tz::Europe::Paris)
            .format("%d/%m/%Y à %H:%M")
    )
}

/// Register coverage: checked by the DPO, validated only, not validated yet.
fn coverage(c: &CommuneFigures) -> Vec<i64> {
    vec![
        c.activities_checked,
        c.activities_validated - c.activities_checked,
        c.activities - c.activities_validated,
    ]
}

/// Costs: paid, invoiced and unpaid, allocated but not invoiced yet.
fn costs(c: &CommuneFigures) -> Vec<i64> {
    vec![
        c.paid_cents,
        c.unpaid_cents,
        (c.costs_allocated_cents - c.invoiced_cents).max(0),
    ]
}

const COVERAGE: [&str; 3] = ["Contrôlés par le DPD", "Validés", "Non validés"];
/// What is done in green, what is not in red (issue 17: the council saw them the other way).
const COVERAGE_TONES: [Tone; 3] = [Tone::BlueFrance, Tone::Green, Tone::RedMarianne];
const COSTS: [&str; 3] = ["Payé", "Facturé, impayé", "Réparti, non facturé"];
const COSTS_TONES: [Tone; 3] = [Tone::Green, Tone::Orange, Tone::Grey];
/// Every deadline series is one missed or near: red and orange, never green.
const DEADLINE_TONES: [Tone; 3] = [Tone::RedMarianne, Tone::Orange, Tone::BlueFrance];

fn series(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn charts(f: &Figures) -> Vec<Chart> {
    let bars = |values: &dyn Fn(&CommuneFigures) -> Vec<i64>| -> Vec<Bar> {
        f.communes
            .iter()
            .map(|c| Bar {
                label: c.name.clone(),
                values: values(c),
            })
            .collect()
    };
    let mut states: Vec<Bar> = ["ok", "late", "failing", "never"]
        .iter()
        .map(|s| Bar {
            label: backup_state(s).to_owned(),
            values: vec![f.total.backup_states.get(*s).copied().unwrap_or(0)],
        })
        .collect();
    states.retain(|b| b.values[0] > 0);
    vec![
        Chart {
            title: "Couverture du registre (traitements)".into(),
            series: series(&COVERAGE),
            bars: bars(&coverage),
            format: ValueFormat::Count,
            tones: COVERAGE_TONES.to_vec(),
        },
        Chart {
            title: "Échéances RGPD".into(),
            series: series(&[
                "Demandes en retard",
                "Demandes dues sous 7 jours",
                "Violations hors délai de 72 h",
            ]),
            bars: bars(&|c| vec![c.requests_overdue, c.requests_due_soon, c.breaches_late]),
            format: ValueFormat::Count,
            tones: DEADLINE_TONES.to_vec(),
        },
        Chart {
            title: "Sauvegardes : communes par état".into(),
            series: series(&["Communes"]),
            bars: states,
            format: ValueFormat::Count,
            tones: Vec::new(),
        },
        Chart {
            title: "Coûts par commune".into(),
            series: series(&COSTS),
            bars: bars(&costs),
            format: ValueFormat::Cents,
            tones: COSTS_TONES.to_vec(),
        },
        Chart {
            title: "Indice de maturité".into(),
            series: series(&["Score"]),
            bars: f
                .communes
                .iter()
                .filter_map(|c| {
                    c.maturity_bp.map(|m| Bar {
                        label: c.name.clone(),
                        values: vec![m],
                    })
                })
                .collect(),
            format: ValueFormat::BasisPoints,
            tones: Vec::new(),
        },
    ]
}

/// The stored report of one month as a document: charts, then one row per commune and the
/// total.
pub async fn consolidated(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Uuid,
    period: Period,
) -> Result<Document, ReportError> {
    let Some((row, f)) = stored(db, scope, organisation_id, Some(period))
        .await?
        .into_iter()
        .next()
    else {
        return Err(not_computed(period));
    };
    let line = |c: &CommuneFigures| -> Vec<Cell> {
        vec![
            Cell::text(&c.name),
            c.insee_code.clone().into(),
            Cell::Int(c.activities),
            share(c.validated_bp()),
            share(c.checked_bp()),
            Cell::Int(c.dpia_required),
            Cell::Int(c.dpia_done),
            Cell::Int(c.requests_open),
            Cell::Int(c.requests_overdue),
            Cell::Int(c.breaches_open),
            Cell::Int(c.breaches_late),
            Cell::Int(c.contracts_to_renew),
            Cell::Int(c.splitting_alerts),
            Cell::text(backup_state(&c.backup_state)),
            Cell::text(gb_months(c.backup_milli_gb_months)),
            Cell::text(crate::costs::euros(c.costs_allocated_cents)),
            Cell::text(crate::costs::euros(c.invoiced_cents)),
            Cell::text(crate::costs::euros(c.unpaid_cents)),
            maturity(c.maturity_bp),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = f.communes.iter().map(line).collect();
    rows.push(line(&f.total));
    let columns = [
        ("commune", "Commune"),
        ("insee", "INSEE"),
        ("activities", "Traitements"),
        ("validated", "Validés"),
        ("checked", "Contrôlés DPO"),
        ("dpia_required", "AIPD requises"),
        ("dpia_done", "AIPD réalisées"),
        ("requests_open", "Demandes ouvertes"),
        ("requests_overdue", "Demandes en retard"),
        ("breaches_open", "Violations ouvertes"),
        ("breaches_late", "Violations hors délai"),
        ("contracts", "Marchés à reconduire (90 j)"),
        ("splitting", "Alertes de saucissonnage"),
        ("backup", "Sauvegardes"),
        ("gb_months", "Stockage (Go-mois)"),
        ("allocated", "Coûts répartis"),
        ("invoiced", "Facturé"),
        ("unpaid", "Impayé"),
        ("maturity", "Maturité"),
    ]
    .into_iter()
    .map(|(k, l)| Column::new(k, l))
    .collect();
    Ok(Document {
        title: format!("Rapport consolidé — {}", period.french()),
        subtitle: Some(computed_line(&row)),
        charts: charts(&f),
        sheets: vec![Sheet {
            name: "Communes".into(),
            columns,
            rows,
        }],
        generated_at: Utc::now(),
    })
}

/// The fewest communes an aggregate of the summary is published over (the rule of three of
/// French statistical confidentiality).
pub const MIN_AGGREGATE: i64 = 3;

/// A commune's one-page summary for its municipal council: its figures of the month beside
/// the intercommunality's. Anyone who reads the commune's register may print it; the stored
/// report is the organisation's, so it is read with the organisation's scope once the
/// caller's access to the commune is checked, and only that commune's line leaves it.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn commune_summary(
    db: &DatabaseConnection,
    scope: &Can<can::ReadGdpr>,
    tenant_id: Uuid,
    period: Period,
) -> Result<Document, ReportError> {
    let CommuneLine {
        row,
        commune: c,
        all: f,
        sections,
        ..
    } = commune_line(db, scope, tenant_id, Some(period))
        .await?
        .ok_or_else(|| not_computed(period))?;
    let all = &f.total;
    let n = f.communes.len() as i64;
    let Sections {
        procurement,
        backups,
        costs: costs_ok,
    } = sections;
    // The whole's figure of a row is published only when at least MIN_AGGREGATE communes make
    // it (French statistical confidentiality rule): over fewer, it is one or two neighbours'
    // own figure, the commune's own being known.
    let contributors = |get: &dyn Fn(&CommuneFigures) -> bool| -> i64 {
        f.communes.iter().filter(|c| get(c)).count() as i64
    };
    // A sum: the communes with something in it (a total of nothing hides nobody's figure).
    let summing = |get: &dyn Fn(&CommuneFigures) -> i64| -> i64 {
        if get(all) == 0 {
            MIN_AGGREGATE
        } else {
            contributors(&|x| get(x) != 0)
        }
    };
    let whole = |count: i64, cell: Cell| -> Cell {
        if count >= MIN_AGGREGATE {
            cell
        } else {
            Cell::text(format!("non publié (moins de {MIN_AGGREGATE} communes)"))
        }
    };
    let ints = |label: &str, get: fn(&CommuneFigures) -> i64| -> Vec<Cell> {
        vec![
            Cell::text(label),
            Cell::Int(get(&c)),
            whole(summing(&get), Cell::Int(get(all))),
        ]
    };
    let text = |label: &str, mine: String, count: i64, theirs: String| -> Vec<Cell> {
        vec![
            Cell::text(label),
            Cell::text(mine),
            whole(count, Cell::text(theirs)),
        ]
    };
    let with_activities = contributors(&|x| x.activities > 0);
    let mut rows = vec![
        ints("Traitements au registre", |c| c.activities),
        vec![
            Cell::text("Part validée (contrôlés par le DPD compris)"),
            share(c.validated_bp()),
            whole(with_activities, share(all.validated_bp())),
        ],
        vec![
            Cell::text("Part contrôlée par le DPD"),
            share(c.checked_bp()),
            whole(with_activities, share(all.checked_bp())),
        ],
        text(
            "AIPD réalisées / requises",
            format!("{} / {}", c.dpia_done, c.dpia_required),
            summing(&|x| x.dpia_required + x.dpia_done),
            format!("{} / {}", all.dpia_done, all.dpia_required),
        ),
        ints("Demandes de droits ouvertes", |c| c.requests_open),
        ints("dont en retard", |c| c.requests_overdue),
        vec![
            Cell::text("Prochaine échéance d'une demande"),
            c.next_request_due_on
                .map_or(Cell::text("aucune demande ouverte"), |d| {
                    Cell::text(crate::fr::date(d))
                }),
            Cell::Empty,
        ],
        ints("Violations de données ouvertes", |c| c.breaches_open),
        ints("dont hors délai de 72 h", |c| c.breaches_late),
    ];
    if procurement {
        rows.push(ints("Marchés à reconduire sous 90 jours", |c| {
            c.contracts_to_renew
        }));
    }
    if backups {
        rows.push(text(
            "Sauvegardes",
            backup_state(&c.backup_state).to_owned(),
            n,
            format!(
                "{} à jour sur {n}",
                crate::fr::plural(
                    all.backup_states.get("ok").copied().unwrap_or(0),
                    "commune",
                    "communes"
                )
            ),
        ));
        rows.push(text(
            "Stockage sauvegardé (Go-mois)",
            gb_months(c.backup_milli_gb_months),
            summing(&|x| x.backup_milli_gb_months),
            gb_months(all.backup_milli_gb_months),
        ));
    }
    if costs_ok {
        rows.push(text(
            "Coûts mutualisés répartis",
            crate::costs::euros(c.costs_allocated_cents),
            summing(&|x| x.costs_allocated_cents),
            crate::costs::euros(all.costs_allocated_cents),
        ));
        rows.push(text(
            "Facturé / impayé",
            format!(
                "{} / {}",
                crate::costs::euros(c.invoiced_cents),
                crate::costs::euros(c.unpaid_cents)
            ),
            summing(&|x| x.invoiced_cents.abs() + x.unpaid_cents.abs()),
            format!(
                "{} / {}",
                crate::costs::euros(all.invoiced_cents),
                crate::costs::euros(all.unpaid_cents)
            ),
        ));
    }
    let mean_published = all.maturity_assessed >= MIN_AGGREGATE;
    rows.push(vec![
        Cell::text("Indice de maturité"),
        maturity(c.maturity_bp),
        whole(all.maturity_assessed, maturity(all.maturity_bp)),
    ]);
    let mut charts = vec![Chart {
        title: "Registre des traitements".into(),
        series: series(&COVERAGE),
        bars: vec![Bar {
            label: c.name.clone(),
            values: coverage(&c),
        }],
        format: ValueFormat::Count,
        tones: COVERAGE_TONES.to_vec(),
    }];
    if costs_ok && (c.costs_allocated_cents > 0 || c.invoiced_cents > 0) {
        charts.push(Chart {
            title: "Coûts mutualisés".into(),
            series: series(&COSTS),
            bars: vec![Bar {
                label: c.name.clone(),
                values: costs(&c),
            }],
            format: ValueFormat::Cents,
            tones: COSTS_TONES.to_vec(),
        });
    }
    if let Some(m) = c.maturity_bp {
        let mut bars = vec![Bar {
            label: c.name.clone(),
            values: vec![m],
        }];
        if mean_published {
            bars.push(Bar {
                label: "Moyenne des communes".into(),
                values: vec![all.maturity_bp.unwrap_or(0)],
            });
        }
        charts.push(Chart {
            title: "Indice de maturité".into(),
            series: series(&["Score"]),
            bars,
            format: ValueFormat::BasisPoints,
            tones: Vec::new(),
        });
    }
    Ok(Document {
        title: format!("{} — synthèse {}", c.name, period.french()),
        subtitle: Some(format!(
            "Services numériques mutualisés de l'intercommunalité · INSEE {} · {}",
            c.insee_code.clone().unwrap_or_default(),
            computed_line(&row)
        )),
        charts,
        sheets: vec![Sheet {
            name: "Indicateurs".into(),
            columns: vec![
                Column::new("indicator", "Indicateur"),
                Column::new("commune", c.name.clone()),
                Column::new("intercommunality", "Ensemble des communes"),
            ],
            rows,
        }],
        generated_at: Utc::now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_is_green_where_validated_and_red_where_not() {
        let f = Figures {
            communes: vec![CommuneFigures {
                name: "Compiègne".into(),
                activities: 9,
                activities_validated: 4,
                activities_checked: 2,
                ..Default::default()
            }],
            total: CommuneFigures::default(),
        };
        let c = &charts(&f)[0];
        let tone = |name: &str| {
            let i = c.series.iter().position(|s| s == name);
            i.map(|i| c.tone(i))
        };
        assert_eq!(tone("Validés"), Some(Tone::Green));
        assert_eq!(tone("Non validés"), Some(Tone::RedMarianne));
        assert_eq!(tone("Contrôlés par le DPD"), Some(Tone::BlueFrance));
        // Each activity once: 2 checked, 2 validated only, 5 not validated.
        assert_eq!(c.bars[0].values, vec![2, 2, 5]);
        assert_eq!(c.bars[0].values.iter().sum::<i64>(), 9);
    }

    #[test]
    fn shares_print_with_one_decimal_or_say_there_is_no_activity() {
        assert_eq!(share(Some(4444)), Cell::text("44,4 %"));
        assert_eq!(share(None), Cell::text(NO_ACTIVITY));
    }
}
