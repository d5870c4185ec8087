"""The trade import tests' files (UN Comtrade downloads, the plain layout) and checks: what the
database holds, and the errors a refused file reports."""

import pytest

from agreements.models import ExchangeRate, Source, TradeFlow
from agreements.tests.factories import country
from agreements.trade.imports import import_exchange_rates, import_trade_flows
from tradepacts.imports import ImportFailed


def lines(*rows: str, bom: bool = False) -> bytes:
    """A CSV file as spreadsheets and Comtrade write it: CRLF line ends."""
    return (("\ufeff" if bom else "") + "".join(f"{row}\r\n" for row in rows)).encode()


def figures() -> list[tuple]:
    """Every stored figure, readable: (reporter, partner or WLD, year, flow, value, currency, source title)."""
    return sorted(
        (f.reporter.iso3, f.partner.iso3 if f.partner else "WLD", f.year, f.flow, f.value, f.currency)
        + ((f.source.title,) if f.source else (None,))
        for f in TradeFlow.objects.select_related("reporter", "partner", "source")
    )


def stored() -> dict[str, list[tuple]]:
    """Every column of every row an import may write."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in (TradeFlow, ExchangeRate, Source)
    }


def pair(a: str, b: str) -> tuple[int, int]:
    ids = sorted([country(a).pk, country(b).pk])
    return ids[0], ids[1]


def refused(data: bytes, rates: bool = False, **kwargs) -> list[str]:
    """The errors of a refused file, as the command prints them; checks nothing was written."""
    before = stored()
    with pytest.raises(ImportFailed) as failure:
        (import_exchange_rates if rates else import_trade_flows)(data, filename="bad.csv", **kwargs)
    assert stored() == before, "nothing of a refused file is written"
    return [str(error) for error in failure.value.errors]


# Comtrade Plus "Final" data, annual, HS, as its CSV download writes it (all 47
# columns). Rwanda's 2023 trade with Tanzania and the World, plus rows that are
# not a total with one country: a re-export, one commodity, an area "nes".
COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,"
    "partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
    "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,"
    "isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)
COMTRADE_FINAL = lines(
    COMTRADE_HEADER,
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",41234567.891,41234567.891,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,M,Import,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    "398765432.1,,398765432.1,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,0,W00,World,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",3182736450.5,3182736450.5,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,RX,Re-export,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",5123456.7,5123456.7,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    '09,"Coffee, tea, mate and spices",2,False,C00,TOTAL CPC,0,0,TOTAL MOT,8,kg,1200000,False,-1,N/A,0,False,'
    "1200000,False,0,False,,9876543.2,9876543.2,0,True,False",
    'C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,899,_X,"Areas, nes",0,W00,World,H6,HS,True,'
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",123456.0,123456.0,0,True,True",
)

# A download with numeric codes only: Comtrade's own 842 for the USA (ISO's is
# 840), and 180, the code of both DR Congo and historic Zaire.
COMTRADE_NUMERIC = lines(
    "refYear,reporterCode,reporterDesc,flowCode,partnerCode,partnerDesc,primaryValue",
    "2021,842,USA,X,404,Kenya,560123456.78",
    "2021,404,Kenya,M,842,USA,612345678.9",
    "2021,180,Dem. Rep. of the Congo,M,646,Rwanda,45000000",
)

# The legacy Comtrade API's CSV (comtrade.un.org/api/get ... fmt=csv).
COMTRADE_LEGACY = lines(
    "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,"
    "Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,"
    "Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,"
    "Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),"
    "CIF Trade Value (US$),FOB Trade Value (US$),Flag",
    "H4,2015,2015,2015,0,0,2,Export,404,Kenya,KEN,800,Uganda,UGA,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "620987654,,,0",
    "H4,2015,2015,2015,0,0,1,Import,404,Kenya,KEN,800,Uganda,UGA,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "48765432,,,0",
    "H4,2015,2015,2015,0,0,1,Import,404,Kenya,KEN,0,World,WLD,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "16097000000,,,0",
    "H4,2015,2015,2015,0,0,3,Re-Export,404,Kenya,KEN,800,Uganda,UGA,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "12345678,,,0",
)

# A trimmed download saved from Excel as "CSV UTF-8" (a BOM), with flow
# descriptions and the FOB/CIF values only.
COMTRADE_TRIMMED = lines(
    "refYear,reporterISO,reporterDesc,flowDesc,partnerISO,partnerDesc,cifvalue,fobvalue",
    "2022,UGA,Uganda,Import,RWA,Rwanda,5100000.5,",
    "2022,UGA,Uganda,Export,RWA,Rwanda,,180000000",
    "",
    bom=True,
)


PLAIN = lines(
    "reporter,partner,year,flow,value,currency,source",
    "TZA,RWA,2025,total,644000000000,TZS,Rwanda and Tanzania agree to deepen cooperation",
    "RWA,WLD,2024,exports,3100000000,usd,",
    "KEN,World,2024,imports,22000000000.5,USD,https://www.knbs.or.ke/economic-survey-2025/",
)


HEADER = "reporter,partner,year,flow,value,currency"
