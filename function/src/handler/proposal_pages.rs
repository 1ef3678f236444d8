//! The French pages of proposals the function renders for forms sent
//! without JavaScript: the proposer's acknowledgement, and the proposals'
//! part of the coordinator's page, with a form to decide each pending one
//! (posting the region's key, never in a link).

use maillage_model::markup::escape;
use maillage_model::proposal::{Proposal, ProposalStatus, ProposedPlace};

use super::config::FunctionConfig;
use super::coordination::{belongs_label, RegionView};
use super::pages::layout;
use maillage_model::french;

/// After a proposal sent without JavaScript; `emailed` when the site sent
/// the proposer an acknowledgement.
pub(super) fn proposal_received_page(
    config: &FunctionConfig,
    message: &str,
    emailed: bool,
) -> String {
    let email = if emailed {
        "<p>Un courriel vous confirme l'envoi. Si vous ne le recevez pas, regardez dans les indésirables.</p>\n"
    } else {
        ""
    };
    let body = format!(
        "<h1>Proposition envoyée</h1>\n<div class=\"outcome\" role=\"status\"><p>{}</p></div>\n\
         {email}<p><a href=\"{}\">Retour au site</a></p>",
        escape(message),
        escape(&config.site_page("/")),
    );
    layout(&config.site(), "Proposition envoyée", &body)
}

fn place_label(view: &RegionView<'_>, proposal: &Proposal) -> String {
    match &proposal.place {
        ProposedPlace::Known(id) => view
            .region
            .places
            .iter()
            .find(|p| &p.id == id)
            .map_or_else(|| id.clone(), |p| p.name.clone()),
        ProposedPlace::New(new) => format!(
            "nouveau lieu : {}, {} ({})",
            new.name, new.town, new.department
        ),
    }
}

/// The proposals: the pending ones with their decision form, then the
/// decided ones.
pub(super) fn proposals_section(
    config: &FunctionConfig,
    view: &RegionView<'_>,
    key: &str,
) -> String {
    let mut out = String::from("<h2>Propositions de rencontre</h2>\n");
    let pending: Vec<&Proposal> = view
        .proposals
        .iter()
        .filter(|p| p.status == ProposalStatus::Pending)
        .collect();
    if pending.is_empty() {
        out.push_str("<p>Aucune proposition en attente.</p>\n");
    }
    for (n, proposal) in pending.iter().enumerate() {
        out.push_str(&pending_proposal(config, view, key, n, proposal));
    }
    let decided: Vec<&Proposal> = view
        .proposals
        .iter()
        .filter(|p| p.status != ProposalStatus::Pending)
        .collect();
    if !decided.is_empty() {
        out.push_str("<h3>Propositions traitées</h3>\n<ul>\n");
        for proposal in decided {
            let outcome = match &proposal.status {
                ProposalStatus::Accepted { meetup } => format!("acceptée ({meetup})"),
                _ => "refusée".to_string(),
            };
            out.push_str(&format!(
                "<li>{} ({}) : {}</li>\n",
                escape(&proposal.title),
                escape(&proposal.name),
                escape(&outcome)
            ));
        }
        out.push_str("</ul>\n");
    }
    out
}

fn pending_proposal(
    config: &FunctionConfig,
    view: &RegionView<'_>,
    key: &str,
    n: usize,
    proposal: &Proposal,
) -> String {
    let intentions: String = proposal
        .intentions
        .iter()
        .map(|i| format!("<li>{}</li>", escape(i)))
        .collect();
    let place_options: String = view
        .region
        .places
        .iter()
        .map(|p| {
            let selected = matches!(&proposal.place, ProposedPlace::Known(id) if id == &p.id);
            format!(
                "<option value=\"{}\"{}>{}</option>",
                escape(&p.id),
                if selected { " selected" } else { "" },
                escape(&p.name)
            )
        })
        .collect();
    let request = super::registration::new_token().unwrap_or_default();
    format!(
        "<h3 id=\"proposition-{n}\">{title}</h3>\n<dl>\n\
         <dt>Proposée par</dt><dd>{name} ({email})</dd>\n\
         <dt>Rattachement</dt><dd>{belongs}</dd>\n<dt>Lieu</dt><dd>{place}</dd>\n\
         <dt>Quand</dt><dd>{when}</dd>\n<dt>Places</dt><dd>{capacity}</dd>\n\
         <dt>Intentions</dt><dd><ul>{intentions}</ul></dd>\n</dl>\n\
         <form method=\"post\" action=\"{action}\" aria-labelledby=\"proposition-{n}\">\n\
         <input type=\"hidden\" name=\"region\" value=\"{region}\">\n\
         <input type=\"hidden\" name=\"key\" value=\"{key}\">\n\
         <input type=\"hidden\" name=\"proposal\" value=\"{id}\">\n\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\n\
         <p><label for=\"titre-{n}\">Titre</label><br>\n\
         <input type=\"text\" id=\"titre-{n}\" name=\"title\" maxlength=\"120\" value=\"{title}\"></p>\n\
         <p><label for=\"debut-{n}\">Début (heure locale)</label><br>\n\
         <input type=\"text\" id=\"debut-{n}\" name=\"start\" value=\"{start}\"></p>\n\
         <p><label for=\"fin-{n}\">Fin (heure locale)</label><br>\n\
         <input type=\"text\" id=\"fin-{n}\" name=\"end\" value=\"{end}\"></p>\n\
         <p><label for=\"places-{n}\">Places</label><br>\n\
         <input type=\"text\" id=\"places-{n}\" name=\"capacity\" inputmode=\"numeric\" value=\"{capacity}\"></p>\n\
         <p><label for=\"lieu-{n}\">Lieu</label><br>\n\
         <select id=\"lieu-{n}\" name=\"place\">{place_options}</select></p>\n\
         <p><label for=\"message-{n}\">Message à l'auteur ou l'autrice (facultatif)</label><br>\n\
         <textarea id=\"message-{n}\" name=\"message\" rows=\"4\" maxlength=\"2000\"></textarea></p>\n\
         <p><button type=\"submit\" name=\"decision\" value=\"accept\">Accepter</button> \
         <button type=\"submit\" name=\"decision\" value=\"decline\">Refuser</button></p>\n</form>\n",
        title = escape(&proposal.title),
        name = escape(&proposal.name),
        email = escape(&proposal.email),
        belongs = escape(&belongs_label(&proposal.belongs)),
        place = escape(&place_label(view, proposal)),
        when = escape(&french::span(proposal.start, proposal.end)),
        capacity = proposal.capacity,
        action = escape(&config.public_api_url("/proposals/decision")),
        region = escape(&view.region.id),
        key = escape(key),
        id = escape(&proposal.id),
        request = escape(&request),
        start = proposal.start.format("%Y-%m-%dT%H:%M"),
        end = proposal.end.format("%Y-%m-%dT%H:%M"),
    )
}
