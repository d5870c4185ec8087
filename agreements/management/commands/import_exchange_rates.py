from agreements.management.commands.import_trade_flows import Command as TradeFlowsCommand
from agreements.trade.imports import RATES


class Command(TradeFlowsCommand):
    help = (
        "Import exchange rates from a CSV with the columns currency,year,units_per_usd[,source] (units of the "
        "currency per US dollar, the year's average). Every row is checked first: any error is printed with its "
        "line and nothing of the file is written. Importing a file again changes nothing."
    )
    kind = RATES
    source_help = (
        "Title or URL of the source of rows that name none. An existing source is found by URL or exact title; "
        "otherwise one is created."
    )
