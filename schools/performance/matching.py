"""Which school of the register a URN in a performance file belongs to.

A URN in the register is that school. A URN that is not (a school that has since converted, merged or closed)
is followed through the GIAS links (``Predecessor…``/``Successor…``, as the links file records them) to the
school that succeeded it, up to ``MAX_LINK_STEPS`` conversions, so a converted school keeps its trend. A URN that
leads to more than one school of the register (a split school) is left unmatched rather than guessed, and so is
one that leads nowhere: its rows are kept with no school and can be matched when the register learns of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import Q

from partnership.models import Partnership
from schools.models import School, SchoolLink

MAX_LINK_STEPS = 6


@dataclass
class Register:
    """The partnership's register by URN, and its predecessor → successor pairs."""

    ids_by_urn: pd.Series  # school id (int64) indexed by URN
    pairs: pd.DataFrame  # predecessor, successor (URNs)

    @property
    def known_urns(self) -> np.ndarray:
        """URNs a file row may be kept for: the register's and every URN linked to it."""
        linked = np.concatenate([self.pairs["predecessor"].to_numpy(), self.pairs["successor"].to_numpy()])
        return np.union1d(self.ids_by_urn.index.to_numpy(dtype=np.int64), linked.astype(np.int64))


@dataclass
class Match:
    """Row-aligned school ids (NaN where unmatched) and whether each came through a link."""

    school_ids: np.ndarray
    via_link: np.ndarray
    ambiguous: np.ndarray


def register_load(*, partnership: Partnership) -> Register:
    """The register's URNs and links (two queries)."""
    rows = list(School.objects.filter(partnership=partnership).values_list("urn", "id"))
    ids_by_urn = pd.Series([i for _, i in rows], index=[u for u, _ in rows], dtype="int64")
    links = pd.DataFrame(
        list(
            SchoolLink.objects.filter(partnership=partnership)
            .filter(Q(link_type__startswith="Predecessor") | Q(link_type__startswith="Successor"))
            .values_list("urn", "linked_urn", "link_type")
        ),
        columns=["urn", "linked_urn", "link_type"],
    )
    is_successor = links["link_type"].str.startswith("Successor").to_numpy(dtype=bool)
    pairs = pd.DataFrame(
        {
            "predecessor": np.where(is_successor, links["urn"], links["linked_urn"]).astype(np.int64),
            "successor": np.where(is_successor, links["linked_urn"], links["urn"]).astype(np.int64),
        }
    ).drop_duplicates()
    return Register(ids_by_urn=ids_by_urn, pairs=pairs[pairs["predecessor"] != pairs["successor"]])


def urns_match(*, register: Register, urns: np.ndarray) -> Match:
    """Match each URN to a school id: directly, else through the links (only an unambiguous successor)."""
    urns = np.asarray(urns, dtype=np.int64)
    direct = register.ids_by_urn.reindex(urns).to_numpy(dtype=float)
    pending = np.unique(urns[np.isnan(direct)])
    found, ambiguous = _successors(register, pending)
    linked = found.reindex(urns).to_numpy(dtype=float)
    via_link = np.isnan(direct) & ~np.isnan(linked)
    return Match(np.where(np.isnan(direct), linked, direct), via_link, np.isin(urns, ambiguous))


def _successors(register: Register, urns: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """School id by URN for ``urns`` that lead to exactly one school of the register; and those leading to several."""
    empty = pd.Series(dtype=float)
    if not len(urns) or register.pairs.empty:
        return empty, np.array([], dtype=np.int64)
    frontier = pd.DataFrame({"urn": urns, "target": urns})
    reached = []
    for _ in range(MAX_LINK_STEPS):
        step = frontier.merge(register.pairs, left_on="target", right_on="predecessor")
        if step.empty:
            break
        step = step.assign(target=step["successor"])[["urn", "target"]].drop_duplicates()
        in_register = step["target"].isin(register.ids_by_urn.index).to_numpy()
        reached.append(step[in_register])
        frontier = step[~in_register]
    if not reached:
        return empty, np.array([], dtype=np.int64)
    hits = pd.concat(reached, ignore_index=True)
    hits["school_id"] = register.ids_by_urn.reindex(hits["target"]).to_numpy()
    counts = hits.groupby("urn")["school_id"].nunique()
    single = counts[counts == 1].index
    chosen = hits[hits["urn"].isin(single)].drop_duplicates("urn").set_index("urn")["school_id"].astype(float)
    return chosen, counts[counts > 1].index.to_numpy(dtype=np.int64)
