"""Default instruments and the RARA action catalogue. Migration 0002 loads its own copy of these
lists; tests reload them from here after a flush (tests/test_reference_data.py keeps the two
equal, so a change here needs a data migration)."""

SPECSS_PLUS_QUESTIONS = [
    # (code, text, group)
    ("separation", "Separation, including conflict over child contact", "specss"),
    ("pregnancy", "Pregnancy or a new birth within 18 months", "specss"),
    ("escalation", "Escalation: abuse more frequent or more serious", "specss"),
    ("community", "Community issues or cultural isolation", "specss"),
    ("stalking", "Stalking", "specss"),
    ("sexual_assault", "Sexual assault", "specss"),
    ("history_of_violence", "History of violence or stalking", "plus"),
    ("mental_health", "Mental health", "plus"),
    ("threats_to_kill", "Credible threats to kill", "plus"),
    ("weapon_use", "Weapon use", "plus"),
    ("substance_misuse", "Alcohol or substance misuse", "plus"),
    ("children_abused", "Children abused", "plus"),
    ("pets_abused", "Pets abused", "plus"),
    ("suicidal_homicidal", "Suicidal or homicidal tendencies", "plus"),
    ("jealous_controlling", "Jealous and controlling behaviour", "plus"),
    ("strangulation", "Strangulation or choking", "plus"),
]

# What to ask for each SPECSS+ factor: shown under the question on the form.
SPECSS_PLUS_HELP = {
    "separation": "Ask: have you separated or tried to, recently or in the past? Is there "
    "conflict over child contact?",
    "pregnancy": "Ask: are you pregnant, or have you had a baby in the last 18 months?",
    "escalation": "Ask: is the abuse happening more often, or getting worse?",
    "community": "Ask: are you cut off from family, friends or your community, or kept from "
    "them? Any language, immigration or cultural barriers to getting help?",
    "stalking": "Ask: does the suspect follow you, turn up where you are, watch, call or "
    "message you constantly?",
    "sexual_assault": "Ask: has the suspect ever forced you into sexual activity you did not want?",
    "history_of_violence": "Ask: has the suspect been violent or stalked before, to you or "
    "anyone else? Check the records.",
    "mental_health": "Ask: does the suspect have mental health problems? Do you?",
    "threats_to_kill": "Ask: has the suspect threatened to kill you or anyone else? Do you "
    "believe them?",
    "weapon_use": "Ask: has the suspect used or threatened a weapon or object to hurt you?",
    "substance_misuse": "Ask: does the suspect misuse alcohol or drugs?",
    "children_abused": "Ask: has the suspect hurt or threatened the children or other dependants?",
    "pets_abused": "Ask: has the suspect hurt or threatened a pet or other animal?",
    "suicidal_homicidal": "Ask: has the suspect threatened or attempted suicide, or talked "
    "about killing?",
    "jealous_controlling": "Ask: is the suspect jealous, controlling, checking your phone, "
    "money or who you see?",
    "strangulation": "Ask: has the suspect ever strangled, choked, smothered or suffocated "
    "you, or held you by the neck? Even once, even briefly.",
}

# Policy version 1 (DOMAIN.md).
SPECSS_PLUS_PARAMETERS = {
    "high_if_any": ["threats_to_kill", "strangulation", "weapon_use"],
    "high_if_all": [["escalation", "separation"]],
    "high_if_count_at_least": 6,
    "medium_if_count_at_least": 3,
    "medium_if_any_in_group": "specss",
}

