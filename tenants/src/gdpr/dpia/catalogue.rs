//! The DPIA models an intercommunality's DPO starts with: video protection of public spaces,
//! the school canteen, human resources. Written from the CNIL's method and its published
//! examples (« PIA – les bases de connaissances », the CNIL's guidance on video protection and
//! on personnel management); each commune adapts its copy.
use super::{
    Context, MeasureState, MeasureText, ModelContent, Principle, PrincipleEntry, RiskKind,
    RiskText, Support, SupportKind,
};

fn p(principle: Principle, justification: &str) -> PrincipleEntry {
    PrincipleEntry {
        principle,
        justification: justification.into(),
        evaluation: None,
        dpo_comment: String::new(),
    }
}

fn s(kind: SupportKind, description: &str) -> Support {
    Support {
        kind,
        description: description.into(),
    }
}

fn m(title: &str, state: MeasureState) -> MeasureText {
    MeasureText {
        title: title.into(),
        state,
    }
}

#[allow(clippy::too_many_arguments)]
fn r(
    kind: RiskKind,
    sources: &str,
    threats: &str,
    impacts: &str,
    levels: [i32; 4],
    measures: Vec<MeasureText>,
) -> RiskText {
    RiskText {
        kind,
        sources: sources.into(),
        threats: threats.into(),
        impacts: impacts.into(),
        severity: Some(levels[0]),
        likelihood: Some(levels[1]),
        residual_severity: Some(levels[2]),
        residual_likelihood: Some(levels[3]),
        measures,
    }
}

