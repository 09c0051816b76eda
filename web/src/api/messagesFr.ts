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
