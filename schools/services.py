"""Writers for hand-made networks and network memberships (GIAS imports live in schools.importers)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from partnership.models import Partnership, User
from partnership.services import tracked_save
from schools.models import Network, NetworkMembership, School


@transaction.atomic
def network_create(*, partnership: Partnership, kind: str, name: str, description: str, user: User | None) -> Network:
    """Create a hand-made network (teaching school hub, informal network, ...)."""
    return tracked_save(
        Network(
            partnership=partnership,
            kind=kind,
            name=name,
            description=description,
            source=Network.Source.MANUAL,
        ),
        user=user,
        creating=True,
    )


@transaction.atomic
def network_update(*, network: Network, kind: str, name: str, description: str, user: User | None) -> Network:
    """Edit a network; GIAS networks keep their GIAS name and kind (the next import would overwrite them)."""
    if network.source == Network.Source.GIAS and (name != network.name or kind != network.kind):
        raise ValidationError({"name": "Networks from GIAS are renamed by GIAS: change only the description"})
    network.kind, network.name, network.description = kind, name, description
    return tracked_save(network, user=user, creating=False)


@transaction.atomic
def network_add_school(*, network: Network, school: School, joined_on: dt.date, user: User | None) -> NetworkMembership:
    """Add a school to a hand-made network."""
    if network.source == Network.Source.GIAS:
        raise ValidationError({"urn": "Membership of networks from GIAS comes from GIAS"})
    if school.partnership_id != network.partnership_id:
        raise ValidationError({"urn": "Enter the URN of a school in this partnership"})
    if NetworkMembership.objects.filter(network=network, school=school, left_on__isnull=True).exists():
        raise ValidationError({"urn": f"{school.name} is already in this network"})
    return tracked_save(
        NetworkMembership(network=network, school=school, joined_on=joined_on), user=user, creating=True
    )
