"""Trusts, dioceses and federations from GIAS, and each school's current membership of them.

A network is identified by its GIAS code where the file has codes (the full extract), else by its name (web
exports). When a school's network changes, its current membership ends (``left_on`` = the row's change date)
and a new one starts on that date. A closed school is a current member of nothing: its memberships end on its
close date. Networks added by hand (``source=manual``) and their memberships are never read or written here.

Three steps, so the import can overlap the middle one with the schools' COPY: ``gias_networks_read`` before any
write, ``gias_networks_plan`` (no database access), ``gias_networks_write``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from partnership.models import Partnership
from schools.importers.columns import NETWORK_SOURCES, NO_NETWORK_NAMES, NetworkSource
from schools.importers.db import allocate_ids, copy_frame, queryset_frame
from schools.models import Network, NetworkMembership

CLOSED = "Closed"
NO_CHANGES = {"networks_created": 0, "networks_renamed": 0, "memberships_started": 0, "memberships_ended": 0}


@dataclass
class StoredNetworks:
    """What the register holds before the import writes: the partnership's GIAS networks and open memberships."""

    sources: list[NetworkSource]
    networks: list[Network]
    held: pd.DataFrame  # id, school_id, network_id, joined_on (ISO text)


@dataclass
class NetworkPlan:
    """The writes that bring networks and memberships in line with a file (``gias_networks_plan``).

    Networks not stored yet carry placeholder ids (-2, -3, ...) in ``joining`` until ``gias_networks_write``
    creates them.
    """

    missing: pd.DataFrame  # kind, code, name, identity; the k-th is placeholder -2 - k until created
    renamed: list[Network]
    gone: pd.DataFrame  # id, left_on
    joining: pd.DataFrame  # network_id, school_id, joined_on


def gias_networks_read(*, partnership: Partnership, fields: list[str]) -> StoredNetworks:
    """Read (before any write of the import) the networks and open memberships the file's columns can change."""
    sources = [s for s in NETWORK_SOURCES if s.name_field in fields]
    if not sources:
        return StoredNetworks(sources, [], pd.DataFrame())
    networks = list(Network.objects.filter(partnership=partnership, source=Network.Source.GIAS))
    return StoredNetworks(sources, networks, _current_memberships(partnership, [s.kind for s in sources]))


def gias_networks_plan(*, stored: StoredNetworks, current: pd.DataFrame, now: dt.datetime) -> NetworkPlan | None:
    """Work out the writes (no database access, so it can run while the schools are still being written); None
    when the file carries no network columns or no rows."""
    if not stored.sources or current.empty:
        return None
    desired, named = _desired_memberships(current, stored.sources)
    network_ids, missing, renamed = _networks_match(stored.networks, named, now)
    desired["network_id"] = network_ids[desired["network"].to_numpy()]
    desired = desired.drop_duplicates(["school_id", "network_id"])
    held = stored.held[stored.held["school_id"].isin(current["school_id"].to_numpy())]
    return NetworkPlan(
        missing=missing,
        renamed=renamed,
        gone=_memberships_gone(held, desired, _leaving_dates(current)),
        joining=_memberships_joining(held, desired),
    )


def gias_networks_write(*, partnership: Partnership, plan: NetworkPlan | None, now: dt.datetime) -> dict[str, int]:
    """Create and rename networks, end and start memberships, as ``plan`` says; returns the counts."""
    if plan is None:
        return dict(NO_CHANGES)
    created = _networks_create(partnership, plan.missing, now)
    joining = plan.joining
    if len(created):
        network_ids = joining["network_id"].to_numpy(dtype=np.int64, copy=True)
        new = network_ids <= -2  # placeholder -2 - k stands for the k-th network created
        network_ids[new] = created[-2 - network_ids[new]]
        joining = joining.assign(network_id=network_ids)
    Network.objects.bulk_update(plan.renamed, ["code", "name", "modified_at"])
    return {
        "networks_created": len(plan.missing),
        "networks_renamed": len(plan.renamed),
        "memberships_started": _memberships_start(joining, now),
        "memberships_ended": _memberships_end(plan.gone, now),
    }


