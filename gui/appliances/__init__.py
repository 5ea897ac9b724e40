"""The switchboards this console knows: found announcing themselves on the LAN
(`discovery`), and the ones it has trusted, remembered with their login tokens (`store`)."""