# DASH (2009), 27 questions, paraphrased for the officer asking them.
DASH_QUESTIONS = [
    ("injury", "Has the current incident resulted in injury?"),
    ("very_frightened", "Is the victim very frightened?"),
    ("afraid_further_violence", "Is the victim afraid of further injury or violence?"),
    ("isolated", "Does the victim feel isolated from family or friends?"),
    ("depressed_suicidal", "Is the victim feeling depressed or having suicidal thoughts?"),
    (
        "separated",
        "Has the victim separated or tried to separate from the abuser in the past year?",
    ),
    ("child_contact_conflict", "Is there conflict over child contact?"),
    (
        "stalking",
        "Does the abuser constantly text, call, contact, follow, stalk or harass the victim?",
    ),
    ("pregnancy", "Is the victim pregnant, or have they had a baby in the last 18 months?"),
    (
        "other_children",
        "Are there children or step-children in the household who are not the abuser's?",
    ),
    ("children_hurt", "Has the abuser ever hurt the children or dependants?"),
    (
        "children_threatened",
        "Has the abuser ever threatened to hurt or kill the children or dependants?",
    ),
    ("more_often", "Is the abuse happening more often?"),
    ("getting_worse", "Is the abuse getting worse?"),
    (
        "controlling_jealous",
        "Does the abuser try to control everything the victim does, or are they excessively jealous?",
    ),
    ("weapons", "Has the abuser ever used weapons or objects to hurt the victim?"),
    (
        "threats_to_kill",
        "Has the abuser ever threatened to kill the victim or someone else, and the victim believed them?",
    ),
    (
        "strangulation",
        "Has the abuser ever tried to strangle, choke, suffocate or drown the victim?",
    ),
    (
        "sexual_abuse",
        "Does the abuser do or say sexual things that make the victim feel bad or that hurt them?",
    ),
    (
        "other_threat",
        "Is there another person who has threatened the victim, or whom the victim fears?",
    ),
    ("hurt_others", "Does the victim know if the abuser has hurt anyone else?"),
    ("animals", "Has the abuser ever mistreated an animal or the family pet?"),
    (
        "financial",
        "Are there financial issues, or is the victim dependent on the abuser for money?",
    ),
    (
        "substance_mental_health",
        "Has the abuser had problems with drugs, alcohol or mental health in the past year?",
    ),
    ("suicide_threats", "Has the abuser ever threatened or attempted suicide?"),
    (
        "breached_orders",
        "Has the abuser ever broken bail, an injunction or an agreement about contact?",
    ),
    (
        "criminal_history",
        "Is the abuser known to have been in trouble with the police or to have a criminal history?",
    ),
]
DASH_PARAMETERS = {"high_at_least": 14, "medium_at_least": 10}

RARA_ACTION_TYPES = [
    # (code, name, default category)
    ("arrest_remand", "Arrest or remand", "remove"),
    ("refuge", "Refuge or other safe housing", "remove"),
    ("non_molestation_order", "Non-molestation order", "avoid"),
    ("occupation_order", "Occupation order", "avoid"),
    ("dvpn_dvpo", "DVPN / DVPO", "avoid"),
    ("bail_conditions", "Bail conditions", "avoid"),
    ("emergency_phone", "Emergency mobile phone", "avoid"),
    ("sanctuary", "Sanctuary scheme / target hardening", "reduce"),
    ("idva_referral", "IDVA referral", "reduce"),
    ("marac_referral", "MARAC referral", "reduce"),
    ("childrens_services_referral", "Children's services referral", "reduce"),
    ("dvds_disclosure", "Disclosure under the domestic violence disclosure scheme", "reduce"),
    ("other", "Other", "reduce"),
]


def load_reference_data(apps=None) -> None:
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    instrument_model = apps.get_model("riskassessment", "Instrument")
    question_model = apps.get_model("riskassessment", "Question")
    action_type_model = apps.get_model("riskassessment", "RaraActionType")

    specss, _ = instrument_model.objects.update_or_create(
        code="specss_plus",
        version=1,
        defaults={
            "name": "SPECSS+",
            "scoring_rule": "specss_plus",
            "parameters": SPECSS_PLUS_PARAMETERS,
            "is_default": True,
        },
    )
    for order, (code, text, group) in enumerate(SPECSS_PLUS_QUESTIONS, start=1):
        question_model.objects.update_or_create(
            instrument=specss,
            code=code,
            defaults={
                "text": text,
                "group": group,
                "order": order,
                "help_text": SPECSS_PLUS_HELP.get(code, ""),
            },
        )
    dash, _ = instrument_model.objects.update_or_create(
        code="dash",
        version=1,
        defaults={"name": "DASH", "scoring_rule": "count_bands", "parameters": DASH_PARAMETERS},
    )
    for order, (code, text) in enumerate(DASH_QUESTIONS, start=1):
        question_model.objects.update_or_create(
            instrument=dash, code=code, defaults={"text": text, "group": "question", "order": order}
        )
    for order, (code, name, category) in enumerate(RARA_ACTION_TYPES, start=1):
        action_type_model.objects.update_or_create(
            code=code, defaults={"name": name, "default_category": category, "order": order}
        )
