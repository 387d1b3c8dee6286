"""The three frameworks we ship, with where every piece of text comes from.

Nothing here is quoted as if it were the source's own rubric: none of the sources publishes level descriptors
for a cluster. The condition, stage and dimension names come from the sources named in each ``source``; the
level descriptors are our own wording, written from what those sources say about each condition or stage, and
they say so. A partnership that wants different words copies a framework and edits the copy (a new version).

Loaded by migration 0002 (``load_shipped``), which takes the historical models so it keeps working as the
models change. Pure data: no Django imports.
"""

from __future__ import annotations

from typing import Any

LEVELS = ["Beginning", "Developing", "Embedding", "Leading"]

NINE_CONDITIONS: dict[str, Any] = {
    "slug": "nine-conditions",
    "name": "Nine conditions for an effective local school-improvement system",
    "description": (
        "The nine conditions Isos Partnership found necessary to develop an effective local school-improvement "
        "system, used as a cluster's self-review. Each condition is a strand, rated on the four-level scale."
    ),
    "source": (
        "Condition names: Simon Rea (Isos Partnership), 'Enabling School Improvement: research into the role of "
        "local authorities in supporting local school improvement systems', NCAS conference, 12 October 2017 "
        "(seed 000_b98d27a1462bcef8.txt), the research for the LGA published as 'Enabling school improvement' "
        "(Isos Partnership, January 2018, section 4; reference notes workflows.md §2.4). The slides pair each "
        "condition with what the local authority needs to do; our level descriptors are written from that "
        "column and from the slides' list of challenges, re-worded for a cluster. They are our wording, not "
        "Isos's: the research publishes no levels. The grouping into three dimensions is ours."
    ),
    "dimensions": [
        {
            "name": "Shared purpose and relationships",
            "strands": [
                {
                    "name": "A clear and compelling vision",
                    "description": "Condition 1. The slides: the LA co-ordinates and gives strategic push, acts "
                    "as objective facilitator, focuses on place and local context and helps get roles clear.",
                    "levels": [
                        "There is no shared statement of what the cluster is for; members describe different "
                        "purposes and roles are unclear.",
                        "A vision is drafted and most members can say what it is; who does what is still being "
                        "worked out.",
                        "The vision is agreed, rooted in the local area, and used to choose the cluster's "
                        "priorities; roles are clear.",
                        "Every member owns the vision and it steers decisions; the cluster helps other clusters "
                        "shape theirs.",
                    ],
                },
                {
                    "name": "Trust and high social capital",
                    "description": "Condition 2: between schools, the local authority and partners. The slides: "
                    "model effective relationships; a shared wish to find solutions sustains them.",
                    "levels": [
                        "Members work mostly alone; suspicion or competition gets in the way of sharing.",
                        "Members share some practice and data in meetings; honest conversations are still rare.",
                        "Members share data openly, and challenge and support one another in honest conversations.",
                        "High trust lets members ask for and give hard challenge; relationships would outlast a "
                        "change of head.",
                    ],
                },
                {
                    "name": "Engagement from most schools and academies",
                    "description": "Condition 3: strong engagement from the majority of schools and academies. "
                    "The slides: an honest broker and a compelling vision bring schools on board; reach out to "
                    "schools, academies and trusts with an offer for all local children.",
                    "levels": [
                        "Only a few members take part in cluster work; some have never attended.",
                        "Most members attend meetings, but a few carry the work.",
                        "Nearly all members take part, academies and maintained schools alike.",
                        "Every member takes part and the cluster reaches out to schools outside it.",
                    ],
                },
            ],
        },
        {
            "name": "Leadership and capacity",
            "strands": [
                {
                    "name": "Leadership from key system leaders",
                    "description": "Condition 4. The slides: engage key leaders; developing system-leadership "
                    "capacity can be a key purpose of the system.",
                    "levels": [
                        "The cluster relies on one or two leaders; no one else leads shared work.",
                        "System leaders in the cluster lead some shared work; others are encouraged to.",
                        "Leadership of shared work is distributed, and new leaders are being developed.",
                        "The cluster grows system leaders who also lead beyond it.",
                    ],
                },
                {
                    "name": "An empowering and facilitative role for the local authority",
                    "description": "Condition 5. The slides: the LA brings intelligence from across the system, "
                    "uses existing expertise and capacity, and supports evaluation.",
                    "levels": [
                        "The cluster sees little of the LA's intelligence or support.",
                        "The LA shares data and convenes meetings when asked.",
                        "The LA brings intelligence, expertise and evaluation support that the cluster uses.",
                        "The cluster and the LA plan and evaluate together as partners.",
                    ],
                },
                {
                    "name": "Sufficient capacity for school-to-school support",
                    "description": "Condition 6. The slides: identify local capacity and broker from outside "
                    "where needed; map future capacity, encourage school leaders.",
                    "levels": [
                        "Members do not know what support they could give or get; school capacity is "
                        "stretched too far to work with others.",
                        "Some support is given between members, arranged case by case.",
                        "The cluster knows its capacity and gaps, gives support where it can and asks the "
                        "partnership for the rest.",
                        "The cluster plans its capacity ahead and supports schools beyond it.",
                    ],
                },
            ],
        },
        {
            "name": "Resources and structures",
            "strands": [
                {
                    "name": "Effective links with regional partners",
                    "description": "Condition 7. The slides: engage regional and sub-regional partners on behalf "
                    "of and alongside the local system.",
                    "levels": [
                        "The cluster has no contact with regional partners (hubs, trusts, dioceses).",
                        "Some members have links to regional partners, not shared with the cluster.",
                        "The cluster uses regional partners' programmes and tells them its needs.",
                        "Regional partners plan with the cluster and draw on its expertise.",
                    ],
                },
                {
                    "name": "Sufficient financial contributions",
                    "description": "Condition 8: from schools and the local authority. The slides list a lack "
                    "of finances to co-ordinate support among the challenges.",
                    "levels": [
                        "Cluster work has no budget or agreed time.",
                        "Members contribute time or money case by case.",
                        "Members and the LA contribute to an agreed budget or time allocation.",
                        "The cluster's funding is sustained, transparent and planned for the years ahead.",
                    ],
                },
                {
                    "name": "Structures to enable partnership activity",
                    "description": "Condition 9. The slides: a multi-tiered structure (clusters, district "
                    "alliances, a strategic partnership) that works locally; the LA ensures quality and "
                    "credibility.",
                    "levels": [
                        "Meetings happen without an agreed purpose, schedule or record.",
                        "The cluster meets regularly with an agenda; decisions are recorded.",
                        "The cluster runs peer review, support and moderation through agreed processes and "
                        "links to its alliance.",
                        "The structures would endure beyond the current people and are quality-assured.",
                    ],
                },
            ],
        },
    ],
}

