"""The appliance's SMS rules: which text goes to whom after a call, in which words and encoding,
what an incoming text does (duty ON/OFF), and the durable outbox the modem service drains."""
