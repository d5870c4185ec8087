from agreements.models.agreements import (
    Agreement,
    AgreementQuerySet,
    AgreementRelation,
    AgreementSource,
    ExternalIdentifier,
    Memorandum,
    Party,
    Signatory,
)
from agreements.models.countries import Bloc, BlocMembership, Country
from agreements.models.dates import DatePrecision
from agreements.models.reference import Organisation, Source, Topic

__all__ = [
    "Agreement",
    "AgreementQuerySet",
    "AgreementRelation",
    "AgreementSource",
    "Bloc",
    "BlocMembership",
    "Country",
    "DatePrecision",
    "ExternalIdentifier",
    "Memorandum",
    "Organisation",
    "Party",
    "Signatory",
    "Source",
    "Topic",
]
