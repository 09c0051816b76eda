//! The demo login of the embedded mode: one click per role in the console's login page,
//! offered only when the server listens on loopback AND the request comes from loopback.
use crate::http::auth::session_cookie;
use crate::http::oidc::error_page;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
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

/// The demo people offered to this caller (loopback only), for the console's login page.
pub fn accounts(st: &AppState, peer: Option<&SocketAddr>) -> Option<serde_json::Value> {
    if !peer.is_some_and(|p| allowed(st, p)) {
        return None;
    }
    Some(
        DEMO_PEOPLE
            .iter()
            .map(|p| {
                serde_json::json!({
                    "email": p.email,
                    "label": p.label,
                    "description": p.description,
                })
            })
            .collect(),
    )
}

/// The console's login page lists the demo people: this old address leads there.
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
    Redirect::to("/").into_response()
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
    if !DEMO_PEOPLE.iter().any(|p| p.email == f.email) {
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
    match access::open_session(&st.db, user.id, "demo").await {
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
