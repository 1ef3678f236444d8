//! The few pages the function renders itself, in French: the cancellation
//! step and the error page for forms sent without JavaScript. Plain,
//! accessible HTML (`lang="fr"`, one `h1`, a `main` landmark, visible focus),
//! no script, every value escaped.

use maillage_model::markup::escape;
use maillage_model::meetup::MeetupDefinition;
use maillage_store::{Attestation, Registrant, RegistrationStatus};

use super::answer::ApiError;
use super::config::FunctionConfig;

/// The theme's look, in brief: its colours, its header, its focus ring. The
/// page's policy allows inline styles only, so the site's stylesheet, on
/// another origin maybe, is not linked.
const STYLE: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;\
line-height:1.55;margin:0;color:#1c2226;background:#fff}\
.site-header{border-bottom:4px solid #0b5566}\
.site-header div{max-width:72rem;margin:0 auto;padding:.6rem 1rem}\
.brand{font-weight:800;font-size:1.3rem;color:#073f4c;text-decoration:none}\
main{max-width:42rem;margin:1.5rem auto 3rem;padding:0 1rem}\
h1{font-size:1.9rem;line-height:1.2;margin:.6em 0 .5em}\
a{color:#0b5566;text-underline-offset:.15em}\
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;min-height:44px;border:2px solid #a4161a;background:#a4161a;color:#fff;border-radius:6px;cursor:pointer}\
a:focus-visible,button:focus-visible{outline:3px solid #1c2226;outline-offset:2px;box-shadow:0 0 0 6px #ffbf1f}\
.outcome{border-left:4px solid #1d6431;background:#e5f2e8;padding:.6rem 1rem;border-radius:6px;margin-bottom:1rem}\
.outcome--waiting{border-color:#7a4d00;background:#fdf1d6}\
.cancel-link{font-weight:600;word-break:break-all}\
.problems{border-left:4px solid #a4161a;padding:.2rem 1rem;background:#fbe9e9}\
.note{color:#4b5661}\
table{border-collapse:collapse;width:100%}.table-scroll{overflow-x:auto}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\
caption{text-align:left;font-weight:bold;margin-bottom:.5rem}\
dt{font-weight:bold}dd{margin:0 0 .5rem}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}\
input[type=text]{font:inherit;padding:.4rem;border:2px solid #4b5661;border-radius:4px;width:100%;max-width:30rem}\
code{font-size:1.15rem;letter-spacing:.05em}\
@media print{.site-header,.no-print{display:none}}";

/// Where the pages' header leads: the site's name and home page.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub name: String,
    /// The home page's URL; `None` when unknown (the name is shown unlinked).
    pub home: Option<String>,
}

impl Default for Site {
    /// The project's name, unlinked: for answers given before the route is known.
    fn default() -> Site {
        Site {
            name: "Maillage".into(),
            home: None,
        }
    }
}

/// A complete page, with the site's header.
pub(crate) fn layout(site: &Site, title: &str, body: &str) -> String {
    let brand = match &site.home {
        Some(home) => format!(
            "<a class=\"brand\" href=\"{}\">{}</a>",
            escape(home),
            escape(&site.name)
        ),
        None => format!("<span class=\"brand\">{}</span>", escape(&site.name)),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{} · {}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n\
         <header class=\"site-header\"><div>{brand}</div></header>\n\
         <main id=\"contenu\">\n{body}\n</main>\n</body>\n</html>\n",
        escape(title),
        escape(&site.name)
    )
}

/// The organiser's registrant list, for a form sent without JavaScript:
/// who came is marked in a form posted to `{api}/attendance`, which gives
/// the attestations' links; a button posts the list again for the CSV file.
pub(super) fn registrants_page(
    config: &FunctionConfig,
    meetup: &MeetupDefinition,
    people: &[Registrant],
    organiser: Option<&Attestation>,
    key: &str,
    notice: Option<&str>,
    message_request: Option<&str>,
) -> String {
    use super::registrants::{rank, role_label, status_label};
    let count = |wanted: fn(&RegistrationStatus) -> bool| {
        people.iter().filter(|r| wanted(&r.status)).count()
    };
    let confirmed = count(|s| matches!(s, RegistrationStatus::Confirmed));
    let waiting = count(|s| matches!(s, RegistrationStatus::Waiting { .. }));
    let mut body = String::from("<h1>Personnes inscrites</h1>\n");
    if let Some(notice) = notice {
        body.push_str(&format!(
            "<div class=\"outcome\" role=\"status\"><p>{}</p></div>\n",
            escape(notice)
        ));
    }
    body.push_str(&format!(
        "<p>{} : {confirmed} inscription{} confirmée{} pour {} places, {waiting} en liste d'attente.</p>\n\
         <p class=\"note\">Ces données sont personnelles : ne les publiez pas, ne les transmettez qu'au lieu qui en a besoin, et supprimez-les après la rencontre.</p>\n",
        escape(&meetup.title),
        if confirmed > 1 { "s" } else { "" },
        if confirmed > 1 { "s" } else { "" },
        meetup.capacity,
    ));
    let hidden = format!(
        "<input type=\"hidden\" name=\"meetup\" value=\"{}\">\n<input type=\"hidden\" name=\"key\" value=\"{}\">\n",
        escape(&meetup.id),
        escape(key),
    );
    let link = |code: &str| {
        format!(
            "<a href=\"{}\">attestation</a>",
            escape(&super::attestation::link(config, code))
        )
    };
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">\n{hidden}",
        escape(&config.public_api_url("/attendance"))
    ));
    if people.is_empty() {
        body.push_str("<p>Personne ne s'est encore inscrit.</p>\n");
    } else {
        body.push_str(
            "<table>\n<caption>Inscriptions et présences</caption>\n<thead><tr><th scope=\"col\">Présent·e</th><th scope=\"col\">Nom</th><th scope=\"col\">Courriel</th>\
             <th scope=\"col\">Rôle</th><th scope=\"col\">Structure</th><th scope=\"col\">Besoins</th><th scope=\"col\">Statut</th><th scope=\"col\">Attestation</th></tr></thead>\n<tbody>\n",
        );
        for (n, r) in people.iter().enumerate() {
            let rank = rank(r.status);
            let status = if rank.is_empty() {
                status_label(r.status).to_string()
            } else {
                format!("{} ({rank})", status_label(r.status))
            };
            body.push_str(&format!(
                "<tr><td><input type=\"checkbox\" id=\"present-{n}\" name=\"present\" value=\"{}\"{}>\
                 <label for=\"present-{n}\"><span class=\"visually-hidden\">{} est venu·e</span></label></td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&r.email),
                if r.attestation.is_some() { " checked" } else { "" },
                escape(&r.name),
                escape(&r.name),
                escape(&r.email),
                role_label(r.role),
                escape(r.structure.as_deref().unwrap_or("")),
                escape(r.need.as_deref().unwrap_or("")),
                escape(&status),
                r.attestation.as_deref().map(link).unwrap_or_default(),
            ));
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str(&format!(
        "<p><label for=\"organiser\">Votre nom, si vous étiez présent·e comme organisateur·rice (pour votre attestation)</label><br>\n\
         <input type=\"text\" id=\"organiser\" name=\"organiser\" maxlength=\"120\" autocomplete=\"name\" value=\"{}\"></p>\n{}\
         <p><button type=\"submit\">Enregistrer les présences</button></p>\n</form>\n",
        escape(organiser.map(|o| o.name.as_str()).unwrap_or("")),
        organiser
            .map(|o| format!("<p>Votre attestation d'organisation : {}</p>\n", link(&o.code)))
            .unwrap_or_default(),
    ));
    body.push_str(&format!(
        "<form method=\"post\" action=\"\">\n{hidden}<input type=\"hidden\" name=\"format\" value=\"csv\">\n\
         <p><button type=\"submit\">Télécharger la liste (CSV)</button></p>\n</form>",
    ));
    if let Some(request) = message_request {
        body.push_str(&message_form(config, &hidden, request));
    }
    layout(
        &config.site(),
        &format!("Inscriptions : {}", meetup.title),
        &body,
    )
}

/// A region's coordinator's view, for a form sent without JavaScript: the
/// totals, the meetups to come, those past without a report, the reports
/// with their private notes, and the CSV button (a form posting the key,
/// never a link carrying it).
pub(super) fn coordination_page(
    config: &FunctionConfig,
    view: &super::coordination::RegionView<'_>,
    key: &str,
    notice: Option<&str>,
) -> String {
    use super::coordination::{fill_rate, present, when, Stage};
    let region = view.region;
    let totals = view.totals();
    let notice = notice
        .map(|n| {
            format!(
                "<div class=\"outcome\" role=\"status\"><p>{}</p></div>\n",
                escape(n)
            )
        })
        .unwrap_or_default();
    let mut body = format!(
        "<h1>Coordination : {}</h1>\n{notice}\
         <p class=\"note\">Cette page est réservée à la coordination de la région. Les notes privées des bilans ne se publient pas.</p>\n\
         <dl>\n<dt>Rencontres à venir</dt><dd>{} ({} inscriptions confirmées pour {} places, {} en liste d'attente)</dd>\n\
         <dt>Rencontres tenues</dt><dd>{} ({} avec bilan, {} sans bilan)</dd>\n\
         <dt>Présences notées par les organisateurs</dt><dd>{}</dd>\n\
         <dt>Participants selon les bilans</dt><dd>{}</dd>\n</dl>\n",
        escape(&region.name),
        totals.upcoming,
        totals.seats_taken,
        totals.seats,
        totals.waiting,
        totals.held,
        totals.reported,
        totals.unreported,
        totals.present,
        totals.attendance_reported,
    );
    let of = |wanted: Stage| {
        view.meetups
            .iter()
            .filter(move |(stage, _)| *stage == wanted)
            .map(|(_, follow_up)| follow_up)
            .collect::<Vec<_>>()
    };
    let title = |f: &maillage_store::MeetupFollowUp| {
        format!(
            "<a href=\"{}\">{}</a>",
            escape(&f.definition.url),
            escape(&f.definition.title)
        )
    };

    body.push_str("<h2>Rencontres à venir</h2>\n");
    let upcoming = of(Stage::Upcoming);
    if upcoming.is_empty() {
        body.push_str("<p>Aucune rencontre à venir.</p>\n");
    } else {
        // The table scrolls sideways on a phone, not the page.
        body.push_str(
            "<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"a-venir\" tabindex=\"0\">\n\
             <table>\n<caption id=\"a-venir\">Remplissage des rencontres à venir</caption>\n\
             <thead><tr><th scope=\"col\">Rencontre</th><th scope=\"col\">Début</th>\
             <th scope=\"col\">Inscriptions / places</th><th scope=\"col\">Remplissage</th>\
             <th scope=\"col\">Liste d'attente</th></tr></thead>\n<tbody>\n",
        );
        for f in upcoming {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>\n",
                title(f),
                escape(&when(f)),
                f.confirmed,
                f.definition.capacity,
                fill_rate(f).map(|r| format!("{r} %")).unwrap_or_default(),
                f.waiting,
            ));
        }
        body.push_str("</tbody>\n</table>\n</div>\n");
    }

    body.push_str("<h2>Rencontres passées sans bilan</h2>\n");
    let unreported = of(Stage::Unreported);
    if unreported.is_empty() {
        body.push_str("<p>Toutes les rencontres passées ont leur bilan.</p>\n");
    } else {
        body.push_str("<ul>\n");
        for f in unreported {
            body.push_str(&format!(
                "<li>{} ({}) : {} inscriptions confirmées, {} présences notées</li>\n",
                title(f),
                escape(&when(f)),
                f.confirmed,
                present(f),
            ));
        }
        body.push_str("</ul>\n");
    }

    body.push_str("<h2>Bilans</h2>\n");
    let reported = of(Stage::Reported);
    if reported.is_empty() {
        body.push_str("<p>Aucun bilan reçu pour l'instant.</p>\n");
    }
    for f in reported {
        let Some(report) = f.report.as_ref() else {
            continue;
        };
        body.push_str(&format!(
            "<h3>{}</h3>\n<p>{} · {} présences notées",
            title(f),
            escape(&when(f)),
            present(f)
        ));
        if let Some(attendance) = report.attendance {
            body.push_str(&format!(" · {attendance} participants selon le bilan"));
        }
        body.push_str("</p>\n<dl>\n");
        let parts = [
            (
                "Ce qui s'est passé au regard des intentions",
                &report.outcome,
            ),
            ("Ce qui a bien marché", &report.went_well),
            ("Les difficultés", &report.problems),
            ("Les améliorations pour la suite", &report.improvements),
            ("Les fiches pratiques", &report.sheets),
            ("Notes privées", &f.private_notes),
        ];
        for (label, text) in parts {
            if let Some(text) = text {
                body.push_str(&format!(
                    "<dt>{label}</dt><dd style=\"white-space:pre-wrap\">{}</dd>\n",
                    escape(text)
                ));
            }
        }
        body.push_str("</dl>\n");
    }

    body.push_str(&super::proposal_pages::proposals_section(config, view, key));

    let cancelled = of(Stage::Cancelled);
    if !cancelled.is_empty() {
        body.push_str("<h2>Rencontres annulées</h2>\n<ul>\n");
        for f in cancelled {
            body.push_str(&format!("<li>{} ({})</li>\n", title(f), escape(&when(f))));
        }
        body.push_str("</ul>\n");
    }

    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">\n<input type=\"hidden\" name=\"region\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"key\" value=\"{}\">\n<input type=\"hidden\" name=\"format\" value=\"csv\">\n\
         <p><button type=\"submit\">Télécharger le tableau (CSV)</button></p>\n</form>",
        escape(&config.public_api_url("/coordination")),
        escape(&region.id),
        escape(key),
    ));
    layout(
        &config.site(),
        &format!("Coordination : {}", region.name),
        &body,
    )
}

/// The form of a message to every registrant: `request` identifies this
/// sending, so that the form posted twice sends once.
fn message_form(config: &FunctionConfig, hidden: &str, request: &str) -> String {
    let kinds = [
        ("change", "Un changement d'horaire ou de lieu"),
        (
            "cancellation",
            "L'annulation de la rencontre (les inscriptions seront fermées)",
        ),
        ("reminder", "Un rappel"),
    ];
    let choices: String = kinds
        .iter()
        .map(|(value, label)| {
            format!(
                "<p><input type=\"radio\" id=\"kind-{value}\" name=\"kind\" value=\"{value}\" required>\
                 <label for=\"kind-{value}\">{label}</label></p>\n"
            )
        })
        .collect();
    format!(
        "\n<h2 id=\"message-title\">Écrire aux personnes inscrites</h2>\n\
         <form method=\"post\" action=\"{action}\" aria-labelledby=\"message-title\">\n{hidden}\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\n\
         <fieldset>\n<legend>Ce que le message annonce</legend>\n{choices}</fieldset>\n\
         <p><label for=\"message-text\">Votre message</label><br>\n\
         <textarea id=\"message-text\" name=\"text\" rows=\"6\" maxlength=\"{max}\" required></textarea></p>\n\
         <p class=\"note\">Il part par courriel à chaque personne inscrite, liste d'attente comprise, \
         avec le titre, la date, l'heure et le lieu de la rencontre et son lien d'annulation.</p>\n\
         <p><button type=\"submit\">Envoyer le message</button></p>\n</form>",
        action = escape(&config.public_api_url("/messages")),
        request = escape(request),
        max = super::message::MESSAGE_MAX,
    )
}

/// The printable attestation of participation.
pub(super) fn attestation_page(
    site: &Site,
    attestation: &Attestation,
    place: Option<&str>,
    verify_url: &str,
) -> String {
    use super::attestation::{date_label, grouped, role_label};
    let place = place
        .map(|place| format!("<dt>Lieu</dt><dd>{}</dd>\n", escape(place)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Attestation de participation</h1>\n\
         <p>Le réseau {network} atteste que <strong>{name}</strong> a participé à la rencontre suivante en tant que {role}.</p>\n\
         <dl>\n<dt>Rencontre</dt><dd>{title}</dd>\n<dt>Date</dt><dd>{date}</dd>\n{place}<dt>Rôle</dt><dd>{role}</dd>\n\
         <dt>Code de vérification</dt><dd><code>{code}</code></dd>\n</dl>\n\
         <p class=\"note\">Toute personne peut vérifier cette attestation en saisissant son code sur <a href=\"{verify}\">{verify}</a>.</p>\n\
         <p class=\"note no-print\">Pour l'imprimer ou l'enregistrer en PDF, utilisez la fonction d'impression de votre navigateur.</p>\n",
        network = escape(&site.name),
        name = escape(&attestation.name),
        role = role_label(attestation.role),
        title = escape(&attestation.meetup_title),
        date = escape(&date_label(attestation)),
        code = escape(&grouped(&attestation.code)),
        verify = escape(verify_url),
    );
    layout(site, "Attestation de participation", &body)
}

/// The answer to a code checked without JavaScript: what the attestation
/// states, nothing else.
pub(super) fn verified_page(site: &Site, attestation: &Attestation) -> String {
    use super::attestation::{date_label, role_label};
    let body = format!(
        "<h1>Attestation valide</h1>\n<div class=\"outcome\"><p>Ce code correspond à une attestation délivrée par le réseau {network}.</p></div>\n\
         <dl>\n<dt>Nom</dt><dd>{name}</dd>\n<dt>Rencontre</dt><dd>{title}</dd>\n<dt>Date</dt><dd>{date}</dd>\n\
         <dt>Rôle</dt><dd>{role}</dd>\n<dt>Réseau</dt><dd>{network}</dd>\n</dl>\n",
        network = escape(&site.name),
        name = escape(&attestation.name),
        title = escape(&attestation.meetup_title),
        date = escape(&date_label(attestation)),
        role = role_label(attestation.role),
    );
    layout(site, "Attestation valide", &body)
}

/// The error page of a form sent without JavaScript.
pub(crate) fn error_page(site: &Site, error: &ApiError, back: Option<&str>) -> String {
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
    layout(site, "Envoi non abouti", &body)
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
        "code" => "Code de vérification",
        "organiser" => "Nom de l'organisateur ou de l'organisatrice",
        "present" => "Présences",
        other => other,
    }
}

/// The meetup's title, linked to its page when known.
fn meetup_link(title: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(title)),
        None => escape(title),
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
pub(crate) fn cancel_page(site: &Site, page: &CancelPage) -> String {
    let meetup = meetup_link(page.meetup_title, page.meetup_url);
    let Some(standing) = &page.standing else {
        let body = format!(
            "<h1>Inscription déjà annulée</h1>\n\
             <p>Votre inscription à la rencontre {meetup} ({}) est déjà annulée : vous n'avez rien d'autre à faire.</p>",
            escape(&page.date_label)
        );
        return layout(site, "Inscription déjà annulée", &body);
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
    layout(site, "Annuler votre inscription", &body)
}

/// The cancellation link does not (or no longer) match any registration.
pub(crate) fn unknown_token_page(site: &Site) -> String {
    layout(
        site,
        "Lien d'annulation inconnu",
        "<h1>Lien d'annulation inconnu</h1>\n\
         <p>Ce lien ne correspond à aucune inscription en cours. Il est peut-être incomplet (vérifiez que vous l'avez copié en entier), \
         ou les données de cette inscription ont été effacées après la rencontre.</p>",
    )
}

/// What a registration sent without JavaScript answers.
pub(crate) struct RegisteredPage<'a> {
    pub meetup_title: &'a str,
    pub meetup_url: Option<&'a str>,
    /// The meetup's date and time, with its zone when not the site's.
    pub when: &'a str,
    /// The rank on the waiting list; `None` for a confirmed seat.
    pub position: Option<u32>,
    /// The private cancellation link; `None` when the registration was
    /// made before (the link is not handed out again here).
    pub cancel_url: Option<&'a str>,
    /// What to say about a repeated registration.
    pub repeated: Option<&'a str>,
    /// Whether the link was also sent by email.
    pub link_emailed: bool,
    /// The site's page saying what comes next.
    pub next_steps: &'a str,
}

/// The answer to a registration form sent without JavaScript: the outcome
/// and the private cancellation link, which only this page (and the email,
/// when emails are on) can show: a static page has no way to know it.
pub(crate) fn registered_page(site: &Site, page: &RegisteredPage) -> String {
    let meetup = meetup_link(page.meetup_title, page.meetup_url);
    let (title, class, outcome) = match page.position {
        None => (
            "Inscription confirmée",
            "outcome",
            format!("Votre place est réservée pour la rencontre {meetup}, {}.", escape(page.when)),
        ),
        Some(rank) => (
            "Vous êtes sur la liste d'attente",
            "outcome outcome--waiting",
            format!(
                "La rencontre {meetup} ({}) est complète : vous êtes n<sup>o</sup>\u{a0}{rank} sur la liste d'attente. \
                 Si une place se libère, elle vous revient automatiquement.",
                escape(page.when)
            ),
        ),
    };
    let mut body = format!("<h1>{title}</h1>\n<div class=\"{class}\"><p>{outcome}</p></div>\n");
    if let Some(repeated) = page.repeated {
        body.push_str(&format!("<p>{}</p>\n", escape(repeated)));
    }
    if let Some(url) = page.cancel_url {
        body.push_str(&format!(
            "<h2>Votre lien d'annulation</h2>\n\
             <p>Si vous ne pouvez plus venir, ce lien personnel annule votre inscription et libère votre place\u{a0}: \
             <a class=\"cancel-link\" href=\"{}\">annuler mon inscription</a>.</p>\n\
             <p class=\"note\">{}</p>\n",
            escape(url),
            if page.link_emailed {
                "Il figure aussi dans le message envoyé à votre adresse."
            } else {
                "Gardez-le (en favori, ou copiez son adresse)\u{a0}: aucun message ne vous le renverra."
            }
        ));
    }
    if let Some(url) = page.meetup_url {
        body.push_str(&format!(
            "<p><a href=\"{}\">Revenir à la page de la rencontre</a></p>\n",
            escape(url)
        ));
    }
    body.push_str(&format!(
        "<p><a href=\"{}\">Ce qu'il faut savoir avant la rencontre</a></p>",
        escape(page.next_steps)
    ));
    layout(site, title, &body)
}