def _desired_memberships(current: pd.DataFrame, sources: list[NetworkSource]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each open school's network of each kind: (school_id, changed_on, network) rows, and the networks named.

    Names and codes are worked out once per distinct (kind, code, name), not once per school.
    """
    is_open = current["status"].to_numpy() != CLOSED if "status" in current else np.ones(len(current), bool)
    parts, named = [], []
    offset = 0
    for source in sources:
        name = current[source.name_field].to_numpy(dtype=object)
        code = current[source.code_field].to_numpy(dtype=object) if source.code_field in current else ""
        which, distinct = pd.factorize(code + "\x1f" + name)
        split = [value.split("\x1f", 1) for value in distinct]
        networks = pd.DataFrame(split, columns=["code", "name"], dtype=object).assign(kind=str(source.kind))
        networks["real"] = [_is_network(c, n) for c, n in split]
        chosen = is_open & networks["real"].to_numpy()[which]
        parts.append(
            pd.DataFrame(
                {
                    "school_id": current["school_id"].to_numpy()[chosen],
                    "changed_on": current["changed_on"].to_numpy()[chosen],
                    "network": which[chosen] + offset,
                }
            )
        )
        named.append(networks[["kind", "code", "name", "real"]])
        offset += len(networks)
    return pd.concat(parts, ignore_index=True), pd.concat(named, ignore_index=True)


def _is_network(code: str, name: str) -> bool:
    """False for GIAS's ways of saying "none": blank or "Not applicable" names, all-zero codes such as 0000."""
    code, name = code.strip(), name.strip()
    return name.casefold() not in NO_NETWORK_NAMES and not (code and set(code) == {"0"})


def _networks_match(
    stored: list[Network], named: pd.DataFrame, now: dt.datetime
) -> tuple[np.ndarray, pd.DataFrame, list[Network]]:
    """Match each network the file names (a few thousand at most) with a stored one; note those GIAS renamed.

    Returns the network id for every row of ``named`` (-1 for "no network" rows; a placeholder from -2 down for a
    network not stored yet), the networks to create (with their placeholders) and the renamed ones.
    """
    named = named.assign(code=named["code"].str.strip(), name=named["name"].str.strip())
    named["identity"] = [
        f"{kind}|{code}" if code else f"{kind}|name:{name.casefold()}"
        for kind, code, name in zip(named["kind"], named["code"], named["name"], strict=True)
    ]
    by_code = {(n.kind, n.code): n for n in stored if n.code}
    by_name = {(n.kind, n.name.casefold()): n for n in stored}
    found: dict[str, int] = {}
    missing: list[int] = []
    renamed: list[Network] = []
    distinct = named[named["real"]].drop_duplicates("identity")
    for row, kind, code, name, identity in distinct[["kind", "code", "name", "identity"]].itertuples(name=None):
        network = (by_code.get((kind, code)) if code else None) or by_name.get((kind, name.casefold()))
        if network is None:
            found[identity] = -2 - len(missing)
            missing.append(row)
            continue
        found[identity] = network.pk
        if _refresh(network, code, name, now):
            renamed.append(network)
    ids = named["identity"].map(found).where(named["real"]).fillna(-1).to_numpy(dtype=np.int64)
    return ids, named.loc[missing, ["kind", "code", "name", "identity"]], renamed


def _networks_create(partnership: Partnership, missing: pd.DataFrame, now: dt.datetime) -> np.ndarray:
    """COPY the networks not stored yet, with ids drawn up front; returns their ids, in ``missing``'s order."""
    if missing.empty:
        return np.empty(0, dtype=np.int64)
    ids = allocate_ids(table=Network._meta.db_table, count=len(missing))
    frame = pd.DataFrame(
        {
            "id": ids.astype(object),
            "partnership_id": partnership.pk,
            "kind": missing["kind"].to_numpy(dtype=object),
            "name": missing["name"].to_numpy(dtype=object),
            "code": missing["code"].to_numpy(dtype=object),
            "source": Network.Source.GIAS.value,
            "description": "",
            "created_at": now.isoformat(),
            "modified_at": now.isoformat(),
        }
    )
    copy_frame(table=Network._meta.db_table, frame=frame)
    return ids


def _refresh(network: Network, code: str, name: str, now: dt.datetime) -> bool:
    """Take GIAS's current name (and a code first seen now); True when something changed."""
    changed = network.name != name or (bool(code) and network.code != code)
    if changed:
        network.name = name
        network.code = code or network.code
        network.modified_at = now
    return changed


def _current_memberships(partnership: Partnership, kinds: list[str]) -> pd.DataFrame:
    """Open GIAS memberships of the partnership's schools (joined_on as ISO text)."""
    query = NetworkMembership.objects.filter(
        network__partnership=partnership,
        network__source=Network.Source.GIAS,
        network__kind__in=kinds,
        left_on__isnull=True,
    ).values_list("id", "school_id", "network_id", "joined_on")
    held = queryset_frame(query, ["id", "school_id", "network_id", "joined_on"])
    return held.astype({"id": np.int64, "school_id": np.int64, "network_id": np.int64})


def _leaving_dates(current: pd.DataFrame) -> pd.Series:
    """The date a school leaves a network: its close date if it has closed, else the row's change date."""
    leave = current["changed_on"].to_numpy(dtype=object)
    if "status" in current and "close_date" in current:
        closed = (current["status"].to_numpy() == CLOSED) & (current["close_date"].to_numpy() != "")
        leave = np.where(closed, current["close_date"].to_numpy(dtype=object), leave)
    return pd.Series(leave, index=current["school_id"].to_numpy())


def _memberships_gone(held: pd.DataFrame, desired: pd.DataFrame, leaving: pd.Series) -> pd.DataFrame:
    """Memberships of networks a school no longer belongs to, with the day each ends (never before it began)."""
    keep = held.merge(desired[["school_id", "network_id"]], how="left", indicator=True)
    gone = keep[keep["_merge"] == "left_only"]
    leave = gone["school_id"].map(leaving).to_numpy(dtype=object)
    joined = gone["joined_on"].to_numpy(dtype=object)
    return pd.DataFrame({"id": gone["id"].to_numpy(), "left_on": np.where(leave > joined, leave, joined)})


def _memberships_end(gone: pd.DataFrame, now: dt.datetime) -> int:
    """Close the memberships ``_memberships_gone`` found."""
    if gone.empty:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {NetworkMembership._meta.db_table} AS m SET left_on = v.left_on, modified_at = %s "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::date[]) AS v(id, left_on) WHERE m.id = v.id",
            [now, gone["id"].tolist(), gone["left_on"].tolist()],
        )
    return len(gone)


def _memberships_joining(held: pd.DataFrame, desired: pd.DataFrame) -> pd.DataFrame:
    """Memberships of networks a school has joined, from the row's change date."""
    merged = desired.merge(held[["school_id", "network_id"]], how="left", indicator=True)
    joining = merged[merged["_merge"] == "left_only"]
    return pd.DataFrame(
        {
            "network_id": joining["network_id"].to_numpy(),
            "school_id": joining["school_id"].to_numpy(),
            "joined_on": joining["changed_on"].to_numpy(dtype=object),
        }
    )


def _memberships_start(joining: pd.DataFrame, now: dt.datetime) -> int:
    """Open the memberships ``_memberships_joining`` found."""
    if joining.empty:
        return 0
    frame = pd.DataFrame(
        {
            "network_id": joining["network_id"].to_numpy(dtype=object),
            "school_id": joining["school_id"].to_numpy(dtype=object),
            "joined_on": joining["joined_on"].to_numpy(dtype=object),
            "created_at": now.isoformat(),
            "modified_at": now.isoformat(),
        }
    )
    copy_frame(table=NetworkMembership._meta.db_table, frame=frame)
    return len(joining)
