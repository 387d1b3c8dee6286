"""The two frameworks shipped with the product, written for this project from the reference notes.

Loaded by a data migration (0002) as partnership-less frameworks every partnership may use. Changing a shipped
framework means a new version in a new migration, never an edit of a version reviews already use.
"""

from __future__ import annotations

GENERAL = {
    "slug": "school-improvement",
    "name": "School-improvement review",
    "kind": "general",
    "description": (
        "A whole-school peer review of leadership, provision and outcomes, with the host's chosen focus areas. "
        "Peers give an optional estimate per focus area on a four-point scale; it is a professional view shared "
        "with the host, not an inspection grade, and it never feeds the risk categorisation."
    ),
    "estimate_scale": ["Leading", "Effective", "Working towards effective", "Ineffective"],
    "themes": [
        (
            "Leadership at all levels",
            [
                "To what extent do leaders at every level share an accurate view of the school's strengths and "
                "priorities?",
                "To what extent does the improvement plan follow from the self-evaluation, with measurable "
                "success criteria?",
                "To what extent do middle leaders shape and check the quality of their subjects or phases?",
                "To what extent do governors know the school well enough to challenge and support its leaders?",
            ],
        ),
        (
            "Curriculum, teaching and assessment",
            [
                "To what extent is the curriculum ambitious, well sequenced and taught as intended in every class?",
                "To what extent does assessment show teachers what pupils have learned and what to teach next?",
                "To what extent do pupils read widely and fluently for their age?",
            ],
        ),
        (
            "Outcomes and attitudes to learning",
            [
                "To what extent do pupils' work and outcomes show that they know and remember more over time?",
                "To what extent are pupils' attitudes to learning and behaviour in lessons positive and consistent?",
                "To what extent do attendance strategies reach the pupils who miss the most school?",
            ],
        ),
        (
            "Disadvantaged pupils and pupils with additional needs",
            [
                "To what extent do disadvantaged pupils achieve as well as their peers, and how does the school know?",
                "To what extent are pupils with SEND identified early and taught well in ordinary lessons?",
                "To what extent is pupil premium spending evaluated for its impact?",
            ],
        ),
        (
            "Personal development and well-being",
            [
                "To what extent does the wider curriculum build pupils' character, confidence and "
                "understanding of the world?",
                "To what extent do staff feel supported, and is their workload considered in leaders' decisions?",
            ],
        ),
    ],
}

ENQUIRY = {
    "slug": "collaborative-enquiry",
    "name": "Collaborative enquiry (non-judgemental)",
    "kind": "enquiry",
    "description": (
        "An enquiry-led review: the host chooses one or two lines of enquiry from its self-evaluation and the "
        "team explores them with the host's staff, done with, not to, the school. No estimates or grades: the "
        "output is evidence, what went well, what would be even better, and areas to explore."
    ),
    "estimate_scale": [],
    "themes": [
        (
            "Our impact: pupils' attainment, progress and learning",
            [
                "To what extent do we know which pupils are not yet making the progress we want, and why?",
                "To what extent does what we see in books and lessons match what our data tells us?",
            ],
        ),
        (
            "Looking forward: strategic direction",
            [
                "To what extent is our vision understood and lived by staff, pupils and families?",
                "To what extent are our priorities few, clear and followed through?",
            ],
        ),
        (
            "Looking inward: what happens in the classroom",
            [
                "To what extent do teachers use shared approaches that we know make a difference?",
                "To what extent is professional development shaped by what we see in classrooms?",
            ],
        ),
        (
            "Looking outward: building coalitions for improvement",
            [
                "To what extent do we learn from and with other schools, and bring that learning back?",
                "To what extent do we work with families and the community to remove barriers to learning?",
            ],
        ),
    ],
}

SHIPPED = [GENERAL, ENQUIRY]

DEFAULT_CLAUSES = [
    (
        "shared_responsibility",
        "We share responsibility for the achievement and well-being of all children and young people in our "
        "schools, and take part in a review of our own school and of others' each year.",
    ),
    (
        "escalation",
        "We act swiftly and responsibly if there are signs that a school needs support: the host head decides "
        "with the cluster lead what support to request, and difficulties are resolved by the cluster first.",
    ),
    (
        "attendance",
        "We attend every review meeting we are part of and engage in a spirit of mutual trust and openness.",
    ),
    (
        "governors",
        "Each head reports the outcome of their school's review to their governing board.",
    ),
    (
        "confidentiality",
        "Everything seen, heard and written during a review is confidential to the host school and the review "
        "team. The host school owns its report and decides who else sees it; nobody shares findings without the "
        "host's permission, except to share good practice the host has agreed to share.",
    ),
    (
        "safeguarding",
        "A safeguarding concern found during a review is reported at once to the host head, or to the local "
        "authority designated officer if it concerns the head, and is never written into the report.",
    ),
]


def load_shipped(framework_model, theme_model, question_model) -> int:
    """Create the shipped frameworks that are missing (version 1, no partnership); returns how many were made.
    Takes the models so the data migration can pass its historical ones."""
    made = 0
    for spec in SHIPPED:
        framework, created = framework_model.objects.get_or_create(
            partnership=None,
            slug=spec["slug"],
            version=1,
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "description": spec["description"],
                "estimate_scale": spec["estimate_scale"],
            },
        )
        if not created:
            continue
        made += 1
        for order, (title, questions) in enumerate(spec["themes"], 1):
            theme = theme_model.objects.create(framework=framework, order=order, title=title)
            question_model.objects.bulk_create(
                question_model(theme=theme, order=i, text=text) for i, text in enumerate(questions, 1)
            )
    return made
