"""The connect window, the console's first: choose a switchboard, confirm its certificate
(the certificate dialogs), log in."""
