// The API words its input errors in English; the console shows them in French. Known
// messages are translated here, anything else is shown as the API wrote it.
const translations: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^the activity needs a name$/, () => "Donnez un nom au traitement."],
  [/^at most (\d+) characters$/, (m) => `${m[1]} caractères au plus.`],
  [
    /^a processor's register names the controller it acts for/,
    () => "Le registre d'un sous-traitant nomme le responsable de traitement pour lequel il agit (art. 30.2.a).",
  ],
  [
    /^legal basis #(\d+): name the legal text it rests on$/,
    (m) => `Base légale n° ${m[1]} : indiquez le texte sur lequel elle repose (obligation légale ou mission d'intérêt public).`,
  ],
  [/^a category of data subjects has no name$/, () => "Une catégorie de personnes concernées n'a pas de nom."],
  [/^an estimated count cannot be negative$/, () => "Un nombre estimé ne peut pas être négatif."],
  [/^a category of data has no name$/, () => "Une catégorie de données n'a pas de nom."],
  [/^"(.*)" is not an ISO 3166-1 country code$/, (m) => `« ${m[1]} » n'est pas un code pays ISO 3166-1 (deux lettres).`],
  [/^(\w\w) is in the EU\/EEA: not a transfer$/, (m) => `${m[1]} est dans l'UE ou l'EEE : ce n'est pas un transfert hors UE.`],
  [/^every retention period needs a duration \(in months\)$/, () => "Chaque durée de conservation doit indiquer un nombre de mois."],
  [/^a duration over 100 years is not a retention period$/, () => "Une durée de plus de 100 ans n'est pas une durée de conservation."],
  [/^unknown value "(.*)"; expected one of: (.*)$/, (m) => `Valeur inconnue « ${m[1]} » ; valeurs possibles : ${m[2]}.`],
  [/^describe the breach in a few words$/, () => "Décrivez la violation en quelques mots."],
  [/^awareness cannot be in the future$/, () => "La prise de connaissance ne peut pas être dans le futur."],
  [/^counts cannot be negative$/, () => "Les nombres ne peuvent pas être négatifs."],
  [/^who made the request\?$/, () => "Qui a fait la demande ?"],
];

export function messageFr(message: string): string {
  for (const [pattern, render] of translations) {
    const m = message.match(pattern);
    if (m) return render(m);
  }
  return message;
}

// Maturity (tenants/src/maturity): questionnaires and assessments.
translations.push(
  [/^title: required$/, () => "Donnez un titre au questionnaire."],
  [/^title: at most (\d+) characters$/, (m) => `Le titre compte ${m[1]} caractères au plus.`],
  [/^between 1 and (\d+) questions$/, (m) => `Le questionnaire compte de 1 à ${m[1]} questions.`],
  [/^question (\d+): key "(.*)" must be 1 to 40 of a-z, 0-9, _ and -$/, (m) => `Question ${m[1]} : la clé « ${m[2]} » doit compter 1 à 40 caractères parmi a-z, 0-9, _ et -.`],
  [/^question (\d+): key "(.*)" used twice$/, (m) => `Question ${m[1]} : la clé « ${m[2]} » est utilisée deux fois.`],
  [/^question (\S+) (theme|text|option): required$/, (m) => `Question ${m[1]} : ${m[2] === "theme" ? "le thème est obligatoire" : m[2] === "text" ? "l'énoncé est obligatoire" : "chaque réponse a un libellé"}.`],
  [/^question (\S+) (theme|text|option): at most (\d+) characters$/, (m) => `Question ${m[1]} : ${m[3]} caractères au plus.`],
  [/^question (\S+): weight between 1 and 10$/, (m) => `Question ${m[1]} : le poids est compris entre 1 et 10.`],
  [/^question (\S+): between 2 and (\d+) answer options$/, (m) => `Question ${m[1]} : de 2 à ${m[2]} réponses possibles.`],
  [/^question (\S+): option "(.*)" twice$/, (m) => `Question ${m[1]} : la réponse « ${m[2]} » figure deux fois.`],
  [/^question (\S+): option "(.*)" scores between 0 and 100 %$/, (m) => `Question ${m[1]} : le score de « ${m[2]} » est compris entre 0 et 100 %.`],
  [/^question (\S+): one 'not applicable' option at most$/, (m) => `Question ${m[1]} : une seule réponse « sans objet ».`],
  [/^question (\S+): one option must be worth 100 %/, (m) => `Question ${m[1]} : une réponse doit valoir 100 % (la pratique attendue).`],
  [/^in the future$/, () => "La date ne peut pas être dans le futur."],
  [/^before the GDPR applied/, () => "La date est antérieure à l'entrée en application du RGPD (25/05/2018)."],
  [/^question "(.*)" answered twice$/, (m) => `La question « ${m[1]} » a reçu deux réponses.`],
  [/^question "(.*)" is not answered$/, (m) => `La question « ${m[1]} » n'a pas de réponse.`],
  [/^no question "(.*)" in this questionnaire$/, (m) => `Le questionnaire n'a pas de question « ${m[1]} ».`],
  [/^every question is 'not applicable'/, () => "Toutes les réponses sont « sans objet » : rien à évaluer."],
  [/^assessments are of communes, not of the organisation$/, () => "On évalue une commune, pas l'intercommunalité."],
  [/^say what went wrong: a partial or failed test needs notes$/, () => "Dites ce qui n'a pas marché : un test partiel ou échoué demande des notes."],
  [/^more than ten years ago$/, () => "La date remonte à plus de dix ans."],
  [/^between 0 and 30 days$/, () => "La durée est comprise entre 0 et 30 jours."],
  [/^nothing to invoice in this period/, () => "Rien à facturer sur cette période : ses répartitions sont déjà facturées (une modification demande une répartition de correction) ou aucune n'a été lancée."],
  [/^before periodStart$/, () => "La fin précède le début de la période."],
  [/^every subscribed commune's key is zero$/, () => "La clé de chaque commune abonnée vaut zéro : rien à répartir."],
  [/^a completed DPIA states its conclusion$/, () => "Une analyse d'impact réalisée énonce sa conclusion."],
);
