"""The GSM modem through python-gsmmodem-new, with our fixes for its measured defects."""
