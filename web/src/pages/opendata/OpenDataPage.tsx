// Données ouvertes: what a commune publishes in the platform's DCAT-AP catalogue, which data
// portals (data.gouv.fr among them) harvest — its public register of processing activities,
// with the fields it chooses, and the essential data of its public contracts (DECP). Nothing
// unpublished is listed nor served.
import { useEffect, useState, type FormEvent } from "react";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import type { OpenDataQuery as OpenDataResult } from "../../gql/graphql";
import { request } from "../../api/graphqlClient";
import { errorText, splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { CheckboxField, ErrorSummary, FieldsetGroup, SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { formatDateTime } from "../../format/fr";
import { PageHeading } from "../../layout/PageHeading";

export const OpenDataQuery = graphql(`
  query OpenData($tenantId: UUID!, $register: Boolean!, $decp: Boolean!) {
    register: openDataPublication(tenantId: $tenantId, dataset: "register") @include(if: $register) {
      ...Publication
    }
    decp: openDataPublication(tenantId: $tenantId, dataset: "decp") @include(if: $decp) {
      ...Publication
    }
    publicRegisterSettings(tenantId: $tenantId) @include(if: $register) {
      fields
    }
    gdprVocabulary @include(if: $register) {
      publishableFields { code label }
    }
  }

  fragment Publication on OpenDataPublication {
    dataset
    label
    published
    firstPublishedAt
    updatedAt
    catalogPath
    distributions { format mediaType path }
  }
`);

const SetPublication = graphql(`
  mutation SetOpenDataPublication($tenantId: UUID!, $dataset: String!, $published: Boolean!) {
    setOpenDataPublication(tenantId: $tenantId, dataset: $dataset, published: $published) {
      dataset
      published
    }
  }
`);

const SetRegisterFields = graphql(`
  mutation SetPublicRegisterFields($tenantId: UUID!, $published: Boolean!, $fields: [String!]!) {
    setPublicRegister(tenantId: $tenantId, published: $published, fields: $fields) {
      published
      fields
    }
  }
`);

type Publication = NonNullable<OpenDataResult["decp"]>;

const formats: Record<string, string> = { HTML: "page web", JSON: "JSON", XML: "XML" };

function Addresses({ p, commune }: { p: Publication; commune: string }) {
  return (
    <ul className="fr-mb-2w">
      {p.distributions.map((d) => {
        const url = `${window.location.origin}${d.path}`;
        return (
          <li key={d.path}>
            {p.published ? (
              <a className="fr-link" href={d.path}>
                {p.label} de {commune} ({formats[d.format] ?? d.format})
              </a>
            ) : (
              <span>
                {formats[d.format] ?? d.format} (après publication)
              </span>
            )}{" "}
            : <code style={{ wordBreak: "break-all" }}>{url}</code>
          </li>
        );
      })}
    </ul>
  );
}

function Status({ p }: { p: Publication }) {
  return (
    <p className="fr-mb-1w">
      <Badge as="span" small noIcon severity={p.published ? "success" : "info"}>
        {p.published ? "Publié" : "Non publié"}
      </Badge>
      {p.published && p.firstPublishedAt ? <> depuis le {formatDateTime(p.firstPublishedAt)}</> : null}
      {p.updatedAt ? <span className="fr-text--xs fr-ml-1w">(dernier changement le {formatDateTime(p.updatedAt)})</span> : null}
    </p>
  );
}

export function OpenDataPage() {
  const ctx = useAuthenticated();
  const communes = ctx.tenants.filter((t) => t.kind === "commune");
  const [tenantId, setTenantId] = useState(ctx.tenantId ?? communes[0]?.id ?? "");
  const commune = communes.find((t) => t.id === tenantId)?.name ?? "";
  const showRegister = can(ctx.roles, "readGdpr");
  const showDecp = can(ctx.roles, "readProcurement");
  const q = useQuery(OpenDataQuery, { tenantId, register: showRegister, decp: showDecp }, { skip: !tenantId });
  const [fields, setFields] = useState<string[]>([]);
  const [publishRegister, setPublishRegister] = useState(false);
  const [publishDecp, setPublishDecp] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [announce, setAnnounce] = useState("");

  // The form starts from what is published.
  useEffect(() => {
    if (!q.data) return;
    setFields(q.data.publicRegisterSettings?.fields ?? []);
    setPublishRegister(q.data.register?.published ?? false);
    setPublishDecp(q.data.decp?.published ?? false);
  }, [q.data]);

  async function save(ev: FormEvent, dataset: "register" | "decp") {
    ev.preventDefault();
    setErrors({});
    setGeneral([]);
    setBusy(dataset);
    try {
      if (dataset === "register") {
        await request(SetRegisterFields, { tenantId, published: publishRegister, fields });
        setAnnounce(
          publishRegister
            ? `Le registre public de ${commune} est publié avec ${fields.length} rubrique${fields.length > 1 ? "s" : ""}.`
            : `Le registre public de ${commune} n'est plus publié.`,
        );
      } else {
        await request(SetPublication, { tenantId, dataset, published: publishDecp });
        setAnnounce(
          publishDecp
            ? `Les données essentielles des marchés de ${commune} sont publiées.`
            : `Les données essentielles des marchés de ${commune} ne sont plus publiées.`,
        );
      }
      q.reload();
    } catch (err) {
      const split = splitFieldErrors(err);
      setErrors(split.fields);
      const text = errorText(err);
      setGeneral(split.general.length ? split.general : Object.keys(split.fields).length || !text ? [] : [text]);
    } finally {
      setBusy(null);
    }
  }

  const catalog = `${window.location.origin}${q.data?.decp?.catalogPath ?? q.data?.register?.catalogPath ?? "/opendata/catalog.jsonld"}`;
  const vocabulary = q.data?.gdprVocabulary?.publishableFields ?? [];

  return (
    <>
      <PageHeading title="Données ouvertes">
        Les jeux de données que la commune choisit de publier, sous Licence Ouverte 2.0, à des adresses stables. Ils sont
        listés dans le catalogue DCAT-AP de la plateforme, que les portails de données (dont data.gouv.fr) moissonnent :{" "}
        <code style={{ wordBreak: "break-all" }}>{catalog}</code>. Rien de ce qui n'est pas publié n'y figure.
      </PageHeading>
      <ErrorSummary errors={errors} general={general} labels={{ fields: "Rubriques publiées", dataset: "Jeu de données" }} />
      {communes.length > 1 ? (
        <SelectField
          id="opendata-commune"
          label="Commune"
          value={tenantId}
          onChange={setTenantId}
          options={communes.map((t) => ({ value: t.id, label: t.name }))}
        />
      ) : null}
      <p className="fr-sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      {announce ? (
        <p className="fr-alert fr-alert--success fr-alert--sm fr-mb-2w" aria-hidden="true">
          {announce}
        </p>
      ) : null}
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les publications" /> : null}
      {q.data?.register ? (
        <section className="fr-mb-4w" aria-labelledby="opendata-register-title">
          <h2 className="fr-h4" id="opendata-register-title">
            Registre public des traitements
          </h2>
          <Status p={q.data.register} />
          <p>
            Les traitements validés de la commune (article 30 du RGPD), avec les seules rubriques cochées ci-dessous.
          </p>
          <form onSubmit={(e) => save(e, "register")} noValidate>
            <CheckboxField
              id="opendata-register-published"
              label="Publier le registre public des traitements"
              checked={publishRegister}
              onChange={setPublishRegister}
            />
            <FieldsetGroup id="fields" legend="Rubriques publiées" hint="Le nom de chaque traitement est toujours publié." error={errors.fields}>
              {vocabulary.map((f) => (
                <CheckboxField
                  key={f.code}
                  id={`opendata-field-${f.code}`}
                  label={f.label}
                  checked={fields.includes(f.code)}
                  onChange={(on) => setFields((cur) => (on ? [...cur, f.code] : cur.filter((c) => c !== f.code)))}
                />
              ))}
            </FieldsetGroup>
            <button className="fr-btn fr-mb-2w" type="submit" disabled={busy !== null || !can(ctx.roles, "editGdpr")}>
              {busy === "register" ? "Enregistrement…" : "Enregistrer le registre public"}
            </button>
          </form>
          <Addresses p={q.data.register} commune={commune} />
        </section>
      ) : null}
      {q.data?.decp ? (
        <section className="fr-mb-4w" aria-labelledby="opendata-decp-title">
          <h2 className="fr-h4" id="opendata-decp-title">
            Données essentielles des marchés publics (DECP)
          </h2>
          <Status p={q.data.decp} />
          <p>
            Les marchés notifiés par la commune, au format réglementaire DECP 2.0.3 (schema.data.gouv.fr), montants en euros
            hors taxes. Un marché auquel il manque une donnée obligatoire n'est pas publié : la page Contrats le signale.
          </p>
          <form onSubmit={(e) => save(e, "decp")} noValidate>
            <CheckboxField
              id="opendata-decp-published"
              label="Publier les données essentielles des marchés publics"
              checked={publishDecp}
              onChange={setPublishDecp}
            />
            <button className="fr-btn fr-mb-2w" type="submit" disabled={busy !== null || !can(ctx.roles, "editProcurement")}>
              {busy === "decp" ? "Enregistrement…" : "Enregistrer la publication des DECP"}
            </button>
          </form>
          <Addresses p={q.data.decp} commune={commune} />
        </section>
      ) : null}
    </>
  );
}