FOUR_STAGES: dict[str, Any] = {
    "slug": "four-stages-support",
    "name": "Four stages of school-to-school support (quality of support)",
    "description": (
        "Quality of support rated on the four stages of school-to-school support: the scale is the stages "
        "themselves, from networks for CPD to challenge embedded."
    ),
    "levels": [
        "Stage 1: networks for CPD",
        "Stage 2: federations and executive heads",
        "Stage 3: whole-system support",
        "Stage 4: challenge embedded",
    ],
    "source": (
        "Jonathan Crossley-Holland, 'The future role of the local authority in education' (seed "
        "001_3f39b5c54da9e85e.txt), section 9 and its table 'Local authority as middle tier enabling "
        "school-to-school support': stage 1 networks for CPD usually initiated by schools; stage 2 federations "
        "and executive heads, formal contracted work brokered by the LA; stage 3 whole-system support engaging "
        "all schools; stage 4 challenge embedded, with capacity for unsupported peer-to-peer challenge. The "
        "author says the stages are not linear. The three strands follow the table's columns (description of "
        "stage; brokerage and service development; performance monitoring and quality assurance). The table "
        "is written for the LA as middle tier and reached us as OCR text, so which cell sits in which row is "
        "our reading; the descriptors are our wording for a cluster, not quotations."
    ),
    "dimensions": [
        {
            "name": "Quality of support",
            "strands": [
                {
                    "name": "How school-to-school support is organised",
                    "description": "The table's 'description of stage' column.",
                    "levels": [
                        "Support happens through networks for professional development that schools set up themselves.",
                        "Leading heads do formal, contracted work with selected schools that need intervention "
                        "(federations, executive heads), brokered by the LA.",
                        "The cluster aims to meet the needs of every member school, not only those in difficulty.",
                        "Challenge is embedded: members challenge one another peer to peer without outside support.",
                    ],
                },
                {
                    "name": "Brokerage and service development",
                    "description": "The table's 'brokerage / service development' column.",
                    "levels": [
                        "Resources are found for the networks and their objectives refined.",
                        "Support is resourced and brokered to make sure challenge is effective, using national "
                        "and local leaders of education.",
                        "System leaders and teaching schools are drawn in, capacity is invested in key schools, "
                        "a range of services is developed and contracted, and schools receiving intervention "
                        "have funding to buy support of their choice.",
                        "Brokerage is the back stop for challenge, and services keep developing.",
                    ],
                },
                {
                    "name": "Performance monitoring and quality assurance",
                    "description": "The table's 'performance monitoring - QA' column.",
                    "levels": [
                        "Performance is monitored and schools categorised; support is quality-assured case by case.",
                        "Monitoring and categorisation direct the brokered support, and its quality is assured.",
                        "Monitoring, categorisation and quality assurance cover every member school.",
                        "Monitoring and quality assurance continue, with challenge led by the schools.",
                    ],
                },
            ],
        },
    ],
}

