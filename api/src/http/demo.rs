//! The demo login of the embedded mode: one click per role, offered only when the server
//! listens on loopback AND the request comes from loopback. Every page says it is a demo.
use crate::http::auth::session_cookie;
use crate::http::oidc::error_page;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use std::net::SocketAddr;
use tenants::access::{self, SESSION_HOURS};
use tenants::demo::DEMO_PEOPLE;
use tenants::entities::app_user;

fn allowed(st: &AppState, peer: &SocketAddr) -> bool {
    st.config.demo && peer.ip().is_loopback()
}

pub async fn page(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if !allowed(&st, &peer) {
        return error_page(
            StatusCode::NOT_FOUND,
            "Page introuvable",
            "La connexion de démonstration n'est pas offerte ici.",
        );
    }
    let buttons: String = DEMO_PEOPLE
        .iter()
        .map(|(email, role, _, label)| {
            format!(
                "<li><form method=\"post\" action=\"/auth/demo\"><input type=\"hidden\" name=\"email\" value=\"{email}\">\
                 <button type=\"submit\">{label}</button> <small>({role})</small></form></li>"
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Démonstration — Mutualis</title></head><body>\
         <main><p role=\"alert\"><strong>DÉMONSTRATION</strong> — données fictives de démonstration sur un référentiel réel, \
         connexion sans mot de passe réservée à cet ordinateur.</p><h1>Se connecter en tant que…</h1><ul>{buttons}</ul></main></body></html>"
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct DemoLogin {
    email: String,
}

pub async fn login(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<DemoLogin>,
) -> Response {
    if !allowed(&st, &peer) {
        return error_page(
            StatusCode::NOT_FOUND,
            "Page introuvable",
            "La connexion de démonstration n'est pas offerte ici.",
        );
    }
    // Only the seeded demo people, never an arbitrary account.
    if !DEMO_PEOPLE.iter().any(|(e, ..)| *e == f.email) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Compte de démonstration inconnu",
            "Choisissez un des comptes proposés.",
        );
    }
    let user = match app_user::Entity::find()
        .filter(app_user::Column::Email.eq(f.email.clone()))
        .one(&st.db)
        .await
    {
        Ok(Some(u)) => u,
        _ => {
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Démonstration non initialisée",
                "Redémarrez le serveur.",
            )
        }
    };
    match access::open_session(&st.db, user.id, "demo", None).await {
        Ok((secret, _)) => {
            tracing::warn!(user = %user.email, "DEMO login (loopback only)");
            (
                [(
                    header::SET_COOKIE,
                    session_cookie(&secret, st.config.secure_cookies(), SESSION_HOURS * 3600),
                )],
                Redirect::to("/"),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "demo session failed");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Connexion impossible",
                "Réessayez.",
            )
        }
    }
}
