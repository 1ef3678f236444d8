//! The few pages the function renders itself, in French: the cancellation
//! step and the error page for forms sent without JavaScript. Plain,
//! accessible HTML (`lang="fr"`, one `h1`, a `main` landmark, visible focus),
//! no script, every value escaped.

use maillage_model::markup::escape;
use maillage_model::meetup::MeetupDefinition;
use maillage_store::{Registrant, RegistrationStatus};

use super::answer::ApiError;

const STYLE: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;\
line-height:1.5;margin:0;color:#1b1b1b;background:#fff}\
main{max-width:38rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.6rem}\
a{color:#0a4fa8}\
button{font:inherit;padding:.6rem 1.2rem;border:2px solid #8a1c1c;background:#8a1c1c;color:#fff;border-radius:.3rem;cursor:pointer}\
a:focus,button:focus{outline:3px solid #f0b400;outline-offset:2px}\
.problems{border-left:4px solid #8a1c1c;padding:.2rem 1rem;background:#fdf3f3}\
.note{color:#444}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\
caption{text-align:left;font-weight:bold;margin-bottom:.5rem}";

/// A complete page.
pub(super) fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{} · Maillage</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main id=\"contenu\">\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    )
}

/// The organiser's registrant list, for a form sent without JavaScript; a
/// button posts the same form again for the CSV file.
pub(super) fn registrants_page(
    meetup: &MeetupDefinition,
    people: &[Registrant],
    key: &str,
) -> String {
    use super::registrants::{rank, role_label, status_label};
    let count = |wanted: fn(&RegistrationStatus) -> bool| {
        people.iter().filter(|r| wanted(&r.status)).count()
    };
    let confirmed = count(|s| matches!(s, RegistrationStatus::Confirmed));
    let waiting = count(|s| matches!(s, RegistrationStatus::Waiting { .. }));
    let mut body = format!(
        "<h1>Personnes inscrites</h1>\n<p>{} : {confirmed} inscription{} confirmée{} pour {} places, {waiting} en liste d'attente.</p>\n\
         <p class=\"note\">Ces données sont personnelles : ne les publiez pas, ne les transmettez qu'au lieu qui en a besoin, et supprimez-les après la rencontre.</p>\n",
        escape(&meetup.title),
        if confirmed > 1 { "s" } else { "" },
        if confirmed > 1 { "s" } else { "" },
        meetup.capacity,
    );
    if people.is_empty() {
        body.push_str("<p>Personne ne s'est encore inscrit.</p>\n");
    } else {
        body.push_str(
            "<table>\n<caption>Inscriptions</caption>\n<thead><tr><th scope=\"col\">Nom</th><th scope=\"col\">Courriel</th>\
             <th scope=\"col\">Rôle</th><th scope=\"col\">Structure</th><th scope=\"col\">Besoins</th><th scope=\"col\">Statut</th></tr></thead>\n<tbody>\n",
        );
        for r in people {
            let rank = rank(r.status);
            let status = if rank.is_empty() {
                status_label(r.status).to_string()
            } else {
                format!("{} ({rank})", status_label(r.status))
            };
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&r.name),
                escape(&r.email),
                role_label(r.role),
                escape(r.structure.as_deref().unwrap_or("")),
                escape(r.need.as_deref().unwrap_or("")),
                escape(&status),
            ));
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"\">\n<input type=\"hidden\" name=\"meetup\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"key\" value=\"{}\">\n<input type=\"hidden\" name=\"format\" value=\"csv\">\n\
         <p><button type=\"submit\">Télécharger la liste (CSV)</button></p>\n</form>",
        escape(&meetup.id),
        escape(key),
    ));
    layout(&format!("Inscriptions : {}", meetup.title), &body)
}

/// The error page of a form sent without JavaScript.
pub(super) fn error_page(error: &ApiError, back: Option<&str>) -> String {
    let mut body = String::new();
    body.push_str("<h1>Votre envoi n'a pas abouti</h1>\n");
    body.push_str(&format!("<p>{}</p>\n", escape(&error.message)));
    if !error.fields.is_empty() {
        body.push_str("<div class=\"problems\" role=\"alert\">\n<h2>À corriger</h2>\n<ul>\n");
        for (field, message) in &error.fields {
            body.push_str(&format!(
                "<li><strong>{}</strong> : {}</li>\n",
                escape(field_label(field)),
                escape(message)
            ));
        }
        body.push_str("</ul>\n</div>\n");
    }
    if let Some(back) = back {
        body.push_str(&format!(
            "<p><a href=\"{}\">Revenir au formulaire</a></p>\n\
             <p class=\"note\">Le bouton « Retour » de votre navigateur garde en général ce que vous aviez saisi.</p>\n",
            escape(back)
        ));
    } else {
        body.push_str(
            "<p class=\"note\">Utilisez le bouton « Retour » de votre navigateur pour revenir au formulaire : il garde en général ce que vous aviez saisi.</p>\n",
        );
    }
    body.push_str(&format!(
        "<p class=\"note\">Code de l'erreur : <code>{}</code></p>",
        escape(error.code)
    ));
    layout("Envoi non abouti", &body)
}

/// The French name of a form field, for the error page.
fn field_label(field: &str) -> &str {
    match field {
        "meetup" => "Rencontre",
        "name" => "Prénom ou pseudonyme",
        "email" => "Adresse électronique",
        "role" => "Rôle",
        "structure" => "Structure",
        "need" => "Besoins particuliers",
        "consent" => "Consentement",
        "key" => "Clé de l'organisateur ou de l'organisatrice",
        "attendance" => "Nombre de personnes présentes",
        "outcome" => "Intentions et déroulé",
        "went_well" => "Ce qui a bien marché",
        "problems" => "Difficultés",
        "improvements" => "Améliorations pour la prochaine fois",
        "sheets" => "Fiches pratiques",
        "links" => "Liens",
        "public" => "Parties publiées",
        "private_notes" => "Notes privées",
        "jeton" => "Lien d'annulation",
        other => other,
    }
}

/// What the cancellation page says about the registration.
pub(super) struct CancelPage<'a> {
    pub meetup_title: &'a str,
    pub meetup_url: Option<&'a str>,
    pub date_label: String,
    /// `None` when already cancelled.
    pub standing: Option<String>,
    pub action: &'a str,
    pub token: &'a str,
}