THREE_DIMENSIONS: dict[str, Any] = {
    "slug": "three-dimension-check",
    "name": "Cluster check: performance, challenge and support",
    "description": (
        "A short cluster check on three dimensions: pupil performance, quality of challenge (peer review) and "
        "quality of support (maturity and capacity), read beside the computed indicators."
    ),
    "source": (
        "Dimensions: the partnership's domain brief (DOMAIN.md, 'Cluster health checks') and the reference "
        "notes (workflows.md §5.2: the 'pupil performance' dimension of Cumbria's Getting Better Together, "
        "partnership measures such as the share of schools reviewed, actions completed on time and support "
        "days delivered; §2.1: Hargreaves' 'trust and reciprocity' as the heart of partnership competence, and "
        "a teaching school alliance agreeing a joint statement after each school rated alone). Strands and "
        "descriptors are our own wording, written for this app from those notes; no source publishes them."
    ),
    "dimensions": [
        {
            "name": "Pupil performance",
            "strands": [
                {
                    "name": "Outcomes against national",
                    "description": "Read with the indicators: KS2 reading, writing and maths, KS4, absence.",
                    "levels": [
                        "Most members' outcomes are below national and the cluster has not looked at them together.",
                        "The cluster knows where members are below national and has shared priorities.",
                        "Most members are at or above national, and gaps are closing where they are not.",
                        "Members are at or above national and the cluster sustains it over several years.",
                    ],
                },
                {
                    "name": "Disadvantaged pupils and attendance",
                    "description": "Gaps for disadvantaged pupils and persistent absence.",
                    "levels": [
                        "Gaps and persistent absence are not discussed across the cluster.",
                        "Members share their figures and name the gaps they will work on.",
                        "Shared approaches are in place and the figures are improving.",
                        "Gaps and persistent absence are low and the cluster's approaches are used by others.",
                    ],
                },
            ],
        },
        {
            "name": "Quality of challenge",
            "strands": [
                {
                    "name": "Peer review",
                    "description": "Read with the indicators: members peer-reviewed this year.",
                    "levels": [
                        "Few members have been peer-reviewed; reviews are informal.",
                        "Most members take part in a review cycle; findings are shared with the host only.",
                        "Every member is reviewed on a cycle, with agreed findings and honest challenge.",
                        "Review is rigorous and welcomed; members review beyond the cluster.",
                    ],
                },
                {
                    "name": "Acting on findings",
                    "description": "Read with the indicators: peer-review actions completed on time.",
                    "levels": [
                        "Findings are not followed up.",
                        "Actions are written after reviews, but many are late.",
                        "Most actions are completed on time and checked at the next meeting.",
                        "Actions are completed on time and their impact is evaluated.",
                    ],
                },
            ],
        },
        {
            "name": "Quality of support",
            "strands": [
                {
                    "name": "Trust and reciprocity",
                    "description": "Hargreaves' key features of partnership competence.",
                    "levels": [
                        "Members rarely give or ask for help.",
                        "Some members support others; the same schools usually give.",
                        "Support flows both ways and no member is left isolated.",
                        "Members give and receive support as a matter of course, beyond the cluster too.",
                    ],
                },
                {
                    "name": "Capacity for school-to-school support",
                    "description": "Read with the indicators: support days given and received.",
                    "levels": [
                        "The cluster has no view of its capacity to support.",
                        "Capacity is known for a few members and used case by case.",
                        "Capacity is mapped, planned and matched to members' needs.",
                        "The cluster has spare capacity it offers the partnership.",
                    ],
                },
            ],
        },
    ],
}

SHIPPED = [NINE_CONDITIONS, FOUR_STAGES, THREE_DIMENSIONS]


def load_shipped(
    framework_model: Any, version_model: Any, dimension_model: Any, strand_model: Any, descriptor_model: Any
) -> int:
    """Create the shipped frameworks (version 1 each) unless they exist; return how many were created."""
    created = 0
    for spec in SHIPPED:
        if framework_model.objects.filter(partnership__isnull=True, slug=spec["slug"]).exists():
            continue
        framework = framework_model.objects.create(
            partnership=None,
            slug=spec["slug"],
            name=spec["name"],
            description=spec["description"],
            source=spec["source"],
        )
        version = version_model.objects.create(
            framework=framework, number=1, levels=spec.get("levels", LEVELS), note="As shipped."
        )
        for d_order, dim in enumerate(spec["dimensions"], start=1):
            dimension = dimension_model.objects.create(version=version, order=d_order, name=dim["name"])
            for s_order, st in enumerate(dim["strands"], start=1):
                strand = strand_model.objects.create(
                    dimension=dimension, order=s_order, name=st["name"], description=st.get("description", "")
                )
                descriptor_model.objects.bulk_create(
                    descriptor_model(strand=strand, level=i, text=text) for i, text in enumerate(st["levels"])
                )
        created += 1
    return created
