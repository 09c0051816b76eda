//! The archive's README.md, in French: what the archive is, how to check it, and every file
//! with its fields. It holds no date nor name of who asked (those are in the manifest), so
//! the same data gives the same README.
use super::columns::{describe, ColumnInfo};
use super::registry::{TableDef, Target};

pub fn render(
    subject: &str,
    target: &Target,
    tables: &[(&TableDef, Vec<ColumnInfo>, u64)],
) -> String {
    let mut s = String::new();
    s.push_str(&format!("# Export de réversibilité — {subject}\n\n"));
    s.push_str(
        "Cette archive contient toutes les données que Mutualis détient pour ce périmètre, \
dans des formats ouverts et documentés, afin de pouvoir les reprendre dans un autre outil \
(réversibilité).\n\n",
    );
    match &target.tenants {
        None => s.push_str(
            "Périmètre : l'intercommunalité entière (son espace propre et toutes ses communes \
membres), identifiant de l'organisation `",
        ),
        Some(_) => s.push_str(
            "Périmètre : une commune seulement (ses lignes, jamais celles d'une autre commune ; \
les éléments partagés par l'intercommunalité — traitements modèles, fournisseurs, services, \
questionnaires — sont désignés par leur identifiant mais ne figurent pas dans l'archive), \
organisation `",
        ),
    }
    s.push_str(&format!("{}`.\n\n", target.organisation_id));
    s.push_str(
        "## Contenu\n\n\
Pour chaque type d'élément `NOM` :\n\n\
- `NOM.json` : un document JSON `{\"entity\": \"NOM\", \"rows\": [...]}`, une ligne par \
élément, les champs dans l'ordre du tableau ci-dessous. Les dates et heures sont en UTC \
(ISO 8601), les dates seules au format AAAA-MM-JJ, les montants en centimes d'euro (entiers).\n\
- `NOM.csv` (sauf pour les documents : questionnaires, rapports) : les mêmes lignes, \
séparateur `;`, UTF-8 avec BOM, fins de ligne CRLF, guillemets RFC 4180, les champs JSON \
écrits en texte JSON ; un texte commençant par `=`, `+`, `-` ou `@` est précédé d'une \
apostrophe pour qu'aucun tableur ne l'évalue (le fichier JSON garde la valeur exacte).\n\
- `NOM.schema.json` : le schéma JSON (draft 2020-12) de `NOM.json`.\n\
- `fichier_…` : les fichiers déposés eux-mêmes (pièces justificatives, versions des \
ressources de la bibliothèque) : le fichier de la ligne dont le champ `storage_key` vaut \
`documents/a/b/c` (`gdpr_document.json`, `gdpr_resource_version.json`) est \
`fichier_documents_a_b_c`.\n\n\
Les identifiants (UUID) sont ceux de Mutualis et relient les fichiers entre eux (`tenant_id` \
renvoie à `tenant.json`, `contract_id` à `proc_contract.json`…).\n\n\
## Intégrité\n\n\
`manifest.json` donne pour chaque fichier sa taille et son empreinte SHA-256, qui a demandé \
l'export, quand et pour quelles communes. L'empreinte SHA-256 de `manifest.json` lui-même est \
inscrite au journal d'audit de Mutualis au moment de l'export. Vérification : \
`mutualis verify-export ARCHIVE.zip`, ou `sha256sum` de chaque fichier comparé au manifeste. \
Réimport dans une autre instance : `mutualis import-archive ARCHIVE.zip`.\n\n\
Ne figurent pas dans l'archive : les secrets et accès propres à l'instance (sessions, jetons \
d'API, tentatives de connexion), la file des tâches de fond, le référentiel public des \
communes (à recharger depuis sa source officielle), les choix de colonnes affichées de chaque \
personne.\n\n## Fichiers\n\n",
    );
    s.push_str("| type | contenu | lignes | CSV |\n|---|---|---|---|\n");
    for (t, _, n) in tables {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            t.file,
            t.title,
            n,
            if t.tabular() { "oui" } else { "non" }
        ));
    }
    for (t, cols, _) in tables {
        s.push_str(&format!("\n### `{}` — {}\n\n", t.file, t.title));
        s.push_str("| champ | type | vide possible | signification |\n|---|---|---|---|\n");
        for c in cols {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                c.kind.label(),
                if c.nullable { "oui" } else { "non" },
                describe(t.file, &c.name)
            ));
        }
    }
    s
}
