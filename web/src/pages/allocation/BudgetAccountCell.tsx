// The budget account (M57) a service's costs are recovered on by titres de recettes, edited in
// its row of the catalogue. Empty: the intercommunality's account of its billing identity.
import { useState, type FormEvent } from "react";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { SetCostServiceBudgetAccountMutation } from "./allocationQueries";

export function BudgetAccountCell({ serviceId, name, value, onSaved }: { serviceId: string; name: string; value: string | null | undefined; onSaved: () => void }) {
  const [account, setAccount] = useState(value ?? "");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = `budget-account-${serviceId}`;

  async function save(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    try {
      const r = await request(SetCostServiceBudgetAccountMutation, { serviceId, budgetAccount: account.trim() || null });
      const saved = r.setCostServiceBudgetAccount.budgetAccount;
      setMessage({ ok: true, text: saved ? `Compte ${saved} enregistré.` : "Compte de l'intercommunalité appliqué." });
      onSaved();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) ?? "Le compte n'a pas pu être enregistré." });
    }
  }

  return (
    <form onSubmit={save} noValidate className="budget-account-form">
      <label className="fr-label fr-sr-only" htmlFor={id}>
        Compte budgétaire de « {name} »
      </label>
      <input id={id} className="fr-input" inputMode="numeric" value={account} onChange={(e) => setAccount(e.target.value)} placeholder="70875" aria-describedby={`${id}-msg`} size={8} />
      <button type="submit" className="fr-btn fr-btn--sm fr-btn--tertiary">
        Enregistrer<span className="fr-sr-only"> le compte de « {name} »</span>
      </button>
      <p id={`${id}-msg`} role="status" className={message ? (message.ok ? "fr-message fr-message--valid" : "fr-message fr-message--error") : "fr-sr-only"}>
        {message?.text ?? ""}
      </p>
    </form>
  );
}
