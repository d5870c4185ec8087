from agreements.models.agreements import Agreement, AgreementQuerySet, Memorandum
from agreements.models.countries import Bloc, BlocMembership, Country
from agreements.models.datasets import Claim, Dataset
from agreements.models.dates import DatePrecision
from agreements.models.parties import AgreementRelation, AgreementSource, ExternalIdentifier, Party, Signatory
from agreements.models.reference import Organisation, Source, Topic
from agreements.models.slugs import AgreementSlug
from agreements.trade.models import (
    AgreementTradeStatistic,
    Basis,
    ExchangeRate,
    Origin,
    PairYearStatistic,
    ProductTrade,
    RefreshRun,
    TradeFlow,
    TradeRefreshState,
)

__all__ = [
    "Agreement",
    "AgreementQuerySet",
    "AgreementRelation",
    "AgreementSlug",
    "AgreementSource",
    "AgreementTradeStatistic",
    "Basis",
    "Bloc",
    "BlocMembership",
    "Claim",
    "Country",
    "Dataset",
    "DatePrecision",
    "ExchangeRate",
    "ExternalIdentifier",
    "Memorandum",
    "Organisation",
    "Origin",
    "PairYearStatistic",
    "Party",
    "ProductTrade",
    "RefreshRun",
    "Signatory",
    "Source",
    "Topic",
    "TradeFlow",
    "TradeRefreshState",
]