/// The confirmation step of a cancellation (GET with the private token).
pub(super) fn cancel_page(page: &CancelPage) -> String {
    let meetup = match page.meetup_url {
        Some(url) => format!(
            "<a href=\"{}\">{}</a>",
            escape(url),
            escape(page.meetup_title)
        ),
        None => escape(page.meetup_title),
    };
    let Some(standing) = &page.standing else {
        let body = format!(
            "<h1>Inscription déjà annulée</h1>\n\
             <p>Votre inscription à la rencontre {meetup} ({}) est déjà annulée : vous n'avez rien d'autre à faire.</p>",
            escape(&page.date_label)
        );
        return layout("Inscription déjà annulée", &body);
    };
    let body = format!(
        "<h1>Annuler votre inscription ?</h1>\n\
         <p>Rencontre : {meetup}<br>Date : {}</p>\n\
         <p>{}</p>\n\
         <p>Si vous ne pouvez plus venir, annulez : votre place revient à la première personne de la liste d'attente. \
         L'annulation est définitive ; pour revenir, il faudra vous inscrire de nouveau, dans la limite des places.</p>\n\
         <form method=\"post\" action=\"{}\">\n\
         <input type=\"hidden\" name=\"jeton\" value=\"{}\">\n\
         <button type=\"submit\">Oui, annuler mon inscription</button>\n\
         </form>\n\
         <p class=\"note\">Vous venez finalement ? Fermez simplement cette page : votre inscription reste valable.</p>",
        escape(&page.date_label),
        escape(standing),
        escape(page.action),
        escape(page.token),
    );
    layout("Annuler votre inscription", &body)
}

/// The cancellation link does not (or no longer) match any registration.
pub(super) fn unknown_token_page() -> String {
    layout(
        "Lien d'annulation inconnu",
        "<h1>Lien d'annulation inconnu</h1>\n\
         <p>Ce lien ne correspond à aucune inscription en cours. Il est peut-être incomplet (vérifiez que vous l'avez copié en entier), \
         ou les données de cette inscription ont été effacées après la rencontre.</p>",
    )
}
