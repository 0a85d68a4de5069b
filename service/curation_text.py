"""Dutch and English strings of the curation pages (proposals, sign-in, review, edit, what is
missing), merged into ``i18n.STRINGS``; kept apart so the pages' own table stays readable."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # navigation and sign-in
    "propose": ("Voorstel doen", "Propose"),
    "review": ("Redactie", "Editors"),
    "signin": ("Inloggen", "Sign in"),
    "signout": ("Uitloggen", "Sign out"),
    "signed_in_as": ("Ingelogd als {name}", "Signed in as {name}"),
    "signin_intro": (
        "Voor redacteuren en beheerders. Log in met uw sleutel (token), die u van de beheerder kreeg.",
        "For editors and admins. Sign in with your key (token), which you received from the admin.",
    ),
    "signin_token": ("Sleutel (token)", "Key (token)"),
    "signin_wrong": ("Deze sleutel is niet geldig voor de redactie.", "This key is not valid for editors."),
    "signin_rate": ("Te veel pogingen. Probeer het over {n} seconden opnieuw.", "Too many attempts. Try again in {n} seconds."),
    "signin_needed": ("Log in als redacteur om verder te gaan.", "Sign in as an editor to continue."),
    # proposing
    "propose_title": ("Een voorstel doen", "Make a proposal"),
    "propose_intro": (
        "Kent u een initiatief, project, materiaal, organisatie of persoon die in Knooppunt hoort? Stel het voor. "
        "Een redacteur bekijkt elk voorstel voordat het zichtbaar wordt.",
        "Do you know an initiative, project, material, organisation or person that belongs in Knooppunt? "
        "Propose it. An editor reviews every proposal before it becomes visible.",
    ),
    "reviewed_note": ("Een redacteur bekijkt elk voorstel voordat het zichtbaar wordt.",
                      "An editor reviews every proposal before it becomes visible."),
    "propose_kind": ("Voorstel: {kind}", "Proposal: {kind}"),
    "proposed_by": ("Uw naam (optioneel)", "Your name (optional)"),
    "proposed_by_hint": (
        "Wordt openbaar vermeld als degene die dit voorstelde. Laat leeg om anoniem te blijven.",
        "Is shown publicly as the person who proposed this. Leave empty to stay anonymous.",
    ),
    "send_proposal": ("Voorstel versturen", "Send proposal"),
    "required": ("verplicht", "required"),
    "none_chosen": ("— geen —", "— none —"),
    "form_errors": ("Het formulier is nog niet in orde:", "The form is not right yet:"),
    "slug_preview": ("Adres na goedkeuring (uit de naam gemaakt): {path}", "Address after approval (made from the name): {path}"),
    "dups_title": ("Bestaat dit al?", "Does this exist already?"),
    "dups_intro": (
        "Deze bestaande gegevens lijken erop. Kijk of uw voorstel echt nieuw is.",
        "These existing entries look similar. Check that your proposal is really new.",
    ),
    "dups_confirm": ("Ik heb gekeken: dit is iets anders, toch versturen", "I have checked: this is something else, send it anyway"),
    "dups_confirm_edit": ("Ik heb gekeken: dit is iets anders, toch opslaan", "I have checked: this is something else, save anyway"),
    "thanks_title": ("Bedankt voor uw voorstel", "Thank you for your proposal"),
    "thanks_text": (
        "Een redacteur bekijkt het. Na goedkeuring staat het in Knooppunt; tot dan is het nergens zichtbaar.",
        "An editor will review it. Once approved it appears in Knooppunt; until then it is not visible anywhere.",
    ),
    "propose_another": ("Nog een voorstel doen", "Make another proposal"),
    "rate_limited": ("U stuurde veel voorstellen kort na elkaar. Probeer het over {n} seconden opnieuw.",
                     "You sent many proposals in a short time. Try again in {n} seconds."),
    "initiative_cta_title": ("Zet dit initiatief in Knooppunt", "Put this initiative in Knooppunt"),
    "initiative_cta_text": (
        "Staat uw initiatief er nog niet in? Stel het voor, met wat u hierboven invulde; een redacteur bekijkt het.",
        "Is your initiative not in it yet? Propose it, with what you filled in above; an editor will review it.",
    ),
    # review
    "queue_title": ("Voorstellen om te beoordelen", "Proposals to review"),
    "queue_empty": ("Er wachten geen voorstellen.", "No proposals are waiting."),
    "queue_count": ("{n} voorstellen wachten", "{n} proposals waiting"),
    "col_name": ("Naam", "Name"),
    "col_kind": ("Soort", "Kind"),
    "col_when": ("Voorgesteld op", "Proposed on"),
    "col_by": ("Door", "By"),
    "col_dups": ("Mogelijke dubbelen", "Possible duplicates"),
    "col_issue": ("Wat ontbreekt", "What is missing"),
    "anonymous": ("anoniem", "anonymous"),
    "open_proposal": ("Bekijken", "Review"),
    "proposal_title": ("Voorstel: {label}", "Proposal: {label}"),
    "save": ("Wijzigingen opslaan", "Save changes"),
    "approve": ("Goedkeuren en publiceren", "Approve and publish"),
    "reject": ("Afwijzen", "Reject"),
    "reject_reason": ("Reden van afwijzing (verplicht)", "Reason for rejection (required)"),
    "approved_text": ("Goedgekeurd: {label} staat nu in Knooppunt.", "Approved: {label} is now in Knooppunt."),
    "rejected_text": ("Afgewezen. Het voorstel komt niet in Knooppunt.", "Rejected. The proposal will not be added to Knooppunt."),
    "saved_text": ("Opgeslagen.", "Saved."),
    "status_pending": ("wacht op beoordeling", "waiting for review"),
    "status_approved": ("goedgekeurd", "approved"),
    "status_rejected": ("afgewezen", "rejected"),
    "refused_by_shapes": ("Niet opgeslagen: dit past niet bij de regels van de kennisgraaf.",
                          "Not saved: this breaks the rules of the knowledge graph."),
    "write_warnings": ("Opgeslagen, met aandachtspunten:", "Saved, with points for attention:"),
    # edit
    "edit": ("Bewerken", "Edit"),
    "edit_title": ("{label} bewerken", "Edit {label}"),
    "edit_intro": (
        "Elk veld vervangt wat er nu staat. Een nieuwe naam vervangt de oude; de oude blijft bewaard als andere naam.",
        "Each field replaces what is there now. A new name replaces the old one; the old one is kept as an alternative name.",
    ),
    "view_page": ("Bekijk de pagina", "View the page"),
    # what is missing
    "missing_title": ("Wat ontbreekt", "What is missing"),
    "missing_intro": ("Gegevens die een redacteur kan aanvullen. Klik op een kolomkop om te sorteren.",
                      "Entries an editor can complete. Click a column header to sort."),
    "missing_warnings": ("Met aandachtspunten", "With warnings"),
    "missing_needs": ("Behoeften zonder materiaal", "Needs without material"),
    "missing_hubs": ("Knooppunten zonder ambassadeur", "Hubs without ambassadors"),
    "missing_projects": ("Projecten zonder penvoerder", "Projects without a lead"),
    "sort_by": ("Sorteer op {col}", "Sort by {col}"),
    "error_title": ("Er ging iets mis", "Something went wrong"),
    "back": ("Terug", "Back"),
}
