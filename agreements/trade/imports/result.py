"""What a trade import is of (FLOWS or RATES), and the layouts it reads."""

FLOWS, RATES = "flows", "rates"
COMTRADE, PLAIN, RATE_LAYOUT = "UN Comtrade", "plain", "exchange rates"