/// (name, description, content) of each model.
pub fn models() -> Vec<(&'static str, &'static str, ModelContent)> {
    use MeasureState::{Existing, Planned};
    use Principle::*;
    use RiskKind::*;
    use SupportKind::*;
    vec![
        (
            "Vidéoprotection de l'espace public",
            "Caméras sur la voie publique et aux abords des bâtiments communaux, autorisées par arrêté préfectoral (CSI, art. L251-1 et suivants). Analyse requise : surveillance systématique à grande échelle.",
            ModelContent {
                context: Context {
                    overview: "Dispositif de vidéoprotection de la commune : caméras fixes sur la voie publique (places, abords des écoles, parkings) et aux entrées des bâtiments communaux, pour prévenir les atteintes aux biens et aux personnes et constater les infractions. Autorisation préfectorale après avis de la commission départementale de vidéoprotection.".into(),
                    data_processed: "Images de personnes et de véhicules (plaques d'immatriculation) passant dans le champ des caméras ; journal des accès aux images et des extractions ; réquisitions des officiers de police judiciaire. Destinataires : agents habilités de la police municipale, officiers de police judiciaire sur réquisition. Conservation : 30 jours au plus (CSI, art. L252-5), sauf extraction pour une procédure.".into(),
                    supports: vec![
                        s(Hardware, "Caméras IP, enregistreur (NVR) dans le local technique de la police municipale, poste de visualisation."),
                        s(Software, "Logiciel de gestion vidéo de l'éditeur, journal des accès."),
                        s(Network, "Réseau dédié (fibre et liaisons radio) séparé du réseau bureautique."),
                        s(People, "Agents de police municipale habilités nominativement par le maire."),
                        s(Paper, "Registre des extractions et des réquisitions."),
                    ],
                    lifecycle: "Captation continue ; enregistrement chiffré sur l'enregistreur ; visualisation en direct par les agents habilités ; extraction sur réquisition, consignée au registre ; effacement automatique au bout de 30 jours.".into(),
                },
                principles: vec![
                    p(Purposes, "Prévention des atteintes à la sécurité des personnes et des biens dans des lieux exposés, protection des bâtiments publics (CSI, art. L251-2) ; aucune autre finalité."),
                    p(LegalBasis, "Mission d'intérêt public (art. 6.1.e du RGPD), dans le cadre de la directive « police-justice » pour la constatation des infractions ; autorisation préfectorale."),
                    p(Minimisation, "Champ des caméras limité à la voie publique ; masquage dynamique des fenêtres et entrées d'immeubles ; pas de son, pas de reconnaissance faciale."),
                    p(Accuracy, "Horodatage synchronisé sur un serveur de temps ; contrôle périodique du fonctionnement des caméras."),
                    p(Retention, "30 jours au plus, effacement automatique ; extraction conservée pour la durée de la procédure."),
                    p(Information, "Panneaux à l'entrée de chaque zone filmée mentionnant le responsable, la finalité, la durée de conservation et le contact du DPO ; information détaillée sur le site de la commune."),
                    p(Consent, "Sans objet : traitement fondé sur une mission d'intérêt public."),
                    p(AccessPortability, "Accès aux images auprès du maire dans le délai légal, sous réserve des droits des tiers (floutage) ; portabilité sans objet (mission d'intérêt public)."),
                    p(RectificationErasure, "Effacement automatique à 30 jours ; rectification sans objet pour des images."),
                    p(RestrictionObjection, "Opposition non applicable (obligation de sécurité publique, art. 21.1) ; limitation possible en cas de contestation."),
                    p(Processors, "Mainteneur du système sous contrat de sous-traitance (art. 28), interventions tracées, sans copie des images."),
                    p(Transfers, "Aucun transfert hors de l'Union européenne : enregistrement local."),
                ],
                risks: vec![
                    r(IllegitimateAccess,
                      "Agent habilité curieux ou malveillant ; intrus dans le local technique ; attaquant sur le réseau des caméras.",
                      "Consultation d'images hors finalité, copie sur clé USB, intrusion sur une caméra exposée.",
                      "Atteinte à la vie privée (habitudes, fréquentations), usage à des fins de harcèlement ou de chantage.",
                      [3, 3, 3, 2],
                      vec![
                          m("Habilitation nominative et mots de passe individuels", Existing),
                          m("Journal des accès et des extractions, relu chaque trimestre", Existing),
                          m("Chiffrement des enregistrements et des flux", Planned),
                          m("Désactivation des ports USB du poste de visualisation", Planned),
                      ]),
                    r(UnwantedModification,
                      "Attaquant sur l'enregistreur ; erreur de manipulation.",
                      "Altération ou montage d'images, décalage de l'horodatage.",
                      "Preuve contestée, mise en cause injustifiée d'une personne.",
                      [2, 2, 2, 1],
                      vec![
                          m("Synchronisation de l'heure sur un serveur de temps", Existing),
                          m("Empreinte (hachage) des extractions remises aux OPJ", Planned),
                      ]),
                    r(Disappearance,
                      "Panne, vandalisme, incendie du local, rançongiciel.",
                      "Destruction de l'enregistreur, chiffrement par rançongiciel.",
                      "Impossibilité de fournir des images à une victime ou à la justice.",
                      [2, 2, 2, 1],
                      vec![
                          m("Local technique fermé à clé, alarme", Existing),
                          m("Alimentation secourue de l'enregistreur", Existing),
                      ]),
                ],
            },
        ),
        (
            "Cantine scolaire et accueil périscolaire",
            "Inscriptions, pointage des repas, régimes alimentaires et PAI, facturation aux familles. Analyse recommandée : personnes vulnérables (enfants) et données de santé (allergies).",
            ModelContent {
                context: Context {
                    overview: "Gestion de la restauration scolaire et de l'accueil périscolaire : inscription des enfants, réservation et pointage des repas, prise en compte des régimes alimentaires et des projets d'accueil individualisé (PAI), facturation aux familles et relances.".into(),
                    data_processed: "Enfants : nom, prénom, date de naissance, école, classe, régime alimentaire, allergies et PAI (données de santé). Responsables légaux : identité, coordonnées, quotient familial, coordonnées bancaires en cas de prélèvement. Destinataires : service scolaire, agents de restauration (liste des régimes uniquement), trésorerie. Conservation : durée de la scolarité dans la commune, puis pièces comptables 10 ans.".into(),
                    supports: vec![
                        s(Software, "Portail famille et logiciel de facturation de l'éditeur, hébergé en France."),
                        s(Hardware, "Tablettes de pointage dans les restaurants scolaires, postes du service scolaire."),
                        s(Network, "Accès Internet des écoles, liaison chiffrée vers le logiciel hébergé."),
                        s(People, "Agents du service scolaire et de restauration, animateurs périscolaires."),
                        s(Paper, "Fiches d'inscription et PAI signés, listes d'allergies affichées en cuisine."),
                    ],
                    lifecycle: "Inscription annuelle sur le portail famille ; pointage quotidien ; facturation mensuelle ; archivage des factures ; suppression des dossiers des enfants ayant quitté la commune au 31 décembre suivant.".into(),
                },
                principles: vec![
                    p(Purposes, "Organiser la restauration scolaire et l'accueil périscolaire, assurer la sécurité alimentaire des enfants, facturer le service."),
                    p(LegalBasis, "Mission d'intérêt public (service public facultatif de restauration scolaire) ; données de santé : art. 9.2.g et PAI signé par la famille."),
                    p(Minimisation, "Seule l'allergie et la conduite à tenir figurent sur les listes de cuisine, sans le détail médical ; le quotient familial suffit, sans avis d'imposition conservé."),
                    p(Accuracy, "Mise à jour par les familles sur le portail à chaque rentrée ; PAI revu chaque année."),
                    p(Retention, "Dossier de l'enfant jusqu'à la fin de sa scolarité dans la commune ; pièces comptables 10 ans ; PAI supprimé à son terme."),
                    p(Information, "Mention d'information sur le formulaire d'inscription et le portail famille, règlement du service."),
                    p(Consent, "Sans objet, sauf photographies d'activités périscolaires (autorisation distincte)."),
                    p(AccessPortability, "Accès en ligne aux données et factures sur le portail ; export des factures."),
                    p(RectificationErasure, "Rectification directe sur le portail ; effacement à la désinscription, hors pièces comptables."),
                    p(RestrictionObjection, "Demandes traitées par le service scolaire avec le DPO dans le délai d'un mois."),
                    p(Processors, "Éditeur du portail sous contrat de sous-traitance (art. 28), hébergement certifié HDS non requis (pas de dossier médical)."),
                    p(Transfers, "Aucun transfert hors de l'Union européenne (hébergement en France, vérifié au contrat)."),
                ],
                risks: vec![
                    r(IllegitimateAccess,
                      "Personne non habilitée dans la cuisine ou l'école ; compte famille compromis ; agent qui a quitté le service.",
                      "Consultation de la liste des allergies et des PAI, usurpation d'un compte du portail.",
                      "Divulgation de données de santé d'enfants, stigmatisation.",
                      [3, 2, 3, 1],
                      vec![
                          m("Comptes individuels pour les agents, retirés au départ", Existing),
                          m("Listes de cuisine sans détail médical, rangées hors de la vue du public", Planned),
                      ]),
                    r(UnwantedModification,
                      "Erreur de saisie ; famille qui modifie un régime par erreur.",
                      "Allergie effacée ou mal reportée sur la liste du jour.",
                      "Risque vital pour un enfant allergique (choc anaphylactique).",
                      [4, 2, 4, 1],
                      vec![
                          m("Toute modification d'un PAI validée par le service scolaire", Existing),
                          m("Contrôle croisé quotidien de la liste des régimes par le chef de cuisine", Planned),
                      ]),
                    r(Disappearance,
                      "Panne de l'hébergeur, perte de réseau de l'école.",
                      "Liste des régimes indisponible à l'heure du service.",
                      "Repas servi sans connaître les allergies.",
                      [3, 2, 3, 1],
                      vec![m("Liste papier des PAI tenue à jour dans chaque office", Existing)]),
                ],
            },
        ),
        (
            "Gestion des ressources humaines",
            "Carrière, paie, absences, médecine préventive et dossiers disciplinaires des agents. Analyse recommandée : données de santé et situation des agents (personnes en situation de subordination).",
            ModelContent {
                context: Context {
                    overview: "Gestion administrative des agents titulaires et contractuels : recrutement, carrière, rémunération, absences et congés (dont maladie), formation, médecine préventive, procédures disciplinaires, déclarations sociales (DSN).".into(),
                    data_processed: "Identité, coordonnées, NIR, situation familiale, coordonnées bancaires, carrière et rémunération, arrêts de travail et accidents de service (données de santé), sanctions. Destinataires : service RH, comptable public, centre de gestion, caisses (CNRACL, IRCANTEC, URSSAF), médecine préventive pour ce qui la concerne. Conservation : dossier jusqu'aux 80 ans de l'agent (instruction des archives), bulletins de paie 5 ans après la liquidation de la retraite.".into(),
                    supports: vec![
                        s(Software, "Logiciel RH et paie de l'éditeur, mutualisé par l'intercommunalité."),
                        s(Hardware, "Postes du service RH, serveur de fichiers de la mairie."),
                        s(Network, "Réseau de la mairie, liaison vers le logiciel mutualisé et vers net-entreprises (DSN)."),
                        s(People, "Agents du service RH, direction générale, élus ayant délégation."),
                        s(Paper, "Dossiers individuels des agents en armoire fermée."),
                    ],
                    lifecycle: "Création du dossier au recrutement ; mises à jour de carrière ; paie mensuelle et DSN ; versement aux archives départementales selon le tableau de gestion ; destruction visée par l'archiviste.".into(),
                },
                principles: vec![
                    p(Purposes, "Gérer la situation administrative et la rémunération des agents, respecter les obligations de l'employeur public."),
                    p(LegalBasis, "Obligation légale (code général de la fonction publique) et exécution du contrat pour les contractuels ; données de santé : art. 9.2.b."),
                    p(Minimisation, "Le motif médical des arrêts n'est pas collecté ; le NIR seulement pour les déclarations sociales."),
                    p(Accuracy, "Agents invités à vérifier leurs données lors de l'entretien professionnel annuel."),
                    p(Retention, "Selon l'instruction DAF/DPACI/RES/2009/018 : dossier individuel jusqu'aux 80 ans de l'agent ; sanctions effacées selon les délais du statut."),
                    p(Information, "Notice d'information remise au recrutement et publiée sur l'intranet."),
                    p(Consent, "Sans objet (obligation légale)."),
                    p(AccessPortability, "Consultation du dossier individuel sur rendez-vous (loi du 17 juillet 1978 et art. 15) ; portabilité sans objet."),
                    p(RectificationErasure, "Rectification sur demande justifiée ; effacement limité par les obligations d'archivage."),
                    p(RestrictionObjection, "Opposition non applicable (obligation légale) ; limitation en cas de contestation."),
                    p(Processors, "Éditeur du logiciel RH et centre de gestion sous clauses de sous-traitance (art. 28)."),
                    p(Transfers, "Aucun transfert hors de l'Union européenne."),
                ],
                risks: vec![
                    r(IllegitimateAccess,
                      "Agent d'un autre service, élu sans délégation, prestataire informatique.",
                      "Consultation des arrêts maladie, des sanctions ou des salaires d'un collègue.",
                      "Atteinte à la dignité et à la carrière de l'agent, conflits au travail.",
                      [3, 3, 3, 2],
                      vec![
                          m("Droits d'accès au logiciel RH limités au service RH", Existing),
                          m("Armoire des dossiers individuels fermée à clé", Existing),
                          m("Revue annuelle des habilitations avec le DPO", Planned),
                      ]),
                    r(UnwantedModification,
                      "Erreur de saisie, fraude au changement de RIB par courriel.",
                      "Salaire versé sur un compte frauduleux, carrière mal reconstituée.",
                      "Perte de salaire, préjudice sur la retraite.",
                      [3, 2, 3, 1],
                      vec![
                          m("Changement de RIB confirmé par téléphone auprès de l'agent", Planned),
                          m("Contrôle de la paie par le comptable public", Existing),
                      ]),
                    r(Disappearance,
                      "Rançongiciel, incendie, départ de l'agent RH unique.",
                      "Perte des dossiers et de l'historique de carrière.",
                      "Droits à la retraite difficiles à prouver, paie interrompue.",
                      [3, 2, 3, 1],
                      vec![
                          m("Sauvegardes mutualisées quotidiennes du logiciel RH", Existing),
                          m("Test de restauration annuel", Planned),
                      ]),
                ],
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_model_justifies_every_principle_and_weighs_the_three_risks() {
        let models = super::models();
        assert_eq!(models.len(), 3);
        for (name, _, c) in models {
            assert_eq!(c.principles.len(), super::Principle::ALL.len(), "{name}");
            assert_eq!(c.risks.len(), 3, "{name}");
            assert!(
                c.risks.iter().all(|r| r.residual_severity.is_some()),
                "{name}"
            );
            assert!(!c.context.supports.is_empty(), "{name}");
        }
    }
}
