"""The appliance's SMS texts: which message goes to whom, in which words, encoded how."""
